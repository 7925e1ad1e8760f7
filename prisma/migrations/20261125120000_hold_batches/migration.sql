-- Holds placed in batches (docs/holds.md, "Batches"): when holds arrive faster than Postgres answers, an API
-- instance sends the ones waiting as one call of place_holds, so that they share one round trip and one
-- commit. The event check, the seat labels and prices and the guard are all in it: a hold is one statement.
--
-- Each hold of a batch still succeeds or fails on its own: the function checks everything a hold needs
-- under the locks it took, before writing anything for it, and reports the outcome as data, so no hold
-- waits on or undoes another's work and no savepoint is needed.
--
-- Lock discipline (it is what keeps batches free of deadlocks with each other and with every other
-- writer): all fans' advisory locks first, in ascending key order; then every requested seat row, in
-- ascending (event_id, seat_id) order; nothing after that. Hold rows are never locked here.

-- Outcomes, one row per hold in the order given:
--   placed          the hold exists; expires_at, its seats' labels and prices, taken_over_hold_ids (expired
--                   holds whose seats it took; the caller ends them)
--   not_found       no such event, or a draft
--   sale_not_open   event_status, sale_starts_at say why
--   not_admitted    the event uses the waiting room and the caller did not vouch for an admission
--   not_for_sale    seat_ids: the requested seats the event does not sell
--   limit_exceeded  used: the fan's seats held or bought already; max_tickets: the event's limit
--   unavailable     seat_ids: the requested seats that are held or sold
CREATE FUNCTION place_holds(
  p_hold_ids uuid[],
  p_user_ids uuid[],
  p_event_ids integer[],
  p_admitted boolean[],
  -- Each hold's seats, concatenated: hold i has the next p_seat_counts[i] of p_seat_ids.
  p_seat_counts integer[],
  p_seat_ids integer[]
)
RETURNS TABLE (
  hold_id uuid,
  outcome text,
  seat_ids integer[],
  used integer,
  max_tickets integer,
  event_status text,
  sale_starts_at timestamptz,
  currency text,
  expires_at timestamptz,
  seat_rows text[],
  seat_numbers integer[],
  section_ids integer[],
  section_names text[],
  seat_prices integer[],
  taken_over_hold_ids uuid[]
)
LANGUAGE plpgsql AS $$
DECLARE
  v_count integer := cardinality(p_hold_ids);
  v_events event[];
  v_event event;
  v_outcomes text[];
  v_first integer[];
  v_offset integer := 1;
  v_seats integer[];
  v_lock_key bigint;
  v_lock_event integer;
  v_found integer[];
  v_taken integer[];
BEGIN
  -- 1. The event of each hold: holds of events that do not sell now are answered without any lock.
  FOR i IN 1 .. v_count LOOP
    v_first[i] := v_offset;
    v_offset := v_offset + p_seat_counts[i];
    SELECT * INTO v_event FROM event e WHERE e.id = p_event_ids[i];
    v_events[i] := v_event;
    v_outcomes[i] := CASE
      WHEN v_event.id IS NULL OR v_event.status = 'DRAFT' THEN 'not_found'
      WHEN v_event.status <> 'ON_SALE' OR v_event.sale_starts_at > now() OR v_event.starts_at <= now()
        THEN 'sale_not_open'
      WHEN v_event.queue_enabled AND NOT p_admitted[i] THEN 'not_admitted'
    END;
  END LOOP;

  -- 2. Locks: the fans' (which make the limit check and the hold it allows one step), then the seats.
  FOR v_lock_key IN
    SELECT DISTINCT hashtextextended('hold-limit:' || p_user_ids[i] || ':' || p_event_ids[i], 0)
    FROM generate_subscripts(p_hold_ids, 1) AS i
    WHERE v_outcomes[i] IS NULL
    ORDER BY 1
  LOOP
    PERFORM pg_advisory_xact_lock(v_lock_key);
  END LOOP;
  FOR v_lock_event IN
    SELECT DISTINCT p_event_ids[i] FROM generate_subscripts(p_hold_ids, 1) AS i
    WHERE v_outcomes[i] IS NULL
    ORDER BY 1
  LOOP
    PERFORM 1
    FROM event_seat es
    WHERE es.event_id = v_lock_event AND es.seat_id = ANY(ARRAY(
      SELECT p_seat_ids[v_first[i] + k]
      FROM generate_subscripts(p_hold_ids, 1) AS i, generate_series(0, p_seat_counts[i] - 1) AS k
      WHERE v_outcomes[i] IS NULL AND p_event_ids[i] = v_lock_event))
    ORDER BY es.seat_id
    FOR UPDATE;
  END LOOP;

  -- 3. Each hold in turn, seeing what the holds before it in the batch took.
  FOR i IN 1 .. v_count LOOP
    v_event := v_events[i];
    v_seats := p_seat_ids[v_first[i] : v_first[i] + p_seat_counts[i] - 1];
    hold_id := p_hold_ids[i];
    outcome := v_outcomes[i];
    seat_ids := NULL; used := NULL; max_tickets := NULL; expires_at := NULL;
    event_status := v_event.status; sale_starts_at := v_event.sale_starts_at; currency := v_event.currency;
    seat_rows := NULL; seat_numbers := NULL; section_ids := NULL; section_names := NULL;
    seat_prices := NULL; taken_over_hold_ids := NULL;

    IF outcome IS NULL THEN
      -- Shaped like a key lookup (seat_id = ANY), so that it is planned as one whatever the statistics.
      SELECT
        coalesce(array_agg(es.seat_id), '{}'),
        coalesce(array_agg(es.seat_id ORDER BY array_position(v_seats, es.seat_id))
          FILTER (WHERE es.status = 'SOLD' OR (es.status = 'HELD' AND es.held_until >= now())), '{}'),
        array_agg(s.row_label ORDER BY array_position(v_seats, es.seat_id)),
        array_agg(s.number ORDER BY array_position(v_seats, es.seat_id)),
        array_agg(sec.id ORDER BY array_position(v_seats, es.seat_id)),
        array_agg(sec.name ORDER BY array_position(v_seats, es.seat_id)),
        array_agg(pt.price_minor ORDER BY array_position(v_seats, es.seat_id)),
        coalesce(array_agg(DISTINCT es.hold_id) FILTER (WHERE es.status = 'HELD'), '{}')
      INTO v_found, v_taken, seat_rows, seat_numbers, section_ids, section_names, seat_prices,
           taken_over_hold_ids
      FROM event_seat es
      JOIN seat s ON s.id = es.seat_id
      JOIN section sec ON sec.id = s.section_id
      JOIN price_tier pt ON pt.id = es.price_tier_id
      WHERE es.event_id = v_event.id AND es.seat_id = ANY(v_seats);

      IF cardinality(v_found) < cardinality(v_seats) THEN
        outcome := 'not_for_sale';
        seat_ids := ARRAY(
          SELECT w.seat_id FROM unnest(v_seats) WITH ORDINALITY AS w(seat_id, position)
          WHERE w.seat_id <> ALL(v_found) ORDER BY w.position);
      ELSE
        used := tickets_used(p_user_ids[i], v_event.id);
        max_tickets := v_event.max_tickets_per_account;
        IF used + cardinality(v_seats) > max_tickets THEN
          outcome := 'limit_exceeded';
        ELSIF cardinality(v_taken) > 0 THEN
          outcome := 'unavailable';
          seat_ids := v_taken;
        ELSE
          outcome := 'placed';
          INSERT INTO hold AS h (id, user_id, event_id, seat_ids, seat_prices, total_minor, currency,
                                 expires_at)
          VALUES (hold_id, p_user_ids[i], v_event.id, v_seats, seat_prices,
                  (SELECT sum(price) FROM unnest(seat_prices) AS price), v_event.currency,
                  statement_timestamp() + make_interval(secs => v_event.hold_seconds))
          RETURNING h.expires_at INTO expires_at;
          -- Every seat is locked and free (checked above): the update cannot miss one.
          UPDATE event_seat es
          SET status = 'HELD', hold_id = p_hold_ids[i], held_until = expires_at, version = es.version + 1
          WHERE es.event_id = v_event.id AND es.seat_id = ANY(v_seats);
        END IF;
      END IF;
    END IF;

    IF outcome <> 'placed' THEN
      seat_rows := NULL; seat_numbers := NULL; section_ids := NULL; section_names := NULL;
      seat_prices := NULL; taken_over_hold_ids := NULL;
    END IF;
    RETURN NEXT;
  END LOOP;
END
$$;

DROP FUNCTION place_hold(uuid, uuid, integer, integer[], integer[], text, integer, integer);
