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

export async function settlePayment(
  pool: SqlPool,
  payments: PaymentProvider,
  orderId: string,
  settlement: Settlement,
  { known, afterProviderCall = () => undefined }: SettleOptions = {},
): Promise<boolean> {
  const order = known ?? (await paymentStateOf(pool, orderId));
  if (!order) return false;
  const step = { provider: payments.name, paymentId: uuidv7() };
  if (settlement === "capture") {
    if (order.status !== "CONFIRMED" || order.paymentState !== "AUTHORIZED") return false;
    await payments.capture(orderId);
    await afterProviderCall();
    return recordPaymentStep(pool, orderId, {
      ...step,
      from: ["AUTHORIZED"],
      fromStatus: ["CONFIRMED"],
      to: "CAPTURED",
      operation: "capture",
    });
  }
  if (settlement === "void") {
    if (order.status !== "FAILED" || !["AUTHORIZING", "AUTHORIZED"].includes(order.paymentState))
      return false;
    await payments.void(orderId);
    await afterProviderCall();
    return recordPaymentStep(pool, orderId, {
      ...step,
      from: ["AUTHORIZING", "AUTHORIZED"],
      fromStatus: ["FAILED"],
      to: "VOIDED",
      operation: "void",
    });
  }
  if (order.status !== "CANCELLED") return false;
  if (order.paymentState === "CAPTURED") {
    await payments.refund(orderId);
    await afterProviderCall();
    return recordPaymentStep(pool, orderId, {
      ...step,
      from: ["CAPTURED"],
      fromStatus: ["CANCELLED"],
      to: "REFUNDED",
      operation: "refund",
    });
  }
  if (order.paymentState === "AUTHORIZED") {
    try {
      await payments.void(orderId);
    } catch (error) {
      if (error instanceof PaymentOutcomeUnknown) throw error;
      // Refused: the capture may have gone through without being recorded (the instance stopped between
      // the two; found by `pnpm drill`). Capturing is idempotent, so capture, then refund.
      await payments.capture(orderId);
      await payments.refund(orderId);
      await afterProviderCall();
      return recordPaymentStep(pool, orderId, {
        ...step,
        from: ["AUTHORIZED"],
        fromStatus: ["CANCELLED"],
        to: "REFUNDED",
        operation: "refund",
      });
    }
    await afterProviderCall();
    return recordPaymentStep(pool, orderId, {
      ...step,
      from: ["AUTHORIZED"],
      fromStatus: ["CANCELLED"],
      to: "VOIDED",
      operation: "void",
    });
  }
  return false;
}
