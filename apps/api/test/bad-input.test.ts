import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { GraphQLError } from "graphql";
import { createErrorFormatter } from "../src/graphql/format-error.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { gql, startTestServer, type TestServer } from "./support/server.js";
import { overWebSocket } from "./support/ws.js";

// Issue 12, defects 6, 8 and 10: a NUL byte in a string argument was INTERNAL_SERVER_ERROR (Postgres 22021)
// in the events filter, signUp, logIn and checkout; LIKE wildcards in the events filter were not escaped
// (`category: "%"` matched everything, `"\\"` was INTERNAL_SERVER_ERROR); `holdBestAvailable(priceTierId: "")`
// was accepted as "any tier". Seen against NODE_ENV=production, as here.

let database: TestDatabase;
let api: TestServer;
let fanCookie: string;

before(async () => {
  database = await createTestDatabase({ seeded: true });
  api = await startTestServer(database.url, { NODE_ENV: "production" });
  const signedUp = await gql(
    api.url,
    `mutation { signUp(email: "bad.input@example.com", password: "long enough password") { id } }`,
  );
  const cookie = signedUp.headers.getSetCookie().find((value) => value.startsWith("frontrow_session="));
  assert.ok(cookie, JSON.stringify(signedUp.errors));
  fanCookie = cookie.split(";")[0] as string;
});

after(async () => {
  await api.close();
  await database.dispose();
});

const EVENTS = `query ($filter: EventFilter) { events(filter: $filter, first: 100) { totalCount } }`;
const SIGN_UP = `mutation ($email: String!, $name: String, $password: String!) {
  signUp(email: $email, name: $name, password: $password) { id } }`;
const LOG_IN = `mutation ($email: String!, $password: String!) { logIn(email: $email, password: $password) { id } }`;
const CHECKOUT = `mutation ($holdId: ID!, $key: String!) {
  checkout(holdId: $holdId, idempotencyKey: $key, paymentToken: "tok_visa") { id } }`;

/** Strings no argument may carry, each with what is wrong with it. */
const HOSTILE_STRINGS: [string, string][] = [
  ["a NUL byte", "jazz\u0000"],
  ["a control character", "ja\u0007zz"],
  ["an escape sequence", "\u001b[2Jjazz"],
  ["a C1 control character", "jazz\u0085"],
  ["a lone high surrogate", "jazz\ud800"],
  ["a lone low surrogate", "\udc00jazz"],
  ["an over-long string", "j".repeat(5_000)],
];

/** Calls whose string arguments (inside input objects and variables too) take the hostile strings. */
const CALLS: {
  name: string;
  query: string;
  variables: (bad: string) => Record<string, unknown>;
  auth?: boolean;
}[] = [
  { name: "events(filter.city)", query: EVENTS, variables: (bad) => ({ filter: { city: bad } }) },
  { name: "events(filter.search)", query: EVENTS, variables: (bad) => ({ filter: { search: bad } }) },
  { name: "events(filter.category)", query: EVENTS, variables: (bad) => ({ filter: { category: bad } }) },
  {
    name: "signUp(email)",
    query: SIGN_UP,
    variables: (bad) => ({ email: `${bad}@example.com`, password: "long enough password" }),
  },
  {
    name: "signUp(name)",
    query: SIGN_UP,
    variables: (bad) => ({ email: "other@example.com", name: bad, password: "long enough password" }),
  },
  {
    name: "logIn(email)",
    query: LOG_IN,
    variables: (bad) => ({ email: bad, password: "whatever password" }),
  },
  {
    name: "checkout(idempotencyKey)",
    query: CHECKOUT,
    variables: (bad) => ({ holdId: "0190a0a0-0000-7000-8000-000000000000", key: bad }),
    auth: true,
  },
];

describe("every string argument refuses what no field takes, with BAD_USER_INPUT", () => {
  for (const call of CALLS) {
    test(call.name, async () => {
      for (const [what, bad] of HOSTILE_STRINGS) {
        const result = await gql(
          api.url,
          call.query,
          call.variables(bad),
          call.auth ? { cookie: fanCookie } : {},
        );
        assert.ok(result.status < 500, `${what}: HTTP ${result.status}`);
        assert.equal(
          result.errors?.[0]?.extensions?.code,
          "BAD_USER_INPUT",
          `${what}: ${JSON.stringify(result)}`,
        );
      }
    });
  }

  test("in a literal of the document, and over WebSocket", async () => {
    const literal = await gql(api.url, `{ events(filter: { city: "Berlin\\u0000" }) { totalCount } }`);
    assert.equal(literal.errors?.[0]?.extensions?.code, "BAD_USER_INPUT", JSON.stringify(literal));
    const overWs = await overWebSocket(api.url, {
      query: EVENTS,
      variables: { filter: { search: "a\u0000" } },
    });
    const errors = overWs.errors ?? overWs.results.flatMap((result) => result.errors ?? []);
    assert.equal(errors[0]?.extensions?.code, "BAD_USER_INPUT", JSON.stringify(overWs));
  });

  test("ordinary text passes: accents, emoji, tabs and new lines", async () => {
    const result = await gql(api.url, EVENTS, { filter: { search: "Café 🎷\tjazz\nnight" } });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  });
});

describe("the events filter takes LIKE wildcards as text", () => {
  const totalOf = async (filter: Record<string, unknown>) => {
    const result = await gql<{ events: { totalCount: number } }>(api.url, EVENTS, { filter });
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    return result.data?.events.totalCount;
  };

  test("% and _ match only themselves; a backslash is no error", async () => {
    assert.ok(((await totalOf({})) ?? 0) > 0, "the seed has events");
    for (const pattern of ["%", "_", "%%", "____", "\\", "\\%", "a\\"]) {
      assert.equal(await totalOf({ category: pattern }), 0, `category ${JSON.stringify(pattern)}`);
      assert.equal(await totalOf({ city: pattern }), 0, `city ${JSON.stringify(pattern)}`);
      assert.equal(await totalOf({ search: pattern }), 0, `search ${JSON.stringify(pattern)}`);
    }
  });
});

test('holdBestAvailable(priceTierId: "") is refused, not taken as any tier', async () => {
  const { id } = await database.db.event.findFirstOrThrow({
    where: { status: "ON_SALE", queueEnabled: false },
  });
  const result = await gql(
    api.url,
    `mutation ($eventId: ID!) { holdBestAvailable(eventId: $eventId, quantity: 1, priceTierId: "") { id } }`,
    { eventId: String(id) },
    { cookie: fanCookie },
  );
  assert.equal(result.errors?.[0]?.extensions?.code, "BAD_USER_INPUT", JSON.stringify(result));
});

test("a Prisma transaction timeout (P2028) is SERVICE_UNAVAILABLE with retryAfterSeconds, not internal", async () => {
  // A real P2028 from Postgres: the transaction outlives its timeout, as under load.
  const timedOut = await database.db
    .$transaction(
      async (tx) => {
        await tx.$queryRaw`SELECT 1`;
        await sleep(300);
        return tx.$queryRaw`SELECT 1`;
      },
      { timeout: 50 },
    )
    .then(
      () => assert.fail("the transaction should time out"),
      (error: unknown) => error,
    );
  assert.equal((timedOut as { code?: string }).code, "P2028");
  const format = createErrorFormatter(false);
  // As graphql-js hands a resolver's error to Apollo Server's formatError.
  const wrapped = new GraphQLError((timedOut as Error).message, {
    path: ["holdSeats"],
    originalError: timedOut as Error,
  });
  const formatted = format(wrapped.toJSON(), wrapped);
  assert.equal(formatted.extensions?.code, "SERVICE_UNAVAILABLE", JSON.stringify(formatted));
  assert.ok(Number(formatted.extensions?.retryAfterSeconds) >= 1);
  assert.doesNotMatch(formatted.message, /transaction|prisma/i);
});
