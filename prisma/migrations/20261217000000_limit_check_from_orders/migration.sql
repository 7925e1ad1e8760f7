-- The per-account limit check (tickets_used_by, inside every batch of holds) must reach a fan's sold
-- seats and standing tickets from the fan's orders, whatever the statistics say. It joined "order" to
-- event_seat (and to ticket) and left the join order to the planner, whose estimates come from the
-- statistics of the moment. With few seats SOLD and the orders' statistics saying that a fan has many
-- orders (one account holding most of them: a box office, an import, the cancellation bench's 10,000
-- one-fan orders), it walked every SOLD seat of every event through event_seat's (event_id, status)
-- index and joined each to its order: about 1 ms per fan per batch, which made `pnpm bench ga` fail at
-- 500/s (Postgres 1.63 ms per hold) where it passed 2,000/s (0.30 ms) with healthy statistics.
--
-- Now:
-- - Each count is an aggregate per order in a LATERAL subquery. A subquery with an aggregate is never
--   pulled up into the join, so the plan starts from the fan's orders of the event and probes each order's
--   seats and valid standing tickets (by order: event_seat_order_id_idx, ticket_valid_by_order).
-- - The function plans without sequential scans (SET enable_seqscan = off, for its own statements only):
--   statistics that say every fan has thousands of orders make reading the whole table look cheaper.
--   And without JIT (SET jit = off): the same statistics put the plan's estimate (for orders it will not
--   find) above jit_above_cost, and compiling it took ~15 ms on every call, for a query of ~0.03 ms.
-- - The orders' index on event_id alone becomes (event_id, user_id): with such statistics the planner
--   took it to find a fan's orders, reading every order of the event. Now every index on "order" it can
--   use for the check (user_id first, or both) finds the fan's own orders, and queries by event alone use
--   the new index's first column as they used the old one.
-- The check then costs the fan's own orders, whatever the rest of the tables hold. What counts is
-- unchanged (20261216000000_hold_batch_writes): live holds, sold seats, valid standing tickets.
CREATE INDEX "order_event_id_user_id_idx" ON "order" ("event_id", "user_id");
DROP INDEX "order_event_id_idx";

CREATE OR REPLACE FUNCTION tickets_used_by(p_user_ids uuid[], p_event_ids integer[])
RETURNS TABLE (fan_id uuid, event integer, used integer)
LANGUAGE plpgsql STABLE
SET enable_seqscan = off
SET jit = off
AS $$
BEGIN
  RETURN QUERY
  SELECT f.fan_id, f.event, (
    (SELECT coalesce(sum(cardinality(h.seat_ids) + h.area_quantity), 0) FROM hold h
     WHERE h.user_id = f.fan_id AND h.event_id = f.event AND h.state = 'ACTIVE' AND h.expires_at > now())
    +
    (SELECT coalesce(sum(sold.seats + standing.tickets), 0)
     FROM "order" o
     CROSS JOIN LATERAL (SELECT count(*) AS seats FROM event_seat es
                         WHERE es.order_id = o.id AND es.status = 'SOLD') sold
     CROSS JOIN LATERAL (SELECT count(*) AS tickets FROM ticket t
                         WHERE t.order_id = o.id AND t.area_id IS NOT NULL AND t.status = 'VALID') standing
     WHERE o.user_id = f.fan_id AND o.event_id = f.event)
  )::integer
  FROM (SELECT DISTINCT u.fan_id, u.event FROM unnest(p_user_ids, p_event_ids) AS u(fan_id, event)) f;
END
$$;
