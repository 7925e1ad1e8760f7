-- Background jobs run on graphile-worker (its own schema, migrated by graphile-worker itself). Each API
-- instance records the ids of its job workers here with a heartbeat, so that the jobs a crashed instance
-- had locked are unlocked by the others (docs/architecture.md, "Background work").
CREATE TABLE "job_worker_heartbeat" (
    "instance_id" TEXT NOT NULL,
    "worker_ids" TEXT[],
    "seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "job_worker_heartbeat_pkey" PRIMARY KEY ("instance_id")
);

-- Webhooks (docs/partners.md): endpoints registered by organizers, one delivery per endpoint and
-- outbox event, one attempt row per HTTP request made.
CREATE TABLE "webhook_endpoint" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "event_id" INTEGER,
    "url" TEXT NOT NULL,
    "event_types" TEXT[],
    "secret" TEXT NOT NULL,
    "previous_secret" TEXT,
    "previous_secret_expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disabled_at" TIMESTAMPTZ(3),
    "disabled_reason" TEXT,
    CONSTRAINT "webhook_endpoint_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "webhook_delivery" (
    "id" UUID NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "outbox_event_id" BIGINT NOT NULL,
    "event_type" TEXT NOT NULL,
    -- Deliveries with the same key (one order's events) reach an endpoint in outbox order.
    "order_key" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    -- Automatic retries go on until this plus WEBHOOK_RETRY_WINDOW_MS (a manual redelivery restarts it).
    "retrying_since" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "next_attempt_at" TIMESTAMPTZ(3),
    -- Set while one worker makes a request for it: a second job for the same delivery waits, not sends.
    "sending_until" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "last_status_code" INTEGER,
    "last_error" TEXT,
    CONSTRAINT "webhook_delivery_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "webhook_delivery_status_check" CHECK ("status" IN ('PENDING', 'DELIVERED', 'FAILED'))
);

CREATE TABLE "webhook_attempt" (
    "id" BIGSERIAL NOT NULL,
    "delivery_id" UUID NOT NULL,
    "attempted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status_code" INTEGER,
    "error" TEXT,
    "duration_ms" INTEGER NOT NULL,
    CONSTRAINT "webhook_attempt_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "webhook_endpoint_owner_id_idx" ON "webhook_endpoint"("owner_id");
CREATE INDEX "webhook_endpoint_event_id_idx" ON "webhook_endpoint"("event_id");
CREATE UNIQUE INDEX "webhook_delivery_endpoint_id_outbox_event_id_key" ON "webhook_delivery"("endpoint_id", "outbox_event_id");
CREATE INDEX "webhook_delivery_endpoint_id_order_key_outbox_event_id_idx" ON "webhook_delivery"("endpoint_id", "order_key", "outbox_event_id");
CREATE INDEX "webhook_attempt_delivery_id_idx" ON "webhook_attempt"("delivery_id");

ALTER TABLE "webhook_endpoint" ADD CONSTRAINT "webhook_endpoint_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "user_account"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "webhook_endpoint" ADD CONSTRAINT "webhook_endpoint_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "event"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "webhook_delivery" ADD CONSTRAINT "webhook_delivery_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoint"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "webhook_attempt" ADD CONSTRAINT "webhook_attempt_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "webhook_delivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;
