-- Ticket transfers (docs/transfers.md) and the waitlist (docs/waitlist.md).

-- The organizer's settings (defaults: transfers allowed until the start; offers hold seats 30 minutes).
ALTER TABLE "event"
    ADD COLUMN "transfers_allowed" BOOLEAN NOT NULL DEFAULT true,
    ADD COLUMN "transfer_cutoff_hours" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "waitlist_enabled" BOOLEAN NOT NULL DEFAULT true,
    ADD COLUMN "waitlist_offer_seconds" INTEGER NOT NULL DEFAULT 1800,
    ADD CONSTRAINT "event_transfer_cutoff_hours_check" CHECK ("transfer_cutoff_hours" >= 0),
    ADD CONSTRAINT "event_waitlist_offer_seconds_check" CHECK ("waitlist_offer_seconds" >= 1);

CREATE TYPE "TransferState" AS ENUM ('PENDING', 'ACCEPTED', 'CANCELLED');

CREATE TABLE "ticket_transfer" (
    "id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "event_id" INTEGER NOT NULL,
    "from_user_id" UUID NOT NULL,
    "to_email" TEXT NOT NULL,
    "to_user_id" UUID,
    "ticket_ids" UUID[],
    "new_order_id" UUID,
    "new_ticket_ids" UUID[] DEFAULT ARRAY[]::UUID[],
    "state" "TransferState" NOT NULL DEFAULT 'PENDING',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "accepted_at" TIMESTAMPTZ(3),
    "cancelled_at" TIMESTAMPTZ(3),

    CONSTRAINT "ticket_transfer_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ticket_transfer_tickets_check" CHECK (cardinality("ticket_ids") > 0),
    CONSTRAINT "ticket_transfer_to_email_check" CHECK ("to_email" = lower("to_email")),
    -- An accepted transfer names its recipient and the order it made; only then.
    CONSTRAINT "ticket_transfer_accepted_check" CHECK (
        ("state" = 'ACCEPTED') = ("accepted_at" IS NOT NULL AND "to_user_id" IS NOT NULL AND "new_order_id" IS NOT NULL)),
    CONSTRAINT "ticket_transfer_cancelled_check" CHECK (("state" = 'CANCELLED') = ("cancelled_at" IS NOT NULL))
);

CREATE INDEX "ticket_transfer_order_id_idx" ON "ticket_transfer"("order_id");
CREATE INDEX "ticket_transfer_event_id_created_at_idx" ON "ticket_transfer"("event_id", "created_at");
CREATE INDEX "ticket_transfer_from_user_id_created_at_idx" ON "ticket_transfer"("from_user_id", "created_at" DESC);
CREATE INDEX "ticket_transfer_to_email_state_idx" ON "ticket_transfer"("to_email", "state");

ALTER TABLE "ticket_transfer" ADD CONSTRAINT "ticket_transfer_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "order"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "ticket_transfer" ADD CONSTRAINT "ticket_transfer_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "event"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "ticket_transfer" ADD CONSTRAINT "ticket_transfer_from_user_id_fkey" FOREIGN KEY ("from_user_id") REFERENCES "user_account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "ticket_transfer" ADD CONSTRAINT "ticket_transfer_to_user_id_fkey" FOREIGN KEY ("to_user_id") REFERENCES "user_account"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "ticket_transfer" ADD CONSTRAINT "ticket_transfer_new_order_id_fkey" FOREIGN KEY ("new_order_id") REFERENCES "order"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TYPE "WaitlistState" AS ENUM ('WAITING', 'OFFERED', 'CLAIMED', 'LAPSED', 'LEFT');

CREATE TABLE "waitlist_entry" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "event_id" INTEGER NOT NULL,
    "user_id" UUID NOT NULL,
    "price_tier_id" INTEGER,
    "quantity" INTEGER NOT NULL,
    "state" "WaitlistState" NOT NULL DEFAULT 'WAITING',
    "hold_id" UUID,
    "offer_expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "offered_at" TIMESTAMPTZ(3),
    "ended_at" TIMESTAMPTZ(3),

    CONSTRAINT "waitlist_entry_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "waitlist_entry_quantity_check" CHECK ("quantity" >= 1),
    -- An offer is a hold of the fan's, with an end.
    CONSTRAINT "waitlist_entry_offer_check" CHECK (
        "state" NOT IN ('OFFERED', 'CLAIMED') OR ("hold_id" IS NOT NULL AND "offer_expires_at" IS NOT NULL)),
    CONSTRAINT "waitlist_entry_ended_check" CHECK (("state" IN ('WAITING', 'OFFERED')) = ("ended_at" IS NULL))
);

CREATE UNIQUE INDEX "waitlist_entry_seq_key" ON "waitlist_entry"("seq");
CREATE INDEX "waitlist_entry_event_id_state_seq_idx" ON "waitlist_entry"("event_id", "state", "seq");
CREATE INDEX "waitlist_entry_user_id_created_at_idx" ON "waitlist_entry"("user_id", "created_at" DESC);
CREATE INDEX "waitlist_entry_hold_id_idx" ON "waitlist_entry"("hold_id");
-- One live place per fan and event (Prisma cannot express a partial unique index).
CREATE UNIQUE INDEX "waitlist_entry_live_by_fan_key" ON "waitlist_entry"("event_id", "user_id")
    WHERE "state" IN ('WAITING', 'OFFERED');
-- The line of each event (the scan for waitlists with work, positions, the next fans to offer to).
CREATE INDEX "waitlist_entry_waiting_idx" ON "waitlist_entry"("event_id", "seq") WHERE "state" = 'WAITING';
-- Offers by expiry, for the lapse check.
CREATE INDEX "waitlist_entry_offer_expiry_idx" ON "waitlist_entry"("offer_expires_at") WHERE "state" = 'OFFERED';

ALTER TABLE "waitlist_entry" ADD CONSTRAINT "waitlist_entry_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "event"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "waitlist_entry" ADD CONSTRAINT "waitlist_entry_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "user_account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "waitlist_entry" ADD CONSTRAINT "waitlist_entry_price_tier_id_fkey" FOREIGN KEY ("price_tier_id") REFERENCES "price_tier"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "waitlist_entry" ADD CONSTRAINT "waitlist_entry_hold_id_fkey" FOREIGN KEY ("hold_id") REFERENCES "hold"("id") ON DELETE SET NULL ON UPDATE CASCADE;
