import { describeApiError, graphQLErrorDetails, numberExtension, stringExtension } from "@/lib/api-errors";

export type AuthField = "email" | "password" | "name";

export interface AuthProblem {
  message: string;
  /** The field to mark as wrong, when the problem is one field's. */
  field: AuthField | null;
  /** Set when rate-limited: no point submitting again before then. */
  retryAfterSeconds: number | null;
  /** The email already has an account: offer to log in instead. */
  emailTaken: boolean;
}

function isAuthField(value: string | null): value is AuthField {
  return value === "email" || value === "password" || value === "name";
}

/** What went wrong with a log-in or sign-up, in words a fan can act on, from the API's `extensions`. */
export function describeAuthError(error: unknown): AuthProblem {
  const details = graphQLErrorDetails(error);
  const problem: AuthProblem = { message: "", field: null, retryAfterSeconds: null, emailTaken: false };
  if (!details) {
    const { title, message } = describeApiError(error);
    return { ...problem, message: `${title}. ${message}` };
  }
  switch (details.code) {
    case "UNAUTHENTICATED":
      // The API does not say which one is wrong, so an attacker cannot learn which emails have accounts.
      return { ...problem, message: "That email and password don't match. Check both and try again." };
    case "RATE_LIMITED": {
      const retryAfterSeconds = numberExtension(details, "retryAfterSeconds") ?? 60;
      return { ...problem, message: "Too many attempts.", retryAfterSeconds };
    }
    case "FORBIDDEN":
      return { ...problem, message: `${details.message}. Contact support if you think this is a mistake.` };
    case "EMAIL_TAKEN":
      return {
        ...problem,
        message: "An account with this email already exists.",
        field: "email",
        emailTaken: true,
      };
    case "BAD_USER_INPUT": {
      const reason = stringExtension(details, "reason");
      const field = stringExtension(details, "field");
      if (reason === "WEAK_PASSWORD") {
        return {
          ...problem,
          message: `${details.message}. Choose a longer or less predictable one.`,
          field: "password",
        };
      }
      return { ...problem, message: `${details.message}.`, field: isAuthField(field) ? field : null };
    }
    default:
      return { ...problem, message: details.message };
  }
}
