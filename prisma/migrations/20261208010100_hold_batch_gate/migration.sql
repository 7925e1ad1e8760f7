-- One gate for both kinds of hold batch (docs/holds.md): hold_batch_gate decides, per hold, whether its
-- event sells now (found, on sale, its sale started and not ended, the show not started; admitted
-- through the waiting room when it has one), then takes the advisory locks of the fans whose holds
-- passed, in key order. place_holds and place_area_holds each spelled both out before; now they call
-- it, and it adds one rule: no hold after the event's sale_ends_at (outcome sale_not_open, which the API
-- answers with SALE_NOT_OPEN as before the sale starts).
--
-- Outcomes (null: the hold may go on): not_found (no such event, or a draft), sale_not_open,
-- not_admitted. The locks serialize one fan's holds for one event (the per-account limit); they are
-- the first locks a batch takes (then seats or areas), in hold_limit_lock_key order, so batches never
-- wait on each other in a cycle.
CREATE FUNCTION hold_batch_gate(
  p_user_ids uuid[],
  p_event_ids integer[],
  p_admitted boolean[],
  OUT events event[],
  OUT outcomes text[]
)
LANGUAGE plpgsql AS $$
DECLARE
  v_event event;
  v_lock_key bigint;
BEGIN
  FOR i IN 1 .. coalesce(cardinality(p_event_ids), 0) LOOP
    -- Batches come grouped by event: read each event once.
    IF v_event.id IS DISTINCT FROM p_event_ids[i] THEN
      SELECT * INTO v_event FROM event e WHERE e.id = p_event_ids[i];
    END IF;
    events[i] := v_event;
    outcomes[i] := CASE
      WHEN v_event.id IS NULL OR v_event.status = 'DRAFT' THEN 'not_found'
      WHEN v_event.status <> 'ON_SALE' OR v_event.sale_starts_at > now() OR v_event.starts_at <= now()
           OR v_event.sale_ends_at <= now()
        THEN 'sale_not_open'
      WHEN v_event.queue_enabled AND NOT p_admitted[i] THEN 'not_admitted'
    END;
  END LOOP;

  FOR v_lock_key IN
    SELECT DISTINCT hold_limit_lock_key(p_user_ids[i], p_event_ids[i])
    FROM generate_subscripts(p_event_ids, 1) AS i
    WHERE outcomes[i] IS NULL
    ORDER BY 1
  LOOP
    PERFORM pg_advisory_xact_lock(v_lock_key);
  END LOOP;
END
$$;

-- place_holds as in 20261206140000_hold_limit_lock_key (read 20261125120000_hold_batches for its shape),
-- its gate from hold_batch_gate.
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
        used := tickets_used(p_user_ids[i], v_event.id);
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
          INSERT INTO hold AS h (id, user_id, event_id, seat_ids, seat_prices, total_minor, currency,
                                 expires_at)
          VALUES (hold_id, p_user_ids[i], v_event.id, v_seats, seat_prices, v_total, v_event.currency,
                  statement_timestamp() + make_interval(secs => v_event.hold_seconds))
          RETURNING h.expires_at INTO expires_at;
          -- Every seat is locked by this transaction and was free: the update cannot miss one.
          UPDATE event_seat es
          SET status = 'HELD', hold_id = p_hold_ids[i], held_until = expires_at, version = es.version + 1
          WHERE es.event_id = v_event.id AND es.seat_id = ANY(v_seats);
        END IF;
      END IF;
    END IF;
    RETURN NEXT;
  END LOOP;
END
$$;

-- place_area_holds as in 20261207140000_standing_areas, its gate from hold_batch_gate.
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
        used := tickets_used(p_user_ids[i], v_event.id);
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
            INSERT INTO hold AS h (id, user_id, event_id, seat_ids, seat_prices, total_minor, currency,
                                   expires_at, area_id, area_quantity, area_price)
            VALUES (hold_id, p_user_ids[i], v_event.id, '{}', '{}', p_quantities[i] * price,
                    v_event.currency, statement_timestamp() + make_interval(secs => v_event.hold_seconds),
                    p_area_ids[i], p_quantities[i], price)
            RETURNING h.expires_at INTO expires_at;
          END IF;
        END IF;
      END IF;
    END IF;
    RETURN NEXT;
  END LOOP;

  -- One write per area for the whole batch.
  UPDATE event_area a SET available = w.available
  FROM unnest(v_keys, v_available) AS w(key, available)
  WHERE a.event_id = (w.key >> 32)::integer AND a.section_id = (w.key & 4294967295)::integer
    AND a.available <> w.available;
END
$$;

-- CREATE OR REPLACE keeps both functions' settings (plan_cache_mode = force_generic_plan).
