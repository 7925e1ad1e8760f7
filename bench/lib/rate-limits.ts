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
