import assert from "node:assert/strict";
import { test } from "node:test";
import type { OrderStatus, PaymentState } from "../../generated/prisma/enums.js";
import { type Settlement, settlementPlan } from "./payment-settlement.js";

const STATUSES: OrderStatus[] = ["PENDING", "CONFIRMED", "FAILED", "CANCELLED"];
const STATES: PaymentState[] = ["AUTHORIZING", "AUTHORIZED", "DECLINED", "CAPTURED", "VOIDED", "REFUNDED"];

/** The (settlement, status, payment state) triples that move money, and what they call. */
const APPLIES: Record<string, string> = {
  "capture CONFIRMED AUTHORIZED": "capture → CAPTURED",
  "void FAILED AUTHORIZING": "void → VOIDED",
  "void FAILED AUTHORIZED": "void → VOIDED",
  "return CANCELLED CAPTURED": "refund → REFUNDED",
  "return CANCELLED AUTHORIZED": "void → VOIDED",
};

test("each settlement applies to exactly the order states that still hold money to move", () => {
  for (const settlement of ["capture", "void", "return"] as Settlement[]) {
    for (const status of STATUSES) {
      for (const paymentState of STATES) {
        const plan = settlementPlan(settlement, { status, paymentState });
        const expected = APPLIES[`${settlement} ${status} ${paymentState}`];
        assert.equal(
          plan ? `${plan.call} → ${plan.to}` : undefined,
          expected,
          `${settlement} ${status} ${paymentState}`,
        );
      }
    }
  }
});

test("a plan moves the order only from the state it was planned for (a second settler changes nothing)", () => {
  for (const [key] of Object.entries(APPLIES)) {
    const [settlement, status, paymentState] = key.split(" ") as [Settlement, OrderStatus, PaymentState];
    const plan = settlementPlan(settlement, { status, paymentState });
    assert.ok(plan);
    assert.ok(plan.from.includes(paymentState), key);
    assert.deepEqual(plan.fromStatus, [status], key);
    assert.ok(!plan.from.includes(plan.to), `${key}: its own result is not a state it moves from`);
  }
});
