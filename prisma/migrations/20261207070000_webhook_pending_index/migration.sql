-- An endpoint's drain (modules/webhooks/webhook-delivery.ts) takes its pending deliveries in outbox order:
-- this partial index finds them without walking the endpoint's delivered history.
CREATE INDEX "webhook_delivery_pending_idx" ON "webhook_delivery" ("endpoint_id", "outbox_event_id")
  WHERE "status" = 'PENDING';
