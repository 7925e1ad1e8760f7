import type { HeaderMap } from "@apollo/server";

/**
 * The HTTP status of a GraphQL response, as the GraphQL-over-HTTP spec asks: a client that accepts only
 * `application/json` gets 200 for every well-formed request, request errors included (parse, validation,
 * variable coercion, limits); `application/graphql-response+json` keeps Apollo Server's 400. A request
 * that is not a GraphQL request at all (BAD_REQUEST: not JSON, no query, CSRF) stays 400 for both.
 */
export function graphqlResponseStatus(status: number, headers: HeaderMap, body: string): number {
  if (status !== 400 || !/^application\/json/i.test(headers.get("content-type") ?? "")) return status;
  try {
    const { errors } = JSON.parse(body) as { errors?: { extensions?: { code?: unknown } }[] };
    if (!Array.isArray(errors) || !errors.length) return status;
    return errors.some((error) => error.extensions?.code === "BAD_REQUEST") ? status : 200;
  } catch {
    return status;
  }
}
