import { CombinedGraphQLErrors, ServerError, ServerParseError } from "@apollo/client/errors";

export interface ApiProblem {
  title: string;
  message: string;
}

/** Turns whatever a GraphQL call threw into words a fan can act on. */
export function describeApiError(error: unknown): ApiProblem {
  if (CombinedGraphQLErrors.is(error)) {
    return {
      title: "The request could not be completed",
      message: error.errors[0]?.message ?? "The API answered with an error.",
    };
  }
  if (ServerError.is(error) || ServerParseError.is(error)) {
    return {
      title: "The ticketing service is having trouble",
      message: `The API answered with HTTP ${error.statusCode}. Please try again in a moment.`,
    };
  }
  // fetch rejects with a TypeError when the server cannot be reached, and a TimeoutError when it is too slow.
  if (error instanceof TypeError || (error instanceof Error && error.name === "TimeoutError")) {
    return {
      title: "We can't reach the ticketing service",
      message: "The Frontrow API is not answering right now. Check your connection or try again in a moment.",
    };
  }
  return {
    title: "Something went wrong",
    message: error instanceof Error ? error.message : "An unexpected error occurred.",
  };
}

/** True when the API says the thing asked for does not exist (or the id cannot exist). */
export function isNotFoundError(error: unknown): boolean {
  return (
    CombinedGraphQLErrors.is(error) &&
    error.errors.some((graphQLError) => {
      const code = graphQLError.extensions?.code;
      return code === "NOT_FOUND" || code === "BAD_USER_INPUT";
    })
  );
}

/** The first GraphQL error of a failed operation, with its `extensions.code`, or null for other failures. */
export interface ApiErrorDetails {
  code: string | null;
  message: string;
  extensions: Readonly<Record<string, unknown>>;
}

export function graphQLErrorDetails(error: unknown): ApiErrorDetails | null {
  if (!CombinedGraphQLErrors.is(error)) return null;
  const first = error.errors[0];
  if (!first) return null;
  const extensions = first.extensions ?? {};
  return {
    code: typeof extensions.code === "string" ? extensions.code : null,
    message: first.message,
    extensions,
  };
}

/** A string-valued extension (`reason`, `field`), or null. */
export function stringExtension(details: ApiErrorDetails, name: string): string | null {
  const value = details.extensions[name];
  return typeof value === "string" ? value : null;
}

/** A number-valued extension (`retryAfterSeconds`, `limit`), or null. */
export function numberExtension(details: ApiErrorDetails, name: string): number | null {
  const value = details.extensions[name];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** A list-of-strings extension (`seatIds`), or an empty list. */
export function stringListExtension(details: ApiErrorDetails, name: string): string[] {
  const value = details.extensions[name];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/** A failed mutation as a form shows it: the message, beside the field it names (`extensions.field`) if any. */
export interface FormProblem {
  field: string | null;
  code: string | null;
  message: string;
}

export function formProblem(error: unknown): FormProblem {
  const details = graphQLErrorDetails(error);
  if (!details) return { field: null, code: null, message: describeApiError(error).message };
  return { field: stringExtension(details, "field"), code: details.code, message: details.message };
}
