-- A batch of holds finds each fan's count of used tickets (tickets_used_by, read once per batch) by a
-- text key of the fan and the event. place_holds and place_area_holds each built that key twice, once
-- for the counts read and once for each hold's lookup, four copies of one expression. Were one ever to
-- differ, the lookup would find nothing, the fan's count would be null, and the limit check (null > max
-- is not true) would let the hold through. The key now has one definition, hold_fan_key, used in all
-- four places. Otherwise both functions are as in 20261216000000_hold_batch_writes.
CREATE FUNCTION hold_fan_key(p_user_id uuid, p_event_id integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p_user_id::text || ':' || p_event_id
$$;

CREATE OR REPLACE FUNCTION place_holds(
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
  v_lock_event integer;
  -- The locked seat rows of the batch, one entry per (event, seat): key = event_id << 32 | seat_id.
  v_keys bigint[] := '{}';
  v_free boolean[] := '{}';
  v_holders uuid[] := '{}';
  v_rows text[] := '{}';
  v_numbers integer[] := '{}';
  v_section_ids integer[] := '{}';
  v_sections text[] := '{}';
  v_prices integer[] := '{}';
  v_seats integer[];
  v_seat integer;
  v_at integer;
  v_claim integer[];
  v_missing integer[];
  v_taken integer[];
  v_total integer;
  -- The seats and prices of the placed holds, one after the other.
  v_held_seats integer[] := '{}';
  v_held_prices integer[] := '{}';
  -- What each fan of the batch had used when it began (tickets_used_by), keyed by hold_fan_key; the loop
  -- adds what the batch gives them.
  v_fan_keys text[];
  v_fan_used integer[];
  v_fan integer;
  -- The placed holds, inserted in one statement after the loop; hold k's seats and prices are
  -- v_held_seats and v_held_prices from v_new_firsts[k] to v_new_lasts[k].
  v_new_ids uuid[] := '{}';
  v_new_users uuid[] := '{}';
  v_new_events integer[] := '{}';
  v_new_firsts integer[] := '{}';
  v_new_lasts integer[] := '{}';
  v_new_totals integer[] := '{}';
  v_new_currencies text[] := '{}';
  v_new_expiries timestamptz[] := '{}';
BEGIN
  -- 1. The event of each hold (holds of events that do not sell now are answered without any lock), and
  --    the fans' locks (which make the limit check and the hold it allows one step): hold_batch_gate.
  SELECT g.events, g.outcomes INTO v_events, v_outcomes
  FROM hold_batch_gate(p_user_ids, p_event_ids, p_admitted) g;
  FOR i IN 1 .. v_count LOOP
    v_first[i] := v_offset;
    v_offset := v_offset + p_seat_counts[i];
  END LOOP;

  -- 2. The seats, locked and read once for the whole batch (their labels and prices, and whether they
  --    were free).
  FOR v_lock_event IN
    SELECT DISTINCT p_event_ids[i] FROM generate_subscripts(p_hold_ids, 1) AS i
    WHERE v_outcomes[i] IS NULL
    ORDER BY 1
  LOOP
    SELECT v_keys || coalesce(array_agg((v_lock_event::bigint << 32) | l.seat_id), '{}'),
           -- Free: available, or held by an expired hold. A sold seat has no held_until, and
           -- `false OR NULL` is NULL, which `NOT v_free[...]` would not count as taken.
           v_free || coalesce(array_agg(l.status = 'AVAILABLE' OR (l.status = 'HELD' AND l.held_until < now())), '{}'),
           v_holders || coalesce(array_agg(l.hold_id), '{}'),
           v_rows || coalesce(array_agg(s.row_label), '{}'),
           v_numbers || coalesce(array_agg(s.number), '{}'),
           v_section_ids || coalesce(array_agg(sec.id), '{}'),
           v_sections || coalesce(array_agg(sec.name), '{}'),
           v_prices || coalesce(array_agg(pt.price_minor), '{}')
    INTO v_keys, v_free, v_holders, v_rows, v_numbers, v_section_ids, v_sections, v_prices
    FROM (
      SELECT es.seat_id, es.status, es.held_until, es.hold_id, es.price_tier_id
      FROM event_seat es
      WHERE es.event_id = v_lock_event AND es.seat_id = ANY(ARRAY(
        SELECT p_seat_ids[v_first[i] + k]
        FROM generate_subscripts(p_hold_ids, 1) AS i, generate_series(0, p_seat_counts[i] - 1) AS k
        WHERE v_outcomes[i] IS NULL AND p_event_ids[i] = v_lock_event))
      ORDER BY es.seat_id
      FOR UPDATE
    ) l
    JOIN seat s ON s.id = l.seat_id
    JOIN section sec ON sec.id = s.section_id
    JOIN price_tier pt ON pt.id = l.price_tier_id;
  END LOOP;

  -- The fans' limits, read once for the batch, under their advisory locks (hold_batch_gate).
  SELECT coalesce(array_agg(hold_fan_key(f.fan_id, f.event)), '{}'), coalesce(array_agg(f.used), '{}')
  INTO v_fan_keys, v_fan_used
  FROM tickets_used_by(
    ARRAY(SELECT p_user_ids[i] FROM generate_subscripts(p_hold_ids, 1) AS i WHERE v_outcomes[i] IS NULL),
    ARRAY(SELECT p_event_ids[i] FROM generate_subscripts(p_hold_ids, 1) AS i WHERE v_outcomes[i] IS NULL)) f;

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
      v_claim := '{}'; v_missing := '{}'; v_taken := '{}';
      FOREACH v_seat IN ARRAY v_seats LOOP
        v_at := array_position(v_keys, (v_event.id::bigint << 32) | v_seat);
        IF v_at IS NULL THEN
          v_missing := v_missing || v_seat;
        ELSIF NOT v_free[v_at] THEN
          v_taken := v_taken || v_seat;
        ELSE
          v_claim := v_claim || v_at;
        END IF;
      END LOOP;

      IF cardinality(v_missing) > 0 THEN
        outcome := 'not_for_sale';
        seat_ids := v_missing;
      ELSE
        v_fan := array_position(v_fan_keys, hold_fan_key(p_user_ids[i], v_event.id));
        used := v_fan_used[v_fan];
        max_tickets := v_event.max_tickets_per_account;
        IF used + cardinality(v_seats) > max_tickets THEN
          outcome := 'limit_exceeded';
        ELSIF cardinality(v_taken) > 0 THEN
          outcome := 'unavailable';
          seat_ids := v_taken;
        ELSE
          outcome := 'placed';
          seat_rows := '{}'; seat_numbers := '{}'; section_ids := '{}'; section_names := '{}';
          seat_prices := '{}'; taken_over_hold_ids := '{}'; v_total := 0;
          FOREACH v_at IN ARRAY v_claim LOOP
            seat_rows := seat_rows || v_rows[v_at];
            seat_numbers := seat_numbers || v_numbers[v_at];
            section_ids := section_ids || v_section_ids[v_at];
            section_names := section_names || v_sections[v_at];
            seat_prices := seat_prices || v_prices[v_at];
            v_total := v_total + v_prices[v_at];
            IF v_holders[v_at] IS NOT NULL AND NOT v_holders[v_at] = ANY(taken_over_hold_ids) THEN
              taken_over_hold_ids := taken_over_hold_ids || v_holders[v_at];
            END IF;
            v_free[v_at] := false;
          END LOOP;
          v_fan_used[v_fan] := used + cardinality(v_seats);
          -- Rounded as the column stores it.
          expires_at := (statement_timestamp() + make_interval(secs => v_event.hold_seconds))::timestamptz(3);
          v_new_ids := v_new_ids || hold_id;
          v_new_users := v_new_users || p_user_ids[i];
          v_new_events := v_new_events || v_event.id;
          v_new_firsts := v_new_firsts || (cardinality(v_held_seats) + 1);
          v_new_lasts := v_new_lasts || (cardinality(v_held_seats) + cardinality(v_seats));
          v_new_totals := v_new_totals || v_total;
          v_new_currencies := v_new_currencies || v_event.currency::text;
          v_new_expiries := v_new_expiries || expires_at;
          v_held_prices := v_held_prices || seat_prices;
          v_held_seats := v_held_seats || v_seats;
        END IF;
      END IF;
    END IF;
    RETURN NEXT;
  END LOOP;

  -- 4. The placed holds, and their seats from what was inserted, in one statement. Every seat is locked
  --    by this transaction and was free: the update cannot miss one. (An UPDATE that changes nothing
  --    still runs the sales trigger.)
  IF cardinality(v_new_ids) > 0 THEN
    WITH placed AS (
      INSERT INTO hold (id, user_id, event_id, seat_ids, seat_prices, total_minor, currency, expires_at)
      SELECT n.id, n.fan, n.event, v_held_seats[n.lo:n.hi], v_held_prices[n.lo:n.hi], n.total, n.cur,
             n.until
      FROM unnest(v_new_ids, v_new_users, v_new_events, v_new_firsts, v_new_lasts, v_new_totals,
                  v_new_currencies, v_new_expiries) AS n(id, fan, event, lo, hi, total, cur, until)
      RETURNING hold.id, hold.event_id, hold.seat_ids, hold.expires_at
    )
    UPDATE event_seat es
    SET status = 'HELD', hold_id = p.id, held_until = p.expires_at, version = es.version + 1
    FROM placed p, unnest(p.seat_ids) AS s(seat)
    WHERE es.event_id = p.event_id AND es.seat_id = s.seat;
  END IF;
END
$$;

CREATE OR REPLACE FUNCTION place_area_holds(
  p_hold_ids uuid[],
  p_user_ids uuid[],
  p_event_ids integer[],
  p_admitted boolean[],
  p_area_ids integer[],
  p_quantities integer[]
)
RETURNS TABLE (
  hold_id uuid,
  outcome text,
  used integer,
  max_tickets integer,
  event_status text,
  sale_starts_at timestamptz,
  currency text,
  expires_at timestamptz,
  area_name text,
  price integer,
  available integer
)
LANGUAGE plpgsql AS $$
DECLARE
  v_count integer := cardinality(p_hold_ids);
  v_events event[];
  v_event event;
  v_outcomes text[];
  -- The locked areas of the batch: key = event_id << 32 | section_id.
  v_keys bigint[] := '{}';
  v_available integer[] := '{}';
  v_names text[] := '{}';
  v_prices integer[] := '{}';
  v_reclaimed boolean[] := '{}';
  v_at integer;
  v_back integer;
  -- What each fan of the batch had used when it began (tickets_used_by), keyed by hold_fan_key; the loop
  -- adds what the batch gives them.
  v_fan_keys text[];
  v_fan_used integer[];
  v_fan integer;
  -- The placed holds, inserted in one statement after the loop.
  v_new_ids uuid[] := '{}';
  v_new_users uuid[] := '{}';
  v_new_events integer[] := '{}';
  v_new_areas integer[] := '{}';
  v_new_quantities integer[] := '{}';
  v_new_prices integer[] := '{}';
  v_new_currencies text[] := '{}';
  v_new_expiries timestamptz[] := '{}';
BEGIN
  SELECT g.events, g.outcomes INTO v_events, v_outcomes
  FROM hold_batch_gate(p_user_ids, p_event_ids, p_admitted) g;

  SELECT coalesce(array_agg((l.event_id::bigint << 32) | l.section_id ORDER BY l.event_id, l.section_id), '{}'),
         coalesce(array_agg(l.available ORDER BY l.event_id, l.section_id), '{}'),
         coalesce(array_agg(sec.name ORDER BY l.event_id, l.section_id), '{}'),
         coalesce(array_agg(pt.price_minor ORDER BY l.event_id, l.section_id), '{}')
  INTO v_keys, v_available, v_names, v_prices
  FROM (
    SELECT a.event_id, a.section_id, a.available FROM event_area a
    WHERE (a.event_id, a.section_id) IN (
      SELECT p_event_ids[i], p_area_ids[i] FROM generate_subscripts(p_hold_ids, 1) AS i
      WHERE v_outcomes[i] IS NULL)
    ORDER BY a.event_id, a.section_id
    FOR UPDATE
  ) l
  JOIN section sec ON sec.id = l.section_id
  JOIN section_pricing sp ON sp.event_id = l.event_id AND sp.section_id = l.section_id
  JOIN price_tier pt ON pt.id = sp.price_tier_id;
  v_reclaimed := array_fill(false, ARRAY[greatest(cardinality(v_keys), 1)]);
  -- The fans' limits, read once for the batch, under their advisory locks (hold_batch_gate).
  SELECT coalesce(array_agg(hold_fan_key(f.fan_id, f.event)), '{}'), coalesce(array_agg(f.used), '{}')
  INTO v_fan_keys, v_fan_used
  FROM tickets_used_by(
    ARRAY(SELECT p_user_ids[i] FROM generate_subscripts(p_hold_ids, 1) AS i WHERE v_outcomes[i] IS NULL),
    ARRAY(SELECT p_event_ids[i] FROM generate_subscripts(p_hold_ids, 1) AS i WHERE v_outcomes[i] IS NULL)) f;

  FOR i IN 1 .. v_count LOOP
    v_event := v_events[i];
    hold_id := p_hold_ids[i];
    outcome := v_outcomes[i];
    used := NULL; max_tickets := NULL; expires_at := NULL; area_name := NULL; price := NULL;
    available := NULL;
    event_status := v_event.status; sale_starts_at := v_event.sale_starts_at; currency := v_event.currency;

    IF outcome IS NULL THEN
      v_at := array_position(v_keys, (v_event.id::bigint << 32) | p_area_ids[i]);
      IF v_at IS NULL THEN
        outcome := 'not_for_sale';
      ELSE
        area_name := v_names[v_at];
        price := v_prices[v_at];
        v_fan := array_position(v_fan_keys, hold_fan_key(p_user_ids[i], v_event.id));
        used := v_fan_used[v_fan];
        max_tickets := v_event.max_tickets_per_account;
        IF used + p_quantities[i] > max_tickets THEN
          outcome := 'limit_exceeded';
        ELSE
          IF v_available[v_at] < p_quantities[i] AND NOT v_reclaimed[v_at] THEN
            -- Short of places: take back the area's expired holds now (the sweeper would later).
            v_reclaimed[v_at] := true;
            WITH gone AS (
              SELECT h.id FROM hold h
              WHERE h.event_id = v_event.id AND h.area_id = p_area_ids[i] AND h.state = 'ACTIVE'
                AND h.expires_at < now()
              FOR UPDATE SKIP LOCKED
            ), ended AS (
              UPDATE hold h SET state = 'EXPIRED', ended_at = now()
              FROM gone WHERE h.id = gone.id
              RETURNING h.id, h.area_quantity
            )
            SELECT coalesce(sum(ended.area_quantity), 0) INTO v_back FROM ended;
            v_available[v_at] := v_available[v_at] + v_back;
          END IF;
          IF v_available[v_at] < p_quantities[i] THEN
            outcome := 'unavailable';
            available := v_available[v_at];
          ELSE
            outcome := 'placed';
            v_available[v_at] := v_available[v_at] - p_quantities[i];
            available := v_available[v_at];
            v_fan_used[v_fan] := used + p_quantities[i];
            -- Rounded as the column stores it.
            expires_at := (statement_timestamp() + make_interval(secs => v_event.hold_seconds))::timestamptz(3);
            v_new_ids := v_new_ids || hold_id;
            v_new_users := v_new_users || p_user_ids[i];
            v_new_events := v_new_events || v_event.id;
            v_new_areas := v_new_areas || p_area_ids[i];
            v_new_quantities := v_new_quantities || p_quantities[i];
            v_new_prices := v_new_prices || price;
            v_new_currencies := v_new_currencies || v_event.currency::text;
            v_new_expiries := v_new_expiries || expires_at;
          END IF;
        END IF;
      END IF;
    END IF;
    RETURN NEXT;
  END LOOP;

  -- The placed holds in one statement, then one write per area for the whole batch.
  IF cardinality(v_new_ids) > 0 THEN
    INSERT INTO hold (id, user_id, event_id, seat_ids, seat_prices, total_minor, currency, expires_at,
                      area_id, area_quantity, area_price)
    SELECT n.id, n.fan, n.event, '{}', '{}', n.quantity * n.price, n.cur, n.until, n.area, n.quantity, n.price
    FROM unnest(v_new_ids, v_new_users, v_new_events, v_new_areas, v_new_quantities, v_new_prices,
                v_new_currencies, v_new_expiries) AS n(id, fan, event, area, quantity, price, cur, until);
  END IF;
  UPDATE event_area a SET available = w.available
  FROM unnest(v_keys, v_available) AS w(key, available)
  WHERE a.event_id = (w.key >> 32)::integer AND a.section_id = (w.key & 4294967295)::integer
    AND a.available <> w.available;
END
$$;
