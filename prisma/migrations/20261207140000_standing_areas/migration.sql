-- Standing areas on sale (general admission, docs/standing.md) and the accessible-seat release time.
--
-- An event sells a STANDING section as a number of places, not as seats: event_area is its inventory,
-- one row per event and standing section, made when the section is priced for the event (the trigger
-- below, so whoever prices sections needs no code of ours). `available` is capacity minus the places
-- of live holds and of valid tickets; the CHECK makes overselling impossible whatever the code does.
-- It is a hot row (every hold of the area writes it): place_area_holds takes a whole batch of holds
-- through it with one lock and one update (the holds' group commit, docs/holds.md).

CREATE TABLE "event_area" (
    "event_id" INTEGER NOT NULL,
    "section_id" INTEGER NOT NULL,
    "capacity" INTEGER NOT NULL,
    "available" INTEGER NOT NULL,
    CONSTRAINT "event_area_pkey" PRIMARY KEY ("event_id", "section_id"),
    CONSTRAINT "event_area_never_oversold" CHECK ("available" >= 0 AND "available" <= "capacity")
);
ALTER TABLE "event_area" ADD CONSTRAINT "event_area_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "event"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "event_area" ADD CONSTRAINT "event_area_section_id_fkey" FOREIGN KEY ("section_id") REFERENCES "section"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A standing section priced for an event gets its inventory (once: re-pricing keeps what is sold).
CREATE FUNCTION open_event_area() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO event_area (event_id, section_id, capacity, available)
  SELECT NEW.event_id, s.id, s.capacity, s.capacity
  FROM section s WHERE s.id = NEW.section_id AND s.kind = 'STANDING'
  ON CONFLICT DO NOTHING;
  RETURN NEW;
END
$$;
CREATE TRIGGER section_pricing_opens_area AFTER INSERT OR UPDATE ON "section_pricing"
  FOR EACH ROW EXECUTE FUNCTION open_event_area();
INSERT INTO event_area (event_id, section_id, capacity, available)
SELECT sp.event_id, s.id, s.capacity, s.capacity
FROM section_pricing sp JOIN section s ON s.id = sp.section_id WHERE s.kind = 'STANDING';

-- A hold is either seats (seat_ids) or places in one standing area (area_id, area_quantity at
-- area_price each), never both: see docs/standing.md for why there is no mixed hold.
ALTER TABLE "hold" ADD COLUMN "area_id" INTEGER;
ALTER TABLE "hold" ADD COLUMN "area_quantity" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "hold" ADD COLUMN "area_price" INTEGER;
ALTER TABLE "hold" ADD CONSTRAINT "hold_area_id_fkey" FOREIGN KEY ("area_id") REFERENCES "section"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "hold" DROP CONSTRAINT "hold_seats_priced";
ALTER TABLE "hold" ADD CONSTRAINT "hold_seats_priced" CHECK (
  "seat_ids" IS NOT NULL AND "seat_prices" IS NOT NULL AND cardinality("seat_ids") = cardinality("seat_prices")
  AND (cardinality("seat_ids") > 0 OR "area_id" IS NOT NULL));
ALTER TABLE "hold" ADD CONSTRAINT "hold_seats_or_places" CHECK (
  CASE WHEN "area_id" IS NULL THEN "area_quantity" = 0 AND "area_price" IS NULL
       ELSE "area_quantity" > 0 AND "area_price" IS NOT NULL AND cardinality("seat_ids") = 0 END);
-- The expired holds of an area, which a hold short of places takes back at once.
CREATE INDEX "hold_live_by_area_idx" ON "hold" ("event_id", "area_id", "expires_at")
  WHERE "state" = 'ACTIVE' AND "area_id" IS NOT NULL;

-- A ticket is for a seat or for a place in a standing area.
ALTER TABLE "ticket" ALTER COLUMN "seat_id" DROP NOT NULL;
ALTER TABLE "ticket" ADD COLUMN "area_id" INTEGER;
ALTER TABLE "ticket" ADD CONSTRAINT "ticket_area_id_fkey" FOREIGN KEY ("area_id") REFERENCES "section"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "ticket" ADD CONSTRAINT "ticket_seat_or_area" CHECK (("seat_id" IS NULL) <> ("area_id" IS NULL));

-- Valid standing tickets take places whoever issues or voids them (checkout, cancellation, an event's
-- cancellation, transfers, complimentary tickets): a place is taken when its ticket becomes valid and
-- comes back when it is voided. Checkout hands the hold's places over in the same statement (the
-- CHECK above then refuses any ticket beyond the capacity).
CREATE FUNCTION count_area_ticket() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_delta integer := 0;
BEGIN
  IF NEW.area_id IS NULL THEN RETURN NEW; END IF;
  IF TG_OP = 'INSERT' THEN
    v_delta := CASE WHEN NEW.status = 'VALID' THEN -1 ELSE 0 END;
  ELSIF OLD.status = 'VALID' AND NEW.status <> 'VALID' THEN
    v_delta := 1;
  ELSIF OLD.status <> 'VALID' AND NEW.status = 'VALID' THEN
    v_delta := -1;
  END IF;
  IF v_delta <> 0 THEN
    UPDATE event_area SET available = available + v_delta
    WHERE event_id = NEW.event_id AND section_id = NEW.area_id;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER ticket_counts_area_places AFTER INSERT OR UPDATE OF status ON "ticket"
  FOR EACH ROW EXECUTE FUNCTION count_area_ticket();

-- When unsold wheelchair and companion seats go on general sale (null: they stay for fans who ask).
ALTER TABLE "event" ADD COLUMN "accessible_release_at" TIMESTAMPTZ(3);

-- The per-account limit counts standing places too: those of live holds and of valid tickets.
CREATE OR REPLACE FUNCTION tickets_used(p_user_id uuid, p_event_id integer) RETURNS integer
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (
    (SELECT coalesce(sum(cardinality(h.seat_ids) + h.area_quantity), 0) FROM hold h
     WHERE h.user_id = p_user_id AND h.event_id = p_event_id AND h.state = 'ACTIVE'
       AND h.expires_at > now())
    +
    -- An order's seats are all of its event: no condition on es.event_id, which would invite the plan
    -- that walks every sold seat of the event.
    (SELECT count(*) FROM "order" o JOIN event_seat es ON es.order_id = o.id
     WHERE o.user_id = p_user_id AND o.event_id = p_event_id AND es.status = 'SOLD')
    +
    (SELECT count(*) FROM "order" o JOIN ticket t ON t.order_id = o.id
     WHERE o.user_id = p_user_id AND o.event_id = p_event_id AND t.area_id IS NOT NULL
       AND t.status = 'VALID')
  )::integer;
END
$$;

-- A batch of general-admission holds in one statement, like place_holds (read 20261125120000_hold_batches
-- for the shape). Outcomes: placed, not_found, sale_not_open, not_admitted, not_for_sale (no such area on
-- sale at this event), limit_exceeded (used, max_tickets), unavailable (available: places left).
--
-- Lock discipline: the fans' advisory locks in key order, then the event_area rows in (event_id,
-- section_id) order; expired holds of an area are taken back with SKIP LOCKED (never waited for). Each
-- area row is written once per batch, after every hold of the batch was decided: one hot-row update for
-- up to 64 holds.
CREATE FUNCTION place_area_holds(
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
  v_lock_key bigint;
  -- The locked areas of the batch: key = event_id << 32 | section_id.
  v_keys bigint[] := '{}';
  v_available integer[] := '{}';
  v_names text[] := '{}';
  v_prices integer[] := '{}';
  v_reclaimed boolean[] := '{}';
  v_at integer;
  v_back integer;
BEGIN
  FOR i IN 1 .. v_count LOOP
    IF v_event.id IS DISTINCT FROM p_event_ids[i] THEN
      SELECT * INTO v_event FROM event e WHERE e.id = p_event_ids[i];
    END IF;
    v_events[i] := v_event;
    v_outcomes[i] := CASE
      WHEN v_event.id IS NULL OR v_event.status = 'DRAFT' THEN 'not_found'
      WHEN v_event.status <> 'ON_SALE' OR v_event.sale_starts_at > now() OR v_event.starts_at <= now()
        THEN 'sale_not_open'
      WHEN v_event.queue_enabled AND NOT p_admitted[i] THEN 'not_admitted'
    END;
  END LOOP;

  FOR v_lock_key IN
    SELECT DISTINCT hold_limit_lock_key(p_user_ids[i], p_event_ids[i])
    FROM generate_subscripts(p_hold_ids, 1) AS i
    WHERE v_outcomes[i] IS NULL
    ORDER BY 1
  LOOP
    PERFORM pg_advisory_xact_lock(v_lock_key);
  END LOOP;

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

ALTER FUNCTION place_area_holds(uuid[], uuid[], integer[], boolean[], integer[], integer[])
  SET plan_cache_mode = force_generic_plan;

-- checkout_begin as in 20261124240000_checkout_fast_path, with a standing hold's places: fees count
-- them, and area_id, area_name, area_quantity and area_price describe them.
DROP FUNCTION checkout_begin(uuid, uuid, text, text, uuid, uuid, text);
CREATE FUNCTION checkout_begin(
  p_user_id uuid,
  p_hold_id uuid,
  p_idempotency_key text,
  p_request_hash text,
  p_order_id uuid,
  p_payment_id uuid,
  p_provider text,
  OUT key_order_id uuid,
  OUT hold_user_id uuid,
  OUT event_id integer,
  OUT state text,
  OUT live boolean,
  OUT expires_at timestamptz,
  OUT seat_ids integer[],
  OUT seat_prices integer[],
  OUT seats json,
  OUT total_minor integer,
  OUT fees_minor integer,
  OUT currency text,
  OUT cancellable_until timestamptz,
  OUT live_order_id uuid,
  OUT created_at timestamptz,
  OUT area_id integer,
  OUT area_name text,
  OUT area_quantity integer,
  OUT area_price integer
)
LANGUAGE plpgsql AS $$
BEGIN
  SELECT o.id INTO key_order_id FROM "order" o
  WHERE o.user_id = p_user_id AND o.idempotency_key = p_idempotency_key;
  IF key_order_id IS NOT NULL THEN RETURN; END IF;

  SELECT h.user_id, h.event_id, h.state::text, (h.state = 'ACTIVE' AND h.expires_at > now()), h.expires_at,
         h.seat_ids, h.seat_prices,
         (SELECT coalesce(json_agg(json_build_object('seatId', s.id, 'row', s.row_label, 'number', s.number,
                                            'sectionId', sec.id, 'section', sec.name, 'price', p.price)
                          ORDER BY p.position), '[]'::json)
          FROM unnest(h.seat_ids, h.seat_prices) WITH ORDINALITY AS p(seat_id, price, position)
          JOIN seat s ON s.id = p.seat_id JOIN section sec ON sec.id = s.section_id),
         h.total_minor, e.fee_per_ticket_minor * (cardinality(h.seat_ids) + h.area_quantity), h.currency,
         e.starts_at - make_interval(hours => e.cancel_cutoff_hours),
         (SELECT o.id FROM "order" o WHERE o.hold_id = h.id AND o.status <> 'FAILED'),
         h.area_id, (SELECT sec.name FROM section sec WHERE sec.id = h.area_id), h.area_quantity, h.area_price
  INTO hold_user_id, event_id, state, live, expires_at, seat_ids, seat_prices, seats, total_minor, fees_minor,
       currency, cancellable_until, live_order_id, area_id, area_name, area_quantity, area_price
  FROM hold h JOIN event e ON e.id = h.event_id
  WHERE h.id = p_hold_id;
  IF hold_user_id IS DISTINCT FROM p_user_id OR live_order_id IS NOT NULL OR NOT live THEN RETURN; END IF;

  INSERT INTO "order" (id, user_id, event_id, hold_id, status, payment_state, subtotal_minor, fees_minor,
                       total_minor, currency, idempotency_key, request_hash, updated_at)
  VALUES (p_order_id, p_user_id, checkout_begin.event_id, p_hold_id, 'PENDING', 'AUTHORIZING',
          checkout_begin.total_minor, checkout_begin.fees_minor, checkout_begin.total_minor + checkout_begin.fees_minor,
          checkout_begin.currency, p_idempotency_key, p_request_hash, now())
  ON CONFLICT DO NOTHING
  RETURNING "order".created_at INTO created_at;

  IF created_at IS NULL THEN
    SELECT o.id INTO key_order_id FROM "order" o
    WHERE o.user_id = p_user_id AND o.idempotency_key = p_idempotency_key;
    SELECT o.id INTO live_order_id FROM "order" o WHERE o.hold_id = p_hold_id AND o.status <> 'FAILED';
    RETURN;
  END IF;

  INSERT INTO payment (id, order_id, provider, operation, amount_minor, currency, state)
  VALUES (p_payment_id, p_order_id, p_provider, 'authorize', checkout_begin.total_minor + checkout_begin.fees_minor,
          checkout_begin.currency, 'AUTHORIZING');
END
$$;
