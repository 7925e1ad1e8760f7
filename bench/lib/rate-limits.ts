// A scenario's load comes from one address and, often, a few accounts; a real crowd comes from many of
// both. Scenarios that measure something else than the request rate limits (docs/defences.md) lift them.

const NO_LIMIT = { points: 1_000_000_000, seconds: 60 };

/** The API's RATE_LIMITS value that lifts every limit of these root fields, e.g. "Mutation.joinQueue". */
export function withoutRateLimits(fields: readonly string[]): string {
  return JSON.stringify(
    Object.fromEntries(fields.map((field) => [field, { account: NO_LIMIT, ip: NO_LIMIT, apiKey: NO_LIMIT }])),
  );
}

/**
 * The API's RATE_LIMITS value that lifts only the per-IP limits of these root fields: a bench crowd comes
 * from one address, while the per-account limits stay as in production for the scenario to meet.
 */
export function withoutIpRateLimits(fields: readonly string[]): string {
  return JSON.stringify(Object.fromEntries(fields.map((field) => [field, { ip: NO_LIMIT }])));
}

/**
 * Every caller's request budget lifted (modules/defences/request-budget.ts): the whole crowd is one
 * address, and a few accounts do what thousands of fans would. Every API a scenario or the drill starts
 * gets it.
 */
export const NO_REQUEST_BUDGET = {
  REQUEST_BUDGET_PER_IP_PER_MINUTE: String(NO_LIMIT.points),
  REQUEST_BUDGET_PER_SESSION_PER_MINUTE: String(NO_LIMIT.points),
};
