-- Running sales counters (docs/sales.md) and door staff (docs/checkin.md).
--
-- The dashboard's figures are counters kept by statement-level triggers with transition tables, in the
-- transaction of every change of event_seat, "order" and ticket: a statement that holds, sells or
-- releases seats adds one delta row per (event, metric, section, tier) it moved, so a hold of four seats
-- adds two rows (AVAILABLE -4, HELD +4) whatever the event's size. The deltas are INSERTs only: no
-- transaction waits on another's counter row, and no lock order between counter rows can deadlock (the
-- hold batches of place_holds touch sections in any order). sales_fold() moves them into sales_count,
-- one folder at a time; readers add sales_count and the deltas not folded yet in one statement (one
-- snapshot), so a figure is right whether or not the fold has run.

CREATE TABLE sales_count (
  event_id      integer NOT NULL,
  metric        text    NOT NULL,
  section_id    integer NOT NULL DEFAULT 0,
  price_tier_id integer NOT NULL DEFAULT 0,
  -- Minutes since the Unix epoch for per-minute metrics (sold.minute); 0 for running totals.
  minute        integer NOT NULL DEFAULT 0,
  value         bigint  NOT NULL,
  CONSTRAINT sales_count_pkey PRIMARY KEY (event_id, metric, section_id, price_tier_id, minute)
);

CREATE TABLE sales_count_delta (
  id            bigserial NOT NULL,
  event_id      integer NOT NULL,
  metric        text    NOT NULL,
  section_id    integer NOT NULL DEFAULT 0,
  price_tier_id integer NOT NULL DEFAULT 0,
  minute        integer NOT NULL DEFAULT 0,
  value         bigint  NOT NULL,
  CONSTRAINT sales_count_delta_pkey PRIMARY KEY (id)
);
CREATE INDEX sales_count_delta_event_id_idx ON sales_count_delta (event_id);

-- What a seat row counts as on the dashboard: its status. The one place that decides it: kills and house
-- seats (the events module) are counted by making this return 'OFF_SALE' / 'HOUSE' for them (replace the
-- function, then rebuild the counters with sales_rebuild() in the same migration).
CREATE FUNCTION sales_seat_bucket(es event_seat) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN es.status::text;

-- The truth the counters must equal, recounted from the rows (tests compare; sales_rebuild() writes it).
-- Running totals only: sold.minute is a history, checked against the tickets issued.
CREATE FUNCTION sales_truth(p_event_id integer)
RETURNS TABLE (metric text, section_id integer, price_tier_id integer, value bigint)
LANGUAGE sql STABLE AS $$
  SELECT 'seats.' || sales_seat_bucket(es), s.section_id, es.price_tier_id, count(*)
  FROM event_seat es JOIN seat s ON s.id = es.seat_id
  WHERE es.event_id = p_event_id
  GROUP BY 1, 2, 3
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

-- Seat rows inserted, updated (holds, sales, releases, expiries, price changes) or deleted.
CREATE FUNCTION sales_event_seat_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO sales_count_delta (event_id, metric, section_id, price_tier_id, value)
    SELECT n.event_id, 'seats.' || sales_seat_bucket(n), s.section_id, n.price_tier_id, count(*)
    FROM new_rows n JOIN seat s ON s.id = n.seat_id
    GROUP BY 1, 2, 3, 4;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO sales_count_delta (event_id, metric, section_id, price_tier_id, value)
    SELECT o.event_id, 'seats.' || sales_seat_bucket(o), s.section_id, o.price_tier_id, -count(*)
    FROM old_rows o JOIN seat s ON s.id = o.seat_id
    GROUP BY 1, 2, 3, 4;
  ELSE
    -- Rows whose bucket and tier did not change cancel out (+1 -1) and write nothing.
    WITH moved AS (
      SELECT c.event_id, c.bucket, s.section_id, c.price_tier_id, sum(c.d) AS value
      FROM (
        SELECT n.event_id, n.seat_id, sales_seat_bucket(n) AS bucket, n.price_tier_id, 1 AS d FROM new_rows n
        UNION ALL
        SELECT o.event_id, o.seat_id, sales_seat_bucket(o), o.price_tier_id, -1 FROM old_rows o
      ) c
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

CREATE TRIGGER sales_event_seat_inserted AFTER INSERT ON event_seat
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sales_event_seat_changed();
CREATE TRIGGER sales_event_seat_updated AFTER UPDATE ON event_seat
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sales_event_seat_changed();
CREATE TRIGGER sales_event_seat_deleted AFTER DELETE ON event_seat
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sales_event_seat_changed();

-- Money, from orders entering or leaving CONFIRMED: gross counts what buyers paid (kept after a refund),
-- refunds what went back, fees the fees of orders still confirmed; net = gross - refunds - fees.
CREATE FUNCTION sales_order_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO sales_count_delta (event_id, metric, value)
    SELECT n.event_id, m.metric, sum(m.value)
    FROM new_rows n
    CROSS JOIN LATERAL (VALUES ('money.gross', n.total_minor::bigint), ('money.fees', n.fees_minor::bigint),
                               ('orders.confirmed', 1::bigint)) AS m(metric, value)
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
      ('orders.confirmed', CASE WHEN n.status = 'CONFIRMED' THEN 1 ELSE -1 END::bigint)) AS m(metric, value)
    WHERE o.status IS DISTINCT FROM n.status AND (o.status = 'CONFIRMED' OR n.status = 'CONFIRMED')
    GROUP BY 1, 2
    HAVING sum(m.value) <> 0;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER sales_order_inserted AFTER INSERT ON "order"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sales_order_changed();
CREATE TRIGGER sales_order_updated AFTER UPDATE ON "order"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sales_order_changed();

-- Tickets scanned at the door (first use).
CREATE FUNCTION sales_ticket_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sales_count_delta (event_id, metric, value)
  SELECT n.event_id, 'tickets.checked_in', sum(CASE WHEN n.used_at IS NULL THEN -1 ELSE 1 END)
  FROM new_rows n JOIN old_rows o ON o.id = n.id
  WHERE (o.used_at IS NULL) <> (n.used_at IS NULL)
  GROUP BY 1;
  RETURN NULL;
END
$$;

CREATE TRIGGER sales_ticket_updated AFTER UPDATE ON ticket
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sales_ticket_changed();

-- Moves the deltas into sales_count, at most p_limit of them, oldest first; one folder at a time (the
-- others return at once: readers add the deltas anyway). Returns how many deltas it moved.
CREATE FUNCTION sales_fold(p_limit integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  v_moved integer;
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtextextended('sales_fold', 0)) THEN RETURN 0; END IF;
  WITH moved AS (
    DELETE FROM sales_count_delta d
    WHERE d.id IN (SELECT id FROM sales_count_delta ORDER BY id LIMIT p_limit)
    RETURNING d.event_id, d.metric, d.section_id, d.price_tier_id, d.minute, d.value
  ), summed AS (
    SELECT event_id, metric, section_id, price_tier_id, minute, sum(value) AS value, count(*) AS n
    FROM moved GROUP BY 1, 2, 3, 4, 5
  ), folded AS (
    INSERT INTO sales_count AS c (event_id, metric, section_id, price_tier_id, minute, value)
    SELECT event_id, metric, section_id, price_tier_id, minute, value FROM summed
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (event_id, metric, section_id, price_tier_id, minute)
    DO UPDATE SET value = c.value + excluded.value
  )
  SELECT coalesce(sum(n), 0) INTO v_moved FROM summed;
  RETURN v_moved;
END
$$;

-- Writes the counters of every event from the rows (this migration; a later one that changes
-- sales_seat_bucket). Takes the fold's lock, and locks the counted tables against writes while it runs.
CREATE FUNCTION sales_rebuild() RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('sales_fold', 0));
  LOCK TABLE event_seat, "order", ticket IN SHARE MODE;
  DELETE FROM sales_count_delta;
  DELETE FROM sales_count WHERE minute = 0;
  INSERT INTO sales_count (event_id, metric, section_id, price_tier_id, value)
  SELECT e.id, t.metric, t.section_id, t.price_tier_id, t.value
  FROM event e CROSS JOIN LATERAL sales_truth(e.id) t;
END
$$;

SELECT sales_rebuild();

-- Tickets sold per minute before the counters existed: from the tickets issued.
INSERT INTO sales_count (event_id, metric, minute, value)
SELECT event_id, 'sold.minute', floor(extract(epoch FROM created_at) / 60)::integer, count(*)
FROM ticket GROUP BY 1, 3
ON CONFLICT DO NOTHING;

-- Door staff (docs/checkin.md): accounts an event's organizer invited to scan that event's tickets, by
-- e-mail, so an invitation made before the account exists applies when it signs up with that address.
CREATE TABLE event_door_staff (
  event_id   integer NOT NULL,
  email      text    NOT NULL,
  invited_by uuid,
  created_at timestamptz(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT event_door_staff_pkey PRIMARY KEY (event_id, email),
  CONSTRAINT event_door_staff_email_lower CHECK (email = lower(email)),
  CONSTRAINT event_door_staff_event_id_fkey FOREIGN KEY (event_id) REFERENCES event (id) ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX event_door_staff_email_idx ON event_door_staff (email);
