import { describeApiError, graphQLErrorDetails, stringExtension } from "@/lib/api-errors";

export type CheckoutProblem =
  /** The session is missing or expired: sign in and come back. */
  | { kind: "signIn" }
  /** The hold can no longer be paid for (expired, released, someone else's): pick seats again. */
  | { kind: "holdEnded"; title: string; message: string }
  /** The API refused this attempt for good (a declined card): a new attempt, with a new key, may follow. */
  | { kind: "refused"; title: string; message: string }
  /**
   * The outcome is unknown (no answer, a timeout, a server fault): the payment may have gone through, so
   * the retry must reuse the same idempotency key and arguments, which returns that order if it exists.
   */
  | { kind: "unconfirmed"; title: string; message: string };

const UNCONFIRMED_ADVICE = "Trying again is safe: you will never be charged twice for this order.";

/** Turns a failed checkout into what the fan should know and do next, from `extensions.code`. */
export function describeCheckoutError(error: unknown): CheckoutProblem {
  const details = graphQLErrorDetails(error);
  if (!details) {
    const problem = describeApiError(error);
    return { kind: "unconfirmed", title: problem.title, message: `${problem.message} ${UNCONFIRMED_ADVICE}` };
  }
  switch (details.code) {
    case "UNAUTHENTICATED":
      return { kind: "signIn" };
    case "HOLD_EXPIRED":
      return {
        kind: "holdEnded",
        title: "Your hold ran out",
        message:
          "The seats are no longer reserved for you and were released for other fans. Nothing was charged. Go back to the event to pick seats again.",
      };
    case "NOT_FOUND":
      return {
        kind: "holdEnded",
        title: "This hold no longer exists",
        message:
          "It was released, ran out or was already paid for. Check your orders, or go back to the event to pick seats again.",
      };
    case "FORBIDDEN":
      return {
        kind: "holdEnded",
        title: "This hold belongs to another account",
        message:
          "Only the fan who held these seats can pay for them. Are you signed in with the right account?",
      };
    case "PAYMENT_DECLINED":
      // Nothing was charged either way; `reason` tells a card to change from a provider to try again.
      return {
        kind: "refused",
        title:
          stringExtension(details, "reason") === "DECLINED"
            ? "Your card was declined"
            : "The payment did not go through",
        message: details.message,
      };
    case "BAD_USER_INPUT":
      return { kind: "refused", title: "The payment could not be started", message: details.message };
    default:
      // A fault or timeout reported by the API itself: it may have charged the card before failing.
      return { kind: "unconfirmed", title: "We couldn't confirm your payment", message: UNCONFIRMED_ADVICE };
  }
}
