-- What made an order (docs/sales.md): a fan's checkout, a transfer's acceptance (the recipient's order of
-- price zero, carrying tickets of a sale counted already) or complimentary tickets. The sales counters
-- counted a transfer as a second order, and its standing tickets as sold again.

CREATE TYPE "OrderOrigin" AS ENUM ('CHECKOUT', 'TRANSFER', 'COMPLIMENTARY');
ALTER TABLE "order" ADD COLUMN origin "OrderOrigin" NOT NULL DEFAULT 'CHECKOUT';
-- The stores marked the orders they made in request_hash (a checkout's is a hash of its arguments).
UPDATE "order" SET origin = 'TRANSFER' WHERE request_hash = 'transfer';
UPDATE "order" SET origin = 'COMPLIMENTARY' WHERE request_hash = 'complimentary';

-- As in 20261207130000_sales_counters, with orders.confirmed counting every order but a transfer's.
CREATE OR REPLACE FUNCTION sales_order_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO sales_count_delta (event_id, metric, value)
    SELECT n.event_id, m.metric, sum(m.value)
    FROM new_rows n
    CROSS JOIN LATERAL (VALUES ('money.gross', n.total_minor::bigint), ('money.fees', n.fees_minor::bigint),
                               ('orders.confirmed', (n.origin <> 'TRANSFER')::int::bigint)) AS m(metric, value)
    WHERE n.status = 'CONFIRMED'
    GROUP BY 1, 2
    HAVING sum(m.value) <> 0;
  ELSE
    INSERT INTO sales_count_delta (event_id, metric, value)
    SELECT n.event_id, m.metric, sum(m.value)
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    CROSS JOIN LATERAL (VALUES
      ('money.gross', CASE WHEN n.status = 'CONFIRMED' THEN n.total_minor ELSE 0 END::bigint),
      ('money.fees', CASE WHEN n.status = 'CONFIRMED' THEN n.fees_minor ELSE -o.fees_minor END::bigint),
      ('money.refunds', CASE WHEN n.status = 'CONFIRMED' THEN 0 ELSE o.total_minor END::bigint),
      ('orders.confirmed', CASE WHEN n.origin = 'TRANSFER' THEN 0
                                WHEN n.status = 'CONFIRMED' THEN 1 ELSE -1 END::bigint)) AS m(metric, value)
    WHERE o.status IS DISTINCT FROM n.status AND (o.status = 'CONFIRMED' OR n.status = 'CONFIRMED')
    GROUP BY 1, 2
    HAVING sum(m.value) <> 0;
  END IF;
  RETURN NULL;
END
$$;

-- As in 20261208010000_sales_places_and_kills, with a transfer's standing tickets left out of the tickets
-- sold per minute (they replace tickets sold before; places.SOLD still counts them, as the voided ones
-- leave it).
CREATE OR REPLACE FUNCTION sales_ticket_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sales_count_delta (event_id, metric, section_id, minute, value)
  SELECT n.event_id, m.metric, m.section_id, m.minute, count(*)
  FROM new_rows n
  CROSS JOIN LATERAL (VALUES
    ('places.SOLD', n.area_id, 0, true),
    ('sold.minute', 0, floor(extract(epoch FROM statement_timestamp()) / 60)::integer,
     NOT EXISTS (SELECT FROM "order" o WHERE o.id = n.order_id AND o.origin = 'TRANSFER'))
  ) AS m(metric, section_id, minute, counted)
  WHERE n.area_id IS NOT NULL AND n.status = 'VALID' AND m.counted
  GROUP BY 1, 2, 3, 4;
  RETURN NULL;
END
$$;

-- As in 20261208010000_sales_places_and_kills, with orders.confirmed as the trigger now counts it.
CREATE OR REPLACE FUNCTION sales_truth(p_event_id integer)
RETURNS TABLE (metric text, section_id integer, price_tier_id integer, value bigint)
LANGUAGE sql STABLE AS $$
  SELECT 'seats.' || sales_seat_bucket(es.status::text, CASE WHEN h.kind <> 'FAN' THEN h.kind END),
         s.section_id, es.price_tier_id, count(*)
  FROM event_seat es JOIN seat s ON s.id = es.seat_id
  LEFT JOIN hold h ON h.id = es.hold_id AND es.status = 'HELD' AND es.held_until >= organizer_hold_until()
  WHERE es.event_id = p_event_id
  GROUP BY 1, 2, 3
  UNION ALL
  -- Standing areas: capacity and places available as the area's row has them, places sold from tickets.
  SELECT m.metric, a.section_id, 0, m.value
  FROM event_area a
  CROSS JOIN LATERAL (VALUES
    ('places.CAPACITY', a.capacity::bigint),
    ('places.AVAILABLE', a.available::bigint),
    ('places.SOLD', (SELECT count(*) FROM ticket t
                     WHERE t.event_id = a.event_id AND t.area_id = a.section_id AND t.status = 'VALID'))
  ) AS m(metric, value)
  WHERE a.event_id = p_event_id AND m.value <> 0
  UNION ALL
  SELECT m.metric, 0, 0, m.value
  FROM (
    -- Only a confirmed order is ever cancelled (orders.service.ts), so CANCELLED means "confirmed, then refunded".
    SELECT coalesce(sum(o.total_minor) FILTER (WHERE o.status IN ('CONFIRMED', 'CANCELLED')), 0) AS gross,
           coalesce(sum(o.fees_minor) FILTER (WHERE o.status = 'CONFIRMED'), 0) AS fees,
           coalesce(sum(o.total_minor) FILTER (WHERE o.status = 'CANCELLED'), 0) AS refunds,
           count(*) FILTER (WHERE o.status = 'CONFIRMED' AND o.origin <> 'TRANSFER') AS confirmed
    FROM "order" o WHERE o.event_id = p_event_id
  ) t
  CROSS JOIN LATERAL (VALUES ('money.gross', t.gross), ('money.fees', t.fees), ('money.refunds', t.refunds),
                             ('orders.confirmed', t.confirmed)) AS m(metric, value)
  WHERE m.value <> 0
  UNION ALL
  SELECT 'tickets.checked_in', 0, 0, count(*)
  FROM ticket t WHERE t.event_id = p_event_id AND t.used_at IS NOT NULL
  HAVING count(*) > 0
$$;

SELECT sales_rebuild();

-- The tickets sold per minute are a history that sales_rebuild() keeps: take out the standing tickets of
-- the transfers made before this migration (in the minute their tickets were issued).
INSERT INTO sales_count_delta (event_id, metric, minute, value)
SELECT t.event_id, 'sold.minute', floor(extract(epoch FROM t.created_at) / 60)::integer, -count(*)
FROM ticket t JOIN "order" o ON o.id = t.order_id
WHERE o.origin = 'TRANSFER' AND t.area_id IS NOT NULL
GROUP BY 1, 3;
