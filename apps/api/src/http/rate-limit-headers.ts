import { type RateLimitBudget, tighterBudget } from "../kernel/rate-limit-budget.js";
import type { CostReport } from "../kernel/viewer.js";

// The caller's budget in HTTP too (docs/api.md, "Rate-limit headers"): `RateLimit-Limit`,
// `RateLimit-Remaining`, `RateLimit-Reset` (seconds) for the budget nearest to running out among those the
// request counted against (the caller's request budget, which every request counts against; a field's
// rate limit; an API key's cost budget), and `Retry-After` with every RATE_LIMITED answer.

interface ResponseBody {
  errors?: { extensions?: Record<string, unknown> }[];
  extensions?: { cost?: CostReport };
}

/** What the response's RATE_LIMITED errors ask the client to wait, if any (the longest). */
function retryAfterOf(parsed: ResponseBody): number | null {
  let wait: number | null = null;
  for (const error of parsed.errors ?? []) {
    if (error.extensions?.code !== "RATE_LIMITED") continue;
    const seconds = Number(error.extensions.retryAfterSeconds);
    const known = Number.isFinite(seconds) && seconds > 0 ? Math.ceil(seconds) : 1;
    wait = Math.max(wait ?? 0, known);
  }
  return wait;
}

const costBudget = (cost: CostReport | null | undefined): RateLimitBudget | null =>
  cost ? { limit: cost.budget, remaining: cost.remaining, resetSeconds: cost.resetSeconds ?? 60 } : null;

/** The three RateLimit-* headers of a budget. */
export function budgetHeaders(budget: RateLimitBudget): [string, string][] {
  return [
    ["ratelimit-limit", String(budget.limit)],
    ["ratelimit-remaining", String(Math.max(0, budget.remaining))],
    ["ratelimit-reset", String(budget.resetSeconds)],
  ];
}

/**
 * `withCost`: the request had an API key, so the body reports its cost budget (`extensions.cost`, set by
 * graphql/limits.ts on Apollo's copy of the context). Only such bodies, and those with a RATE_LIMITED
 * error, are parsed again. `requestBudget`: the caller's request budget (defences/request-budget.ts).
 */
export function rateLimitHeaders(
  fieldBudget: RateLimitBudget | null,
  withCost: boolean,
  body: string,
  requestBudget: RateLimitBudget | null = null,
): [string, string][] {
  const headers: [string, string][] = [];
  let parsed: ResponseBody = {};
  if (withCost || body.includes('"RATE_LIMITED"')) {
    try {
      parsed = JSON.parse(body) as ResponseBody;
    } catch {
      // Not JSON (an HTML error page never comes from Apollo; be safe): no headers.
    }
  }
  const retryAfter = retryAfterOf(parsed);
  let budget = tighterBudget(
    requestBudget,
    tighterBudget(fieldBudget, costBudget(parsed.extensions?.cost ?? null)),
  );
  // Refused: nothing is left until the wait is over, whatever the other budget says.
  if (retryAfter !== null && budget) budget = { ...budget, remaining: 0, resetSeconds: retryAfter };
  if (budget) headers.push(...budgetHeaders(budget));
  if (retryAfter !== null) headers.push(["retry-after", String(retryAfter)]);
  return headers;
}
