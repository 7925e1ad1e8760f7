-- Sales counters (docs/sales.md) for what 20261207130000_sales_counters left at zero or out: kills and
-- house seats, and the places of standing areas.
--
-- Kills and house seats are seats of organizer holds (hold.kind KILL / HOUSE), which never expire: their
-- held_until is organizer_hold_until() (NEVER in modules/events/event-store.ts). The seat trigger looks
-- the hold's kind up for those seats only (a CASE that fans' holds never enter), so a fan's hold costs
-- what it cost before.
--
-- Standing places are counted from event_area, the area's inventory row that every hold, release,
-- expiry, checkout and cancellation already writes (20261207140000_standing_areas): its capacity and
-- available places, per area. place_area_holds writes it once per batch of holds, so the trigger on it
-- adds one delta per batch and area, not one per hold. Places sold are the area's valid tickets; places
-- held are what is left: capacity - available - sold (sales.service.ts).

CREATE FUNCTION organizer_hold_until() RETURNS timestamptz
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN '9999-01-01 00:00:00+00'::timestamptz;

-- What a seat counts as on the dashboard, the one place that decides it: its status, or OFF_SALE /
-- HOUSE for a seat of a kill or a house hold (p_hold_kind: the kind of an organizer hold, else null).
DROP FUNCTION sales_seat_bucket(event_seat);
CREATE FUNCTION sales_seat_bucket(p_status text, p_hold_kind text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE p_hold_kind WHEN 'KILL' THEN 'OFF_SALE' WHEN 'HOUSE' THEN 'HOUSE' ELSE p_status END;

-- The kind of the organizer hold that holds a seat (null for every other seat): a key lookup, made only
-- for seats held until organizer_hold_until(). Not inlined into the callers (a sub-select never is), but
-- called only inside their CASE, that is for organizer seats.
CREATE FUNCTION organizer_hold_kind(p_hold_id uuid) RETURNS text
  LANGUAGE sql STABLE PARALLEL SAFE
  RETURN (SELECT h.kind FROM hold h WHERE h.id = p_hold_id);

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
           count(*) FILTER (WHERE o.status = 'CONFIRMED') AS confirmed
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

-- As in 20261207130000_sales_counters, with each seat's bucket from sales_seat_bucket(status, kind).
CREATE OR REPLACE FUNCTION sales_event_seat_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO sales_count_delta (event_id, metric, section_id, price_tier_id, value)
    SELECT n.event_id,
           'seats.' || sales_seat_bucket(n.status::text, CASE WHEN n.held_until >= organizer_hold_until()
                                                          THEN organizer_hold_kind(n.hold_id) END),
           s.section_id, n.price_tier_id, count(*)
    FROM new_rows n JOIN seat s ON s.id = n.seat_id
    GROUP BY 1, 2, 3, 4;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO sales_count_delta (event_id, metric, section_id, price_tier_id, value)
    SELECT o.event_id,
           'seats.' || sales_seat_bucket(o.status::text, CASE WHEN o.held_until >= organizer_hold_until()
                                                          THEN organizer_hold_kind(o.hold_id) END),
           s.section_id, o.price_tier_id, -count(*)
    FROM old_rows o JOIN seat s ON s.id = o.seat_id
    GROUP BY 1, 2, 3, 4;
  ELSE
    -- Rows whose bucket and tier did not change cancel out (+1 -1) and write nothing.
    WITH changed AS (
      SELECT n.event_id, n.seat_id, n.status, n.held_until, n.hold_id, n.price_tier_id, 1 AS d FROM new_rows n
      UNION ALL
      SELECT o.event_id, o.seat_id, o.status, o.held_until, o.hold_id, o.price_tier_id, -1 FROM old_rows o
    ), moved AS (
      SELECT c.event_id,
             sales_seat_bucket(c.status::text, CASE WHEN c.held_until >= organizer_hold_until()
                                                THEN organizer_hold_kind(c.hold_id) END) AS bucket,
             s.section_id, c.price_tier_id, sum(c.d) AS value
      FROM changed c
      JOIN seat s ON s.id = c.seat_id
      GROUP BY 1, 2, 3, 4
      HAVING sum(c.d) <> 0
    )
    INSERT INTO sales_count_delta (event_id, metric, section_id, price_tier_id, minute, value)
    SELECT event_id, 'seats.' || bucket, section_id, price_tier_id, 0, value FROM moved
    UNION ALL
    -- Tickets sold per minute: the seats a statement sold (a cancellation is not a negative sale).
    SELECT event_id, 'sold.minute', 0, 0, floor(extract(epoch FROM statement_timestamp()) / 60)::integer, sum(value)
    FROM moved WHERE bucket = 'SOLD' AND value > 0
    GROUP BY event_id;
  END IF;
  RETURN NULL;
END
$$;

-- Standing areas: their capacity and available places, as their rows change (opened, held, released,
-- expired, handed over to tickets, given back by a cancellation).
CREATE FUNCTION sales_event_area_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO sales_count_delta (event_id, metric, section_id, value)
    SELECT n.event_id, m.metric, n.section_id, sum(m.value)
    FROM new_rows n
    CROSS JOIN LATERAL (VALUES ('places.CAPACITY', n.capacity::bigint), ('places.AVAILABLE', n.available::bigint))
      AS m(metric, value)
    GROUP BY 1, 2, 3
    HAVING sum(m.value) <> 0;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO sales_count_delta (event_id, metric, section_id, value)
    SELECT o.event_id, m.metric, o.section_id, -sum(m.value)
    FROM old_rows o
    CROSS JOIN LATERAL (VALUES ('places.CAPACITY', o.capacity::bigint), ('places.AVAILABLE', o.available::bigint))
      AS m(metric, value)
    GROUP BY 1, 2, 3
    HAVING sum(m.value) <> 0;
  ELSE
    INSERT INTO sales_count_delta (event_id, metric, section_id, value)
    SELECT n.event_id, m.metric, n.section_id, sum(m.value)
    FROM new_rows n JOIN old_rows o ON o.event_id = n.event_id AND o.section_id = n.section_id
    CROSS JOIN LATERAL (VALUES ('places.CAPACITY', (n.capacity - o.capacity)::bigint),
                               ('places.AVAILABLE', (n.available - o.available)::bigint)) AS m(metric, value)
    GROUP BY 1, 2, 3
    HAVING sum(m.value) <> 0;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER sales_event_area_inserted AFTER INSERT ON event_area
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sales_event_area_changed();
CREATE TRIGGER sales_event_area_updated AFTER UPDATE ON event_area
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sales_event_area_changed();
CREATE TRIGGER sales_event_area_deleted AFTER DELETE ON event_area
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sales_event_area_changed();

-- Standing tickets: issued valid at checkout (places sold, and tickets sold this minute), voided by a
-- cancellation, a refund or the event's cancellation. Seated tickets are counted by their seats.
CREATE FUNCTION sales_ticket_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sales_count_delta (event_id, metric, section_id, minute, value)
  SELECT n.event_id, m.metric, m.section_id, m.minute, count(*)
  FROM new_rows n
  CROSS JOIN LATERAL (VALUES
    ('places.SOLD', n.area_id, 0),
    ('sold.minute', 0, floor(extract(epoch FROM statement_timestamp()) / 60)::integer)
  ) AS m(metric, section_id, minute)
  WHERE n.area_id IS NOT NULL AND n.status = 'VALID'
  GROUP BY 1, 2, 3, 4;
  RETURN NULL;
END
$$;

CREATE TRIGGER sales_ticket_inserted AFTER INSERT ON ticket
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sales_ticket_inserted();

-- As in 20261207130000_sales_counters (tickets scanned at the door), and standing tickets voided or
-- made valid again.
CREATE OR REPLACE FUNCTION sales_ticket_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sales_count_delta (event_id, metric, section_id, value)
  SELECT n.event_id, m.metric, m.section_id, sum(m.value)
  FROM new_rows n JOIN old_rows o ON o.id = n.id
  CROSS JOIN LATERAL (VALUES
    ('tickets.checked_in', 0, CASE WHEN (o.used_at IS NULL) = (n.used_at IS NULL) THEN 0
                                   WHEN n.used_at IS NULL THEN -1 ELSE 1 END),
    ('places.SOLD', n.area_id, CASE WHEN n.area_id IS NULL OR (o.status = 'VALID') = (n.status = 'VALID') THEN 0
                                    WHEN n.status = 'VALID' THEN 1 ELSE -1 END)
  ) AS m(metric, section_id, value)
  WHERE m.value <> 0
  GROUP BY 1, 2, 3;
  RETURN NULL;
END
$$;

-- As in 20261207130000_sales_counters, also locking the tables the standing counts come from, and
-- keeping the per-minute deltas not folded yet (a history: the rows cannot tell it again).
CREATE OR REPLACE FUNCTION sales_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('sales_fold', 0));
  LOCK TABLE event_seat, hold, event_area, "order", ticket IN SHARE MODE;
  DELETE FROM sales_count_delta WHERE minute = 0;
  DELETE FROM sales_count WHERE minute = 0;
  INSERT INTO sales_count (event_id, metric, section_id, price_tier_id, value)
  SELECT e.id, t.metric, t.section_id, t.price_tier_id, t.value
  FROM event e CROSS JOIN LATERAL sales_truth(e.id) t;
END
$$;

SELECT sales_rebuild();

-- Standing tickets sold per minute before now (the seat trigger counted only seats).
INSERT INTO sales_count AS c (event_id, metric, minute, value)
SELECT event_id, 'sold.minute', floor(extract(epoch FROM created_at) / 60)::integer, count(*)
FROM ticket WHERE area_id IS NOT NULL
GROUP BY 1, 3
ON CONFLICT (event_id, metric, section_id, price_tier_id, minute) DO UPDATE SET value = c.value + excluded.value;
