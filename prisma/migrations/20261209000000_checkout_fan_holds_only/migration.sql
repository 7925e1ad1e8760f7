-- checkout_begin as in 20261207140000_standing_areas, for fans' holds only: an organizer's house seats
-- and seats taken off sale are holds of theirs too (kind HOUSE or KILL), and checking one out sold a
-- seat that was not for sale. Now such a hold is not found, as for anyone else's hold (house seats go
-- to guests through issueComplimentaryTickets).
CREATE OR REPLACE FUNCTION checkout_begin(
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
  WHERE h.id = p_hold_id AND h.kind = 'FAN';
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
