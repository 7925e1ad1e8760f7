// What is left of a caller's budget, in the words the defences (field rate limits, API-key cost budgets)
// and the HTTP layer (RateLimit-* headers, http/rate-limit-headers.ts) share.

/** What is left of one budget, for the RateLimit-* response headers. */
export interface RateLimitBudget {
  limit: number;
  remaining: number;
  resetSeconds: number;
}

/** The budget nearer to running out (what a client should pace itself by). */
export function tighterBudget(a: RateLimitBudget | null, b: RateLimitBudget | null): RateLimitBudget | null {
  if (!a || !b) return a ?? b;
  return b.remaining / b.limit < a.remaining / a.limit ? b : a;
}
