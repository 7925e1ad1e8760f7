// A scenario's load comes from one address and, often, a few accounts; a real crowd comes from many of
// both. Scenarios that measure something else than the request rate limits (docs/defences.md) lift them.

const NO_LIMIT = { points: 1_000_000_000, seconds: 60 };

/** The API's RATE_LIMITS value that lifts every limit of these root fields, e.g. "Mutation.joinQueue". */
export function withoutRateLimits(fields: readonly string[]): string {
  return JSON.stringify(
    Object.fromEntries(fields.map((field) => [field, { account: NO_LIMIT, ip: NO_LIMIT, apiKey: NO_LIMIT }])),
  );
}
