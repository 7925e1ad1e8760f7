-- The ticket insert trigger counts standing tickets only (the seats' trigger counts seated sales), but as a
-- statement-level trigger it ran, and built its transition table, for the tickets of every checkout and
-- wrote nothing for seated ones. A row-level trigger whose WHEN names standing tickets runs for those
-- alone; the deltas it appends per ticket are summed by the fold like any others.

DROP TRIGGER sales_ticket_inserted ON ticket;

-- As in 20261214000000_order_origin, for one valid standing ticket (the trigger's WHEN).
CREATE OR REPLACE FUNCTION sales_ticket_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO sales_count_delta (event_id, metric, section_id, minute, value)
  SELECT NEW.event_id, 'places.SOLD', NEW.area_id, 0, 1
  UNION ALL
  -- A transfer re-issues tickets sold before: places, not a sale.
  SELECT NEW.event_id, 'sold.minute', 0, floor(extract(epoch FROM statement_timestamp()) / 60)::integer, 1
  WHERE NOT EXISTS (SELECT FROM "order" o WHERE o.id = NEW.order_id AND o.origin = 'TRANSFER');
  RETURN NULL;
END
$$;

CREATE TRIGGER sales_ticket_inserted AFTER INSERT ON ticket
  FOR EACH ROW WHEN (NEW.area_id IS NOT NULL AND NEW.status = 'VALID') EXECUTE FUNCTION sales_ticket_inserted();
