import { describeApiError, graphQLErrorDetails, numberExtension, stringExtension } from "@/lib/api-errors";

/** A problem of an account form: beside its field when the API names one, above the form otherwise. */
export interface FormProblem {
  message: string;
  field: string | null;
}

/** The API's words for what went wrong (they are written for fans), placed on the field it names. */
export function describeAccountError(error: unknown): FormProblem {
  const details = graphQLErrorDetails(error);
  if (!details) {
    const { title, message } = describeApiError(error);
    return { message: `${title}. ${message}`, field: null };
  }
  const field = stringExtension(details, "field");
  if (details.code === "RATE_LIMITED") {
    const seconds = numberExtension(details, "retryAfterSeconds") ?? 60;
    return { message: `Too many attempts. Try again in ${seconds} s.`, field: null };
  }
  if (details.code === "INVALID_TOKEN") return { message: `${details.message}.`, field: null };
  if (stringExtension(details, "reason") === "WEAK_PASSWORD")
    return { message: `${details.message}. Choose a longer or less predictable one.`, field };
  return { message: details.message.endsWith(".") ? details.message : `${details.message}.`, field };
}
