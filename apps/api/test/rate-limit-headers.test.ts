import assert from "node:assert/strict";
import { after, before, test } from "node:test";
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
import { type GraphQLResult, gql, startTestServer, type TestServer } from "./support/server.js";

// The caller's budget in HTTP headers (docs/api.md, "Rate-limit headers"): RateLimit-Limit, -Remaining,
// -Reset on every response that counted against a budget, Retry-After on every RATE_LIMITED.

let database: TestDatabase;
let api: TestServer;
let organizer: Pick<Fan, "cookie">;
let fan: Fan;
let eventId: number;

before(async () => {
  database = await createTestDatabase({ seeded: true });
  api = await startTestServer(database.url, {
    ...MANY_LOGINS,
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
  const withKey = () => gql(api.url, query, undefined, { authorization: `Bearer ${secret}` });
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

test("requests that count against no budget carry no rate-limit headers", async () => {
  const result = await gql(api.url, "{ __typename }");
  assert.equal(result.headers.get("ratelimit-limit"), null);
  assert.equal(result.headers.get("retry-after"), null);
});
