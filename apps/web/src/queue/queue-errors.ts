import { describeApiError, graphQLErrorDetails, numberExtension } from "@/lib/api-errors";

export interface QueueProblem {
  /** Signing in again is the way on. */
  signIn: boolean;
  title: string;
  message: string;
  /** The waiting room is briefly unavailable: asking again after this long is the way on. */
  retryAfterSeconds?: number;
}

/** Turns a failed waiting-room call into what the fan should know and do next, from `extensions.code`. */
export function describeQueueError(error: unknown): QueueProblem {
  const details = graphQLErrorDetails(error);
  if (!details) return { signIn: false, ...describeApiError(error) };
  switch (details.code) {
    case "UNAUTHENTICATED":
      return {
        signIn: true,
        title: "Please log in",
        message: "The waiting room keeps one place per account: log in to join it.",
      };
    case "RATE_LIMITED": {
      const seconds = numberExtension(details, "retryAfterSeconds");
      return {
        signIn: false,
        title: "Too many attempts",
        message: `Please wait${seconds ? ` ${Math.ceil(seconds)} s` : " a moment"} and try again. Your place is not affected.`,
      };
    }
    case "SERVICE_UNAVAILABLE": {
      const seconds = Math.max(1, Math.ceil(numberExtension(details, "retryAfterSeconds") ?? 5));
      return {
        signIn: false,
        title: "The waiting room is catching up",
        message: `It could not answer just now. Please try again in ${seconds} s.`,
        retryAfterSeconds: seconds,
      };
    }
    case "FORBIDDEN":
      return {
        signIn: false,
        title: "You can't join this waiting room",
        message: details.message,
      };
    case "BAD_USER_INPUT":
      return {
        signIn: false,
        title: "That didn't work",
        message: `${details.message} Please try again.`,
      };
    default:
      return { signIn: false, title: "That didn't work", message: details.message };
  }
}
