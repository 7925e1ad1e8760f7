-- place_holds wrote each placed hold's seats with an UPDATE of their own, inside its loop over the batch:
-- a batch of 10 holds ran 10 UPDATEs of event_seat, and the statement-level sales trigger
-- (sales_event_seat_changed, 190 µs a run on the bench machine) 10 times. The rows the function returns
-- reach the caller only when it ends, and every seat of the batch is locked in step 2, so the seats can
-- be written after the loop, all in one UPDATE: one trigger run per batch, whose deltas it sums.
-- The loop already keeps what each hold took (v_free), so a later hold of the batch still sees an
-- earlier one's seats as taken, and tickets_used counts the batch's earlier holds from their hold rows.
-- Otherwise as in 20261208010100_hold_batch_gate.

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
  -- The seats the batch holds, one entry per seat, written in one UPDATE after the loop.
  v_held_events integer[] := '{}';
  v_held_seats integer[] := '{}';
  v_held_by uuid[] := '{}';
  v_held_until timestamptz[] := '{}';
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
          v_held_events := v_held_events || array_fill(v_event.id, ARRAY[cardinality(v_seats)]);
          v_held_seats := v_held_seats || v_seats;
          v_held_by := v_held_by || array_fill(hold_id, ARRAY[cardinality(v_seats)]);
          v_held_until := v_held_until || array_fill(expires_at, ARRAY[cardinality(v_seats)]);
        END IF;
      END IF;
    END IF;
    RETURN NEXT;
  END LOOP;

  -- 4. The seats of every placed hold, in one statement. Every seat is locked by this transaction and
  --    was free: the update cannot miss one. (An UPDATE that changes nothing still runs the sales trigger.)
  IF cardinality(v_held_seats) > 0 THEN
    UPDATE event_seat es
    SET status = 'HELD', hold_id = h.holder, held_until = h.until, version = es.version + 1
    FROM unnest(v_held_events, v_held_seats, v_held_by, v_held_until) AS h(event, seat, holder, until)
    WHERE es.event_id = h.event AND es.seat_id = h.seat;
  END IF;
END
$$;

