-- The Postgres guard of a hold (docs/holds.md) as SQL functions, so that the hot path of holdSeats is one
-- statement: one round trip, planned once per connection, its own transaction. Functions are not part of
-- schema.prisma, and test/migration.test.ts does not compare them (it compares tables, columns, enums,
-- indexes and foreign keys).

-- Seats the fan holds (active, unexpired holds) or has bought for the event. plpgsql rather than sql:
-- plpgsql keeps its statements' plans for the session, a sql function called from plpgsql is planned
-- again on every call (measured: 0.35 ms of Postgres CPU per hold).
CREATE FUNCTION tickets_used(p_user_id uuid, p_event_id integer) RETURNS integer
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (
    (SELECT coalesce(sum(cardinality(h.seat_ids)), 0) FROM hold h
     WHERE h.user_id = p_user_id AND h.event_id = p_event_id AND h.state = 'ACTIVE'
       AND h.expires_at > now())
    +
    (SELECT count(*) FROM event_seat es JOIN "order" o ON o.id = es.order_id
     WHERE es.event_id = p_event_id AND es.status = 'SOLD' AND o.user_id = p_user_id)
  )::integer;
END
$$;

-- Places a hold, all or nothing:
-- 1. the fan's advisory lock on (fan, event), then the binding per-account limit check; over the limit
--    raises SQLSTATE FRLIM (DETAIL: the seats already used);
-- 2. inserts the hold row (seat prices as shown to the fan) expiring holdSeconds from now;
-- 3. the guard: locks the requested seats that are free, in seat order, and gives them to the hold;
--    a seat that is not free raises SQLSTATE FRSEA (DETAIL: the seats it could not get, comma-separated).
-- An exception rolls back everything the call did. Returns when the hold expires and the expired holds
-- whose seats it took over (the caller ends them).
-- Callers inside a transaction that already holds the advisory lock take it again (it stacks).
CREATE FUNCTION place_hold(
  p_hold_id uuid,
  p_user_id uuid,
  p_event_id integer,
  p_seat_ids integer[],
  p_seat_prices integer[],
  p_currency text,
  p_hold_seconds integer,
  p_max_tickets integer,
  OUT hold_expires_at timestamptz,
  OUT taken_over_hold_ids uuid[]
)
LANGUAGE plpgsql AS $$
DECLARE
  v_used integer;
  v_claimed integer[];
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('hold-limit:' || p_user_id || ':' || p_event_id, 0));
  v_used := tickets_used(p_user_id, p_event_id);
  IF v_used + cardinality(p_seat_ids) > p_max_tickets THEN
    RAISE EXCEPTION 'at most % tickets per account', p_max_tickets
      USING ERRCODE = 'FRLIM', DETAIL = v_used::text;
  END IF;

  INSERT INTO hold (id, user_id, event_id, seat_ids, seat_prices, total_minor, currency, expires_at)
  VALUES (p_hold_id, p_user_id, p_event_id, p_seat_ids, p_seat_prices,
          (SELECT coalesce(sum(price), 0) FROM unnest(p_seat_prices) AS price), p_currency,
          statement_timestamp() + make_interval(secs => p_hold_seconds))
  RETURNING expires_at INTO hold_expires_at;

  WITH claimable AS (
    SELECT es.seat_id, es.hold_id AS previous_hold_id
    FROM event_seat es
    WHERE es.event_id = p_event_id AND es.seat_id = ANY(p_seat_ids)
      AND (es.status = 'AVAILABLE' OR (es.status = 'HELD' AND es.held_until < now()))
    ORDER BY es.seat_id
    FOR UPDATE
  ), claimed AS (
    UPDATE event_seat es
    SET status = 'HELD', hold_id = p_hold_id, held_until = hold_expires_at, version = es.version + 1
    FROM claimable c
    WHERE es.event_id = p_event_id AND es.seat_id = c.seat_id
    RETURNING es.seat_id, c.previous_hold_id
  )
  SELECT coalesce(array_agg(seat_id), '{}'),
         coalesce(array_agg(DISTINCT previous_hold_id) FILTER (WHERE previous_hold_id IS NOT NULL), '{}')
  INTO v_claimed, taken_over_hold_ids
  FROM claimed;

  IF cardinality(v_claimed) < cardinality(p_seat_ids) THEN
    RAISE EXCEPTION 'seats unavailable'
      USING ERRCODE = 'FRSEA',
            DETAIL = array_to_string(ARRAY(
              SELECT wanted.seat_id FROM unnest(p_seat_ids) WITH ORDINALITY AS wanted(seat_id, position)
              WHERE wanted.seat_id <> ALL(v_claimed) ORDER BY wanted.position), ',');
  END IF;
END
$$;
