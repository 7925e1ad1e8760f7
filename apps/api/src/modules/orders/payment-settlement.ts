import type { OrderStatus, PaymentState } from "../../generated/prisma/enums.js";
import type { SqlPool } from "../../infra/sql.js";
import { uuidv7 } from "../../lib/uuid7.js";
import { paymentStateOf, recordPaymentStep } from "./order-store.js";
import { PaymentOutcomeUnknown, type PaymentProvider } from "./payments.js";

/**
 * What to do with an order's money once its fate is recorded:
 * - capture: a CONFIRMED order's authorization;
 * - void: a FAILED order's authorization (or the authorize call still on its way);
 * - return: a CANCELLED order's money, refunded when captured, voided when only authorized.
 */
export type Settlement = "capture" | "void" | "return";

/**
 * Calls the provider, then records the outcome. Both steps are idempotent (the provider on the order
 * id, the record on the order's current state), so the checkout, a cancellation and the recovery job
 * may all settle one order: whoever comes second changes nothing. Returns false when the order was not
 * in a state this settlement applies to.
 */
export interface SettleOptions {
  /** The order's state when the caller has just written it (saves reading it back). */
  known?: { status: OrderStatus; paymentState: PaymentState };
  /** Test hook: runs between the provider's answer and its record (see CheckoutFaults). */
  afterProviderCall?: () => void | Promise<void>;
}

/** The provider call a settlement makes and the payment-state move it records, if it applies. */
export interface SettlementPlan {
  call: "capture" | "void" | "refund";
  /** The order moves only from these payment states and statuses… */
  from: PaymentState[];
  fromStatus: OrderStatus[];
  /** …to this one. */
  to: PaymentState;
}

/** What `settlement` does to an order in this state (pure); null when it does not apply. */
export function settlementPlan(
  settlement: Settlement,
  order: { status: OrderStatus; paymentState: PaymentState },
): SettlementPlan | null {
  const { status, paymentState } = order;
  if (settlement === "capture") {
    if (status !== "CONFIRMED" || paymentState !== "AUTHORIZED") return null;
    return { call: "capture", from: ["AUTHORIZED"], fromStatus: ["CONFIRMED"], to: "CAPTURED" };
  }
  if (settlement === "void") {
    if (status !== "FAILED" || (paymentState !== "AUTHORIZING" && paymentState !== "AUTHORIZED")) return null;
    return { call: "void", from: ["AUTHORIZING", "AUTHORIZED"], fromStatus: ["FAILED"], to: "VOIDED" };
  }
  if (status !== "CANCELLED") return null;
  // A cancelled order's money goes back: refunded when captured, voided when only authorized.
  if (paymentState === "CAPTURED") {
    return { call: "refund", from: ["CAPTURED"], fromStatus: ["CANCELLED"], to: "REFUNDED" };
  }
  if (paymentState === "AUTHORIZED") {
    return { call: "void", from: ["AUTHORIZED"], fromStatus: ["CANCELLED"], to: "VOIDED" };
  }
  return null;
}

export async function settlePayment(
  pool: SqlPool,
  payments: PaymentProvider,
  orderId: string,
  settlement: Settlement,
  { known, afterProviderCall = () => undefined }: SettleOptions = {},
): Promise<boolean> {
  const order = known ?? (await paymentStateOf(pool, orderId));
  const plan = order && settlementPlan(settlement, order);
  if (!plan) return false;
  const done = await callProvider(payments, orderId, plan);
  await afterProviderCall();
  return recordPaymentStep(pool, orderId, {
    provider: payments.name,
    paymentId: uuidv7(),
    from: plan.from,
    fromStatus: plan.fromStatus,
    to: done.to,
    operation: done.call,
  });
}

/**
 * Makes the plan's provider call; answers what was done. A cancelled order's void that the provider
 * refuses (an answer, not an unknown outcome) means its capture went through without being recorded (the
 * instance stopped between the two; found by `pnpm drill`): capturing is idempotent, so capture, then refund.
 */
async function callProvider(
  payments: PaymentProvider,
  orderId: string,
  plan: SettlementPlan,
): Promise<Pick<SettlementPlan, "call" | "to">> {
  try {
    await payments[plan.call](orderId);
    return plan;
  } catch (error) {
    const cancelledVoid = plan.call === "void" && plan.fromStatus.includes("CANCELLED");
    if (!cancelledVoid || error instanceof PaymentOutcomeUnknown) throw error;
    await payments.capture(orderId);
    await payments.refund(orderId);
    return { call: "refund", to: "REFUNDED" };
  }
}
