import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { createLogger } from "../src/infra/logger.js";
import { RequestBudget } from "../src/modules/defences/request-budget.js";
import { NOTABLE_EVENT_SLUGS } from "../src/seed/catalog.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import {
  asFan,
  createFans,
  errorCode,
  eventIdOf,
  type Fan,
  HOLD_BEST,
  logIn,
  MANY_LOGINS,
} from "./support/holds.js";
import { testRedisPrefix } from "./support/redis-prefix.js";
import { type GraphQLResult, gql, startTestServer, type TestServer } from "./support/server.js";

// The caller's budget in HTTP headers (docs/api.md, "Rate-limit headers"): RateLimit-Limit, -Remaining,
// -Reset on every response (the caller's request budget, or a tighter one the request counted against),
// Retry-After on every RATE_LIMITED.

let database: TestDatabase;
let api: TestServer;
let organizer: Pick<Fan, "cookie">;
let fan: Fan;
let eventId: number;
const IP_BUDGET = 40;

before(async () => {
  database = await createTestDatabase({ seeded: true });
  api = await startTestServer(database.url, {
    ...MANY_LOGINS,
    // Each test below comes from an address of its own (X-Forwarded-For), with its own request budget.
    TRUST_PROXY: "true",
    REQUEST_BUDGET_PER_IP_PER_MINUTE: String(IP_BUDGET),
    RATE_LIMITS: JSON.stringify({ "Mutation.holdBestAvailable": { account: { points: 2, seconds: 60 } } }),
  });
  organizer = { cookie: await logIn(api.url, "organizer@frontrow.test", "organizer-password") };
  [fan] = (await createFans(database.db, api.url, 1, "rl-headers")) as [Fan];
  eventId = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.theatreOnSale);
});

after(async () => {
  await api.close();
  await database.dispose();
});

/** Request budgets count per wall-clock minute: a test counting down one must not straddle two. */
async function awayFromMinuteEnd(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 5_000) await sleep(left + 50);
}

const headersOf = (result: GraphQLResult<unknown>) => ({
  limit: result.headers.get("ratelimit-limit"),
  remaining: result.headers.get("ratelimit-remaining"),
  reset: Number(result.headers.get("ratelimit-reset")),
  retryAfter: result.headers.get("retry-after"),
});

test("a rate-limited mutation reports its budget; the refusal carries Retry-After", async () => {
  const hold = () => asFan(api.url, fan, HOLD_BEST, { eventId: String(eventId), quantity: 1 });
  const first = headersOf(await hold());
  assert.equal(first.limit, "2");
  assert.equal(first.remaining, "1");
  assert.ok(first.reset >= 1 && first.reset <= 60, String(first.reset));
  assert.equal(first.retryAfter, null);
  assert.equal(headersOf(await hold()).remaining, "0");
  const refused = await hold();
  assert.equal(errorCode(refused), "RATE_LIMITED");
  const headers = headersOf(refused);
  assert.equal(headers.remaining, "0");
  const wait = refused.errors?.[0]?.extensions?.retryAfterSeconds;
  assert.equal(headers.retryAfter, String(wait), "Retry-After is the error's retryAfterSeconds");
  assert.equal(headers.reset, wait);
});

test("a partner key's cost budget is in the headers of each answer, and of its refusal", async () => {
  const created = await asFan<{ createApiKey: { secret: string } }>(
    api.url,
    organizer,
    `mutation { createApiKey(name: "headers", scopes: ["catalog:read"], costPerMinute: 60) { secret } }`,
  );
  const secret = created.data?.createApiKey.secret as string;
  const query = "{ events(first: 5) { edges { node { id name } } } }";
  const withKey = () =>
    gql(api.url, query, undefined, { authorization: `Bearer ${secret}`, "x-forwarded-for": "203.0.113.9" });
  const first = await withKey();
  const cost = (first as { extensions?: { cost?: { requested: number; remaining: number } } }).extensions
    ?.cost;
  assert.ok(cost);
  const headers = headersOf(first);
  assert.equal(headers.limit, "60");
  assert.equal(headers.remaining, String(cost.remaining));
  assert.ok(headers.reset >= 1 && headers.reset <= 60);
  let last = first;
  while (last.status !== 429) last = await withKey();
  assert.equal(errorCode(last), "RATE_LIMITED");
  const refused = headersOf(last);
  assert.equal(refused.remaining, "0");
  assert.ok(Number(refused.retryAfter) >= 1 && Number(refused.retryAfter) <= 60);
});

test("a login refused for too many attempts carries Retry-After too", async () => {
  const strict = await startTestServer(database.url, { LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: "1" });
  try {
    const attempt = () =>
      gql(strict.url, 'mutation { logIn(email: "nobody@frontrow.test", password: "wrong-password") { id } }');
    await attempt();
    const refused = await attempt();
    assert.equal(errorCode(refused), "RATE_LIMITED");
    assert.ok(Number(refused.headers.get("retry-after")) >= 1);
  } finally {
    await strict.close();
  }
});

test("every kind of response reports the caller's request budget, down to a refusal with Retry-After", async () => {
  await awayFromMinuteEnd();
  const from = { "x-forwarded-for": "203.0.113.7" };
  const raw = async (init: RequestInit & { path?: string }) => {
    const response = await fetch(`${api.url}${init.path ?? ""}`, {
      ...init,
      headers: { ...from, ...(init.headers as Record<string, string>) },
    });
    await response.arrayBuffer();
    return { status: response.status, headers: response.headers };
  };
  const json = { "content-type": "application/json" };
  const publicQuery = `?query=${encodeURIComponent(`{ events(first: 1) { edges { node { id } } } }`)}`;
  const kinds: [string, () => Promise<{ status: number; headers: Headers }>][] = [
    ["a plain query", () => gql(api.url, "{ __typename }", undefined, from)],
    ["a validation error", () => gql(api.url, "{ nope }", undefined, from)],
    ["a syntax error", () => gql(api.url, "{ __typename", undefined, from)],
    [
      "a persisted-query miss",
      () =>
        raw({
          method: "POST",
          headers: json,
          body: JSON.stringify({
            extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } },
          }),
        }),
    ],
    ["a public GET (cached)", () => raw({ path: publicQuery, headers: { "apollo-require-preflight": "1" } })],
    [
      "the same GET from the cache",
      () => raw({ path: publicQuery, headers: { "apollo-require-preflight": "1" } }),
    ],
    ["a body that is not JSON", () => raw({ method: "POST", headers: json, body: "{" })],
    ["a wrong method", () => raw({ method: "PUT", headers: json, body: "{}" })],
    [
      "a bad API key",
      () => gql(api.url, "{ __typename }", undefined, { ...from, authorization: "Bearer frk_x" }),
    ],
  ];
  let previous = IP_BUDGET;
  for (const [kind, send] of kinds) {
    const { status, headers } = await send();
    assert.equal(headers.get("ratelimit-limit"), String(IP_BUDGET), `${kind} (${status})`);
    const remaining = Number(headers.get("ratelimit-remaining"));
    assert.equal(remaining, previous - 1, `${kind}: one request less`);
    assert.ok(Number(headers.get("ratelimit-reset")) >= 1, kind);
    assert.equal(headers.get("retry-after"), null, kind);
    previous = remaining;
  }
  while (previous > 0)
    previous = Number(
      (await gql(api.url, "{ __typename }", undefined, from)).headers.get("ratelimit-remaining"),
    );
  const refused = await gql(api.url, "{ __typename }", undefined, from);
  assert.equal(refused.status, 429);
  assert.equal(errorCode(refused), "RATE_LIMITED");
  assert.equal(refused.errors?.[0]?.extensions?.limitedBy, "ip");
  assert.equal(refused.headers.get("ratelimit-remaining"), "0");
  const wait = Number(refused.headers.get("retry-after"));
  assert.ok(wait >= 1 && wait <= 60, String(wait));
  assert.equal(refused.errors?.[0]?.extensions?.retryAfterSeconds, wait);
  // Another caller is not affected.
  const other = await gql(api.url, "{ __typename }", undefined, { "x-forwarded-for": "203.0.113.8" });
  assert.equal(other.headers.get("ratelimit-remaining"), String(IP_BUDGET - 1));
});

test("a caller's requests on one instance count on the others within a flush", async () => {
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", {
    keyPrefix: testRedisPrefix("request-budget"),
  });
  const limits = { perSession: 5, perIp: 1_000 };
  const [a, b] = [0, 1].map(() => new RequestBudget(redis, limits, createLogger("silent"))) as [
    RequestBudget,
    RequestBudget,
  ];
  try {
    await awayFromMinuteEnd();
    const caller = { sessionToken: "a-session-token", ip: "198.51.100.1" };
    for (let i = 0; i < 3; i++) a.take(caller);
    assert.equal(b.take(caller).budget.remaining, 4, "before a flush, b knows only its own request");
    await sleep(500);
    const seen = b.take(caller);
    assert.equal(seen.budget.remaining, 0, "3 on a and 2 on b: the budget of 5 is spent");
    assert.equal(seen.retryAfterSeconds, null);
    // a learns the total at its next flush (it admits at most what comes in meanwhile), then refuses too.
    a.take(caller);
    await sleep(500);
    const refused = a.take(caller);
    assert.equal(refused.subject, "session");
    assert.ok(refused.retryAfterSeconds !== null && refused.retryAfterSeconds >= 1, "refused on a too");
  } finally {
    await a.stop();
    await b.stop();
    redis.disconnect();
  }
});
