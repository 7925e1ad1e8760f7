-- The orders' sales counters (docs/sales.md) move only when an order enters or leaves CONFIRMED, but the
-- statement-level triggers ran on every insert and update of "order": a checkout's PENDING insert and its
-- payment-state updates paid for a trigger run (and its transition tables) that wrote nothing. Row-level
-- triggers whose WHEN says when they count are not even queued otherwise. Every statement that changes an
-- order's status changes one order, so nothing is lost by counting row by row.

DROP TRIGGER sales_order_inserted ON "order";
DROP TRIGGER sales_order_updated ON "order";

-- As in 20261214000000_order_origin, for one order entering or leaving CONFIRMED (the triggers' WHEN).
CREATE OR REPLACE FUNCTION sales_order_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'CONFIRMED' THEN
    INSERT INTO sales_count_delta (event_id, metric, value)
    SELECT NEW.event_id, m.metric, m.value
    FROM (VALUES ('money.gross', NEW.total_minor::bigint), ('money.fees', NEW.fees_minor::bigint),
                 ('orders.confirmed', (NEW.origin <> 'TRANSFER')::int::bigint)) AS m(metric, value)
    WHERE m.value <> 0;
  ELSE
    INSERT INTO sales_count_delta (event_id, metric, value)
    SELECT NEW.event_id, m.metric, m.value
    FROM (VALUES ('money.fees', -OLD.fees_minor::bigint), ('money.refunds', OLD.total_minor::bigint),
                 ('orders.confirmed', -(NEW.origin <> 'TRANSFER')::int::bigint)) AS m(metric, value)
    WHERE m.value <> 0;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER sales_order_inserted AFTER INSERT ON "order"
  FOR EACH ROW WHEN (NEW.status = 'CONFIRMED') EXECUTE FUNCTION sales_order_changed();
CREATE TRIGGER sales_order_updated AFTER UPDATE OF status ON "order"
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status AND (OLD.status = 'CONFIRMED' OR NEW.status = 'CONFIRMED'))
  EXECUTE FUNCTION sales_order_changed();
