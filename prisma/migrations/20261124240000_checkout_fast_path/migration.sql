-- The first step of checkout (docs/orders.md) as one SQL function, so that it is one round trip, planned
-- once per connection: plpgsql keeps its statements' plans for the session. No table changes.

-- Looks up the caller's order for the idempotency key, then the hold (with its seats' labels and the
-- event's fee and cancellation cutoff), and records the order (PENDING, payment AUTHORIZING) with its
-- first payment row only when the hold is the caller's, live and not checked out by another order.
-- The caller reads why nothing was recorded from what is returned:
-- - key_order_id set: the key was used before (the caller replays that order);
-- - hold_user_id null: no such hold;
-- - created_at null otherwise: the hold is someone else's, not live, or has a live order (live_order_id);
-- - created_at set: the order is recorded, before any call to the payment provider.
-- A concurrent call that inserts first (same key, or another key for the same hold) makes the insert do
-- nothing; its row is then read again (each statement of a volatile function sees what committed before it).
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
  OUT created_at timestamptz
)
LANGUAGE plpgsql AS $$
BEGIN
  SELECT o.id INTO key_order_id FROM "order" o
  WHERE o.user_id = p_user_id AND o.idempotency_key = p_idempotency_key;
  IF key_order_id IS NOT NULL THEN RETURN; END IF;

  SELECT h.user_id, h.event_id, h.state::text, (h.state = 'ACTIVE' AND h.expires_at > now()), h.expires_at,
         h.seat_ids, h.seat_prices,
         (SELECT json_agg(json_build_object('seatId', s.id, 'row', s.row_label, 'number', s.number,
                                            'sectionId', sec.id, 'section', sec.name, 'price', p.price)
                          ORDER BY p.position)
          FROM unnest(h.seat_ids, h.seat_prices) WITH ORDINALITY AS p(seat_id, price, position)
          JOIN seat s ON s.id = p.seat_id JOIN section sec ON sec.id = s.section_id),
         h.total_minor, e.fee_per_ticket_minor * cardinality(h.seat_ids), h.currency,
         e.starts_at - make_interval(hours => e.cancel_cutoff_hours),
         (SELECT o.id FROM "order" o WHERE o.hold_id = h.id AND o.status <> 'FAILED')
  INTO hold_user_id, event_id, state, live, expires_at, seat_ids, seat_prices, seats, total_minor, fees_minor,
       currency, cancellable_until, live_order_id
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
