-- The organizer's event life cycle (docs/organizers.md): sale end, per-row and per-seat prices,
-- organizer holds (house seats and kills), refunds of some or all of an order's tickets, and the
-- cancellation of a whole event with its progress.

-- Optional end of sales (null: sales run until the show starts).
ALTER TABLE "event" ADD COLUMN "sale_ends_at" TIMESTAMPTZ(3);
ALTER TABLE "event" ADD CONSTRAINT "event_sale_end_after_start" CHECK (
    "sale_ends_at" IS NULL OR ("sale_ends_at" > "sale_starts_at" AND "sale_ends_at" <= "starts_at"));

-- Who a hold is for: a fan (expires), or the organizer: house seats (HOUSE) and seats taken off sale
-- (KILL) never expire (their held_until is far ahead), so every path that claims seats refuses them as
-- it refuses any live hold, and the holds hot path needs no change.
ALTER TABLE "hold" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'FAN';
ALTER TABLE "hold" ADD COLUMN "label" TEXT;
ALTER TABLE "hold" ADD CONSTRAINT "hold_kind_known" CHECK ("kind" IN ('FAN', 'HOUSE', 'KILL'));

-- A tier for single seats or rows, over the section's tier (section_pricing).
CREATE TABLE "seat_pricing" (
    "event_id" INTEGER NOT NULL,
    "seat_id" INTEGER NOT NULL,
    "price_tier_id" INTEGER NOT NULL,
    CONSTRAINT "seat_pricing_pkey" PRIMARY KEY ("event_id", "seat_id")
);
CREATE INDEX "seat_pricing_price_tier_id_idx" ON "seat_pricing"("price_tier_id");
ALTER TABLE "seat_pricing" ADD CONSTRAINT "seat_pricing_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "event"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "seat_pricing" ADD CONSTRAINT "seat_pricing_seat_id_fkey" FOREIGN KEY ("seat_id") REFERENCES "seat"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "seat_pricing" ADD CONSTRAINT "seat_pricing_price_tier_id_fkey" FOREIGN KEY ("price_tier_id") REFERENCES "price_tier"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A refund of some or all of an order's tickets: recorded (PENDING) in the transaction that voids the
-- tickets, so each ticket is refunded once; the provider is called with the refund's id (idempotent),
-- then the refund is marked REFUNDED.
CREATE TABLE "order_refund" (
    "id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "event_id" INTEGER NOT NULL,
    "ticket_ids" UUID[] NOT NULL,
    "amount_minor" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "reason" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'PENDING',
    "actor_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "refunded_at" TIMESTAMPTZ(3),
    CONSTRAINT "order_refund_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "order_refund_amount_non_negative" CHECK ("amount_minor" >= 0),
    CONSTRAINT "order_refund_state_known" CHECK ("state" IN ('PENDING', 'REFUNDED')),
    CONSTRAINT "order_refund_refunded_at_iff_refunded" CHECK (("state" = 'REFUNDED') = ("refunded_at" IS NOT NULL))
);
CREATE INDEX "order_refund_order_id_idx" ON "order_refund"("order_id");
CREATE INDEX "order_refund_event_id_state_idx" ON "order_refund"("event_id", "state");
ALTER TABLE "order_refund" ADD CONSTRAINT "order_refund_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "order"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "order_refund" ADD CONSTRAINT "order_refund_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "event"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- An event's cancellation: the reason, and how many orders its refund job has to refund.
CREATE TABLE "event_cancellation" (
    "event_id" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "actor_id" UUID,
    "total_orders" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),
    CONSTRAINT "event_cancellation_pkey" PRIMARY KEY ("event_id")
);
ALTER TABLE "event_cancellation" ADD CONSTRAINT "event_cancellation_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "event"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The fake gateway's refunds, by the refund id the caller gives (a second call with it refunds nothing).
CREATE TABLE "fake_gateway_refund" (
    "refund_id" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "amount_minor" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "fake_gateway_refund_pkey" PRIMARY KEY ("refund_id")
);
CREATE INDEX "fake_gateway_refund_reference_idx" ON "fake_gateway_refund"("reference");
