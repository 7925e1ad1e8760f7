// The payment provider behind checkout (docs/orders.md). Every call names the order it is for
// (`reference`) and is idempotent on it, so a retried or recovered call never charges twice.

export interface Charge {
  /** Our order id: at most one authorization per order. */
  reference: string;
  amountMinor: number;
  currency: string;
  /** The card token the client got from the provider's widget (tok_visa, tok_declined, …). */
  token: string;
}

export type Authorization =
  | { outcome: "authorized"; providerRef: string }
  | { outcome: "declined"; reason: string };

/**
 * Thrown when the provider's answer is unknown (timeout, connection lost): the money may or may not
 * have moved. The order's recorded state lets the recovery job settle it later.
 */
export class PaymentOutcomeUnknown extends Error {
  constructor(operation: string, cause?: unknown) {
    super(`The payment provider did not answer the ${operation} request`, { cause });
    this.name = "PaymentOutcomeUnknown";
  }
}

export interface PaymentProvider {
  readonly name: string;
  /** Reserves the amount on the card; calling it again for the same reference returns the first answer. */
  authorize(charge: Charge): Promise<Authorization>;
  /** Takes the authorized amount. */
  capture(reference: string): Promise<void>;
  /**
   * Cancels the authorization, if any, and refuses any later authorization for the reference: voiding
   * a checkout whose authorize call is still on its way is safe.
   */
  void(reference: string): Promise<void>;
  /**
   * Gives a captured amount back: all of what is left when `part` is absent, else `part.amountMinor`
   * (at most what is left). A part names its own refund id: a second call with the same id refunds nothing.
   */
  refund(reference: string, part?: PartialRefund): Promise<void>;
}

/** One refund of part of a charge (modules/orders/refunds.service.ts): some tickets of an order. */
export interface PartialRefund {
  refundId: string;
  amountMinor: number;
}
