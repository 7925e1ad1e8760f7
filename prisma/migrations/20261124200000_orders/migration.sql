-- Checkout (docs/orders.md): a hold may have several orders over time, at most one of them not FAILED,
-- so that a declined payment leaves the hold free for a retry with a new idempotency key.
DROP INDEX "order_hold_id_key";
CREATE INDEX "order_hold_id_idx" ON "order"("hold_id");
CREATE UNIQUE INDEX "order_one_live_per_hold" ON "order"("hold_id") WHERE "status" <> 'FAILED';

-- The fake payment gateway's own ledger (development, tests and benchmarks only).
CREATE TABLE "fake_gateway_charge" (
    "reference" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "amount_minor" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "state" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "fake_gateway_charge_pkey" PRIMARY KEY ("reference"),
    CONSTRAINT "fake_gateway_charge_state_known"
        CHECK ("state" IN ('AUTHORIZED', 'CAPTURED', 'VOIDED', 'REFUNDED', 'DECLINED'))
);
