import type { CheckoutProblem } from "./checkout-errors";

/** The fake gateway's test cards (see the API's payment provider). */
export const TEST_CARDS = [
  { token: "tok_visa", label: "Visa — succeeds", hint: "The payment goes through." },
  { token: "tok_declined", label: "Declined card", hint: "The bank says no; your seats stay held." },
  { token: "tok_timeout", label: "Gateway timeout", hint: "The gateway is too slow to answer." },
] as const;

export type TestCardToken = (typeof TEST_CARDS)[number]["token"];

/**
 * One checkout attempt: the idempotency key and the arguments it was first sent with. Every retry of an
 * attempt whose outcome is unknown sends exactly these again (the API refuses one key with other arguments).
 */
export interface PaymentAttempt {
  idempotencyKey: string;
  paymentToken: TestCardToken;
}

export function newPaymentAttempt(paymentToken: TestCardToken): PaymentAttempt {
  return { idempotencyKey: newIdempotencyKey(), paymentToken };
}

/**
 * What is left of an attempt after it failed: kept when the outcome is unknown (the retry sends it again,
 * so a payment that did go through is returned, not repeated), dropped after a definite answer.
 */
export function attemptAfterFailure(
  attempt: PaymentAttempt,
  problem: CheckoutProblem,
): PaymentAttempt | null {
  return problem.kind === "unconfirmed" ? attempt : null;
}

/** A random UUID; `randomUUID` exists only in secure contexts (https, localhost), so plain-http hosts build one. */
function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40; // version 4
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
