-- Frontrow's initial schema. Written by hand to match prisma/schema.prisma (names follow Prisma's
-- conventions so that `prisma migrate diff` agrees); CHECK constraints and partial indexes add the
-- guards Prisma's schema language cannot express.

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('FAN', 'ORGANIZER', 'ADMIN');
CREATE TYPE "SectionKind" AS ENUM ('SEATED');
CREATE TYPE "EventStatus" AS ENUM ('DRAFT', 'ON_SALE', 'SOLD_OUT', 'CANCELLED', 'ENDED');
CREATE TYPE "SeatStatus" AS ENUM ('AVAILABLE', 'HELD', 'SOLD');
CREATE TYPE "HoldState" AS ENUM ('ACTIVE', 'RELEASED', 'EXPIRED', 'CONVERTED');
CREATE TYPE "OrderStatus" AS ENUM ('PENDING', 'CONFIRMED', 'FAILED', 'CANCELLED');
CREATE TYPE "PaymentState" AS ENUM ('NONE', 'AUTHORIZING', 'AUTHORIZED', 'CAPTURED', 'VOIDED', 'REFUNDED', 'DECLINED');
CREATE TYPE "TicketStatus" AS ENUM ('VALID', 'VOID');

-- CreateTable
CREATE TABLE "user_account" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "name" TEXT,
    "role" "Role" NOT NULL DEFAULT 'FAN',
    "blocked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "user_account_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "user_account_email_lowercase" CHECK ("email" = lower("email"))
);

CREATE TABLE "venue" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "city" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "timezone" TEXT NOT NULL,
    "stage_label" TEXT NOT NULL DEFAULT 'STAGE',
    "stage_x" REAL NOT NULL DEFAULT 0,
    "stage_y" REAL NOT NULL DEFAULT 0,
    "stage_width" REAL NOT NULL DEFAULT 0,
    "stage_height" REAL NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "venue_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "section" (
    "id" SERIAL NOT NULL,
    "venue_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "SectionKind" NOT NULL DEFAULT 'SEATED',
    "sort_order" INTEGER NOT NULL,
    CONSTRAINT "section_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "seat" (
    "id" SERIAL NOT NULL,
    "section_id" INTEGER NOT NULL,
    "row_label" TEXT NOT NULL,
    "row_rank" INTEGER NOT NULL,
    "number" INTEGER NOT NULL,
    "x" REAL NOT NULL,
    "y" REAL NOT NULL,
    "accessible" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "seat_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "seat_number_positive" CHECK ("number" > 0 AND "row_rank" >= 0)
);

CREATE TABLE "performer" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    CONSTRAINT "performer_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "event" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "category" TEXT NOT NULL,
    "performer_id" INTEGER NOT NULL,
    "venue_id" INTEGER NOT NULL,
    "organizer_id" UUID,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "sale_starts_at" TIMESTAMPTZ(3) NOT NULL,
    "status" "EventStatus" NOT NULL DEFAULT 'DRAFT',
    "currency" CHAR(3) NOT NULL DEFAULT 'EUR',
    "hold_seconds" INTEGER NOT NULL DEFAULT 600,
    "max_tickets_per_account" INTEGER NOT NULL DEFAULT 8,
    "fee_per_ticket_minor" INTEGER NOT NULL DEFAULT 0,
    "cancel_cutoff_hours" INTEGER NOT NULL DEFAULT 24,
    "seat_map_version" BIGINT NOT NULL DEFAULT 0,
    "queue_enabled" BOOLEAN NOT NULL DEFAULT false,
    "queue_paused" BOOLEAN NOT NULL DEFAULT false,
    "admission_rate_per_minute" INTEGER NOT NULL DEFAULT 600,
    "max_active_shoppers" INTEGER,
    "shopping_window_seconds" INTEGER NOT NULL DEFAULT 600,
    "pow_difficulty" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "event_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "event_sale_before_start" CHECK ("sale_starts_at" <= "starts_at"),
    CONSTRAINT "event_hold_seconds_range" CHECK ("hold_seconds" BETWEEN 1 AND 86400),
    CONSTRAINT "event_max_tickets_positive" CHECK ("max_tickets_per_account" > 0),
    CONSTRAINT "event_fee_non_negative" CHECK ("fee_per_ticket_minor" >= 0),
    CONSTRAINT "event_admission_rate_non_negative" CHECK ("admission_rate_per_minute" >= 0),
    CONSTRAINT "event_max_active_shoppers_positive" CHECK ("max_active_shoppers" IS NULL OR "max_active_shoppers" > 0),
    CONSTRAINT "event_shopping_window_positive" CHECK ("shopping_window_seconds" > 0),
    CONSTRAINT "event_pow_difficulty_range" CHECK ("pow_difficulty" BETWEEN 0 AND 32),
    CONSTRAINT "event_currency_upper" CHECK ("currency" ~ '^[A-Z]{3}$')
);

CREATE TABLE "price_tier" (
    "id" SERIAL NOT NULL,
    "event_id" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "price_minor" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "sort_order" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "price_tier_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "price_tier_price_non_negative" CHECK ("price_minor" >= 0),
    CONSTRAINT "price_tier_currency_upper" CHECK ("currency" ~ '^[A-Z]{3}$')
);

CREATE TABLE "section_pricing" (
    "event_id" INTEGER NOT NULL,
    "section_id" INTEGER NOT NULL,
    "price_tier_id" INTEGER NOT NULL,
    CONSTRAINT "section_pricing_pkey" PRIMARY KEY ("event_id","section_id")
);

CREATE TABLE "event_seat" (
    "event_id" INTEGER NOT NULL,
    "seat_id" INTEGER NOT NULL,
    "price_tier_id" INTEGER NOT NULL,
    "status" "SeatStatus" NOT NULL DEFAULT 'AVAILABLE',
    "hold_id" UUID,
    "held_until" TIMESTAMPTZ(3),
    "order_id" UUID,
    "version" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "event_seat_pkey" PRIMARY KEY ("event_id","seat_id"),
    -- A seat's status and its references can never disagree.
    CONSTRAINT "event_seat_status_consistent" CHECK (
        ("status" = 'AVAILABLE' AND "hold_id" IS NULL AND "held_until" IS NULL AND "order_id" IS NULL)
     OR ("status" = 'HELD' AND "hold_id" IS NOT NULL AND "held_until" IS NOT NULL AND "order_id" IS NULL)
     OR ("status" = 'SOLD' AND "order_id" IS NOT NULL AND "held_until" IS NULL)
    )
);

CREATE TABLE "hold" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "event_id" INTEGER NOT NULL,
    "state" "HoldState" NOT NULL DEFAULT 'ACTIVE',
    "seat_ids" INTEGER[],
    "seat_prices" INTEGER[],
    "total_minor" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMPTZ(3),
    CONSTRAINT "hold_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "hold_seats_priced" CHECK (
        "seat_ids" IS NOT NULL AND "seat_prices" IS NOT NULL
        AND cardinality("seat_ids") > 0 AND cardinality("seat_ids") = cardinality("seat_prices")
    ),
    CONSTRAINT "hold_total_non_negative" CHECK ("total_minor" >= 0)
);

CREATE TABLE "order" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "event_id" INTEGER NOT NULL,
    "hold_id" UUID NOT NULL,
    "status" "OrderStatus" NOT NULL DEFAULT 'PENDING',
    "payment_state" "PaymentState" NOT NULL DEFAULT 'NONE',
    "subtotal_minor" INTEGER NOT NULL,
    "fees_minor" INTEGER NOT NULL,
    "total_minor" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "cancelled_at" TIMESTAMPTZ(3),
    CONSTRAINT "order_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "order_total_adds_up" CHECK ("total_minor" = "subtotal_minor" + "fees_minor" AND "subtotal_minor" >= 0 AND "fees_minor" >= 0),
    CONSTRAINT "order_idempotency_key_length" CHECK (char_length("idempotency_key") BETWEEN 1 AND 255)
);

CREATE TABLE "payment" (
    "id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "amount_minor" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "state" "PaymentState" NOT NULL,
    "provider_ref" TEXT,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "payment_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "ticket" (
    "id" UUID NOT NULL,
    "order_id" UUID NOT NULL,
    "event_id" INTEGER NOT NULL,
    "seat_id" INTEGER NOT NULL,
    "price_minor" INTEGER NOT NULL,
    "status" "TicketStatus" NOT NULL DEFAULT 'VALID',
    "secret" BYTEA NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ticket_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "outbox_event" (
    "id" BIGSERIAL NOT NULL,
    "topic" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "outbox_event_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "api_key" (
    "id" UUID NOT NULL,
    "owner_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "scopes" TEXT[],
    "cost_per_minute" INTEGER NOT NULL DEFAULT 10000,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),
    CONSTRAINT "api_key_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "api_key_scopes_present" CHECK ("scopes" IS NOT NULL)
);

CREATE TABLE "bot_signal" (
    "id" BIGSERIAL NOT NULL,
    "user_id" UUID,
    "event_id" INTEGER,
    "kind" TEXT NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',
    "ip" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "bot_signal_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "user_account_email_key" ON "user_account"("email");
CREATE UNIQUE INDEX "venue_slug_key" ON "venue"("slug");
CREATE INDEX "venue_city_idx" ON "venue"("city");
CREATE UNIQUE INDEX "section_venue_id_name_key" ON "section"("venue_id", "name");
CREATE UNIQUE INDEX "section_venue_id_sort_order_key" ON "section"("venue_id", "sort_order");
CREATE UNIQUE INDEX "seat_section_id_row_label_number_key" ON "seat"("section_id", "row_label", "number");
CREATE INDEX "seat_section_id_row_rank_number_idx" ON "seat"("section_id", "row_rank", "number");
CREATE UNIQUE INDEX "performer_slug_key" ON "performer"("slug");
CREATE UNIQUE INDEX "event_slug_key" ON "event"("slug");
CREATE INDEX "event_starts_at_id_idx" ON "event"("starts_at", "id");
CREATE INDEX "event_category_idx" ON "event"("category");
CREATE INDEX "event_venue_id_idx" ON "event"("venue_id");
CREATE INDEX "event_status_idx" ON "event"("status");
CREATE UNIQUE INDEX "price_tier_event_id_name_key" ON "price_tier"("event_id", "name");
CREATE INDEX "price_tier_event_id_sort_order_idx" ON "price_tier"("event_id", "sort_order");
CREATE INDEX "section_pricing_price_tier_id_idx" ON "section_pricing"("price_tier_id");
CREATE INDEX "event_seat_price_tier_id_idx" ON "event_seat"("price_tier_id");
CREATE INDEX "event_seat_hold_id_idx" ON "event_seat"("hold_id");
CREATE INDEX "event_seat_order_id_idx" ON "event_seat"("order_id");
CREATE INDEX "event_seat_event_id_status_held_until_idx" ON "event_seat"("event_id", "status", "held_until");
CREATE INDEX "hold_user_id_event_id_state_idx" ON "hold"("user_id", "event_id", "state");
CREATE INDEX "hold_state_expires_at_idx" ON "hold"("state", "expires_at");
CREATE UNIQUE INDEX "order_hold_id_key" ON "order"("hold_id");
CREATE UNIQUE INDEX "order_user_id_idempotency_key_key" ON "order"("user_id", "idempotency_key");
CREATE INDEX "order_user_id_created_at_idx" ON "order"("user_id", "created_at" DESC);
CREATE INDEX "order_event_id_idx" ON "order"("event_id");
CREATE INDEX "order_status_payment_state_idx" ON "order"("status", "payment_state");
CREATE INDEX "payment_order_id_idx" ON "payment"("order_id");
CREATE INDEX "ticket_order_id_idx" ON "ticket"("order_id");
CREATE INDEX "ticket_event_id_seat_id_idx" ON "ticket"("event_id", "seat_id");
-- The last guard against selling a seat twice: at most one valid ticket per event seat.
CREATE UNIQUE INDEX "ticket_one_valid_per_seat" ON "ticket"("event_id", "seat_id") WHERE "status" = 'VALID';
CREATE INDEX "outbox_event_delivered_at_id_idx" ON "outbox_event"("delivered_at", "id");
CREATE UNIQUE INDEX "api_key_prefix_key" ON "api_key"("prefix");
CREATE INDEX "api_key_owner_id_idx" ON "api_key"("owner_id");
CREATE INDEX "bot_signal_user_id_created_at_idx" ON "bot_signal"("user_id", "created_at");
CREATE INDEX "bot_signal_event_id_kind_idx" ON "bot_signal"("event_id", "kind");
-- Catalog text search (name, performer, venue, city) uses trigram indexes for ILIKE '%term%'.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX "event_name_trgm_idx" ON "event" USING GIN ("name" gin_trgm_ops);
CREATE INDEX "performer_name_trgm_idx" ON "performer" USING GIN ("name" gin_trgm_ops);
CREATE INDEX "venue_name_trgm_idx" ON "venue" USING GIN ("name" gin_trgm_ops);

-- AddForeignKey
ALTER TABLE "section" ADD CONSTRAINT "section_venue_id_fkey" FOREIGN KEY ("venue_id") REFERENCES "venue"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "seat" ADD CONSTRAINT "seat_section_id_fkey" FOREIGN KEY ("section_id") REFERENCES "section"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "event" ADD CONSTRAINT "event_performer_id_fkey" FOREIGN KEY ("performer_id") REFERENCES "performer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "event" ADD CONSTRAINT "event_venue_id_fkey" FOREIGN KEY ("venue_id") REFERENCES "venue"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "event" ADD CONSTRAINT "event_organizer_id_fkey" FOREIGN KEY ("organizer_id") REFERENCES "user_account"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "price_tier" ADD CONSTRAINT "price_tier_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "event"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "section_pricing" ADD CONSTRAINT "section_pricing_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "event"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "section_pricing" ADD CONSTRAINT "section_pricing_section_id_fkey" FOREIGN KEY ("section_id") REFERENCES "section"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "section_pricing" ADD CONSTRAINT "section_pricing_price_tier_id_fkey" FOREIGN KEY ("price_tier_id") REFERENCES "price_tier"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "event_seat" ADD CONSTRAINT "event_seat_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "event"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "event_seat" ADD CONSTRAINT "event_seat_seat_id_fkey" FOREIGN KEY ("seat_id") REFERENCES "seat"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "event_seat" ADD CONSTRAINT "event_seat_price_tier_id_fkey" FOREIGN KEY ("price_tier_id") REFERENCES "price_tier"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "event_seat" ADD CONSTRAINT "event_seat_hold_id_fkey" FOREIGN KEY ("hold_id") REFERENCES "hold"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "event_seat" ADD CONSTRAINT "event_seat_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "order"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "hold" ADD CONSTRAINT "hold_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "user_account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "hold" ADD CONSTRAINT "hold_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "event"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "order" ADD CONSTRAINT "order_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "user_account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "order" ADD CONSTRAINT "order_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "event"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "order" ADD CONSTRAINT "order_hold_id_fkey" FOREIGN KEY ("hold_id") REFERENCES "hold"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "payment" ADD CONSTRAINT "payment_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "order"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "ticket" ADD CONSTRAINT "ticket_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "order"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "ticket" ADD CONSTRAINT "ticket_event_id_seat_id_fkey" FOREIGN KEY ("event_id", "seat_id") REFERENCES "event_seat"("event_id", "seat_id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "api_key" ADD CONSTRAINT "api_key_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "user_account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "bot_signal" ADD CONSTRAINT "bot_signal_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "user_account"("id") ON DELETE SET NULL ON UPDATE CASCADE;
