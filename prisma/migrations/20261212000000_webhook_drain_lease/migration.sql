-- Webhook drains do less per delivery (webhook-store.ts; docs/benchmarks.md, "Webhook delivery").
--
-- A drain leases its endpoint for a round instead of claiming each delivery of the round: one row write
-- per round, not one per delivery (each of which also rewrote the table's indexes).
ALTER TABLE "webhook_endpoint" ADD COLUMN "drain_id" UUID, ADD COLUMN "drain_until" TIMESTAMPTZ(3);
ALTER TABLE "webhook_delivery" DROP COLUMN "sending_until";

-- A drain finds each order's earliest pending delivery by sorting its window of pending deliveries, no
-- longer by a lookup per delivery in this index, which every delivery wrote and rewrote for nothing.
DROP INDEX "webhook_delivery_endpoint_id_order_key_outbox_event_id_idx";
