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
