import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { loadConfig } from "../src/config.js";
import { NOTABLE_EVENT_SLUGS } from "../src/seed/seed.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import {
  createFans,
  errorCode,
  type Fan,
  freePort,
  HOLD_BEST,
  HOLD_SEATS,
  MANY_LOGINS,
} from "./support/holds.js";
import { type GraphQLResult, gql, startTestServer, type TestServer } from "./support/server.js";

// Small limits, each test on a field or address of its own, so that no test depends on another's counts.
const RATE_LIMITS = {
  "Mutation.holdSeats": { account: { points: 2, seconds: 60 }, ip: { points: 1_000, seconds: 60 } },
  "Mutation.holdBestAvailable": { account: { points: 1_000, seconds: 60 }, ip: { points: 3, seconds: 60 } },
  "Mutation.signUp": { ip: { points: 2, seconds: 3_600 } },
};

let database: TestDatabase;
let api: TestServer;
let fans: Fan[];
let eventId: number;

before(async () => {
  database = await createTestDatabase({ seeded: true });
  api = await startTestServer(database.url, {
    ...MANY_LOGINS,
    TRUST_PROXY: "true",
    RATE_LIMITS: JSON.stringify(RATE_LIMITS),
  });
  fans = await createFans(database.db, api.url, 4, "rate");
  eventId = (
    await database.db.event.findUniqueOrThrow({ where: { slug: NOTABLE_EVENT_SLUGS.theatreOnSale } })
  ).id;
});

after(async () => {
  await api.close();
  await database.dispose();
});

const from = (fan: Fan, ip: string) => ({ cookie: fan.cookie, "x-forwarded-for": ip });
// Asking for no seats is refused by the holds service, after the rate limit has counted the request.
const emptyHold = (fan: Fan, ip: string) =>
  gql(api.url, HOLD_SEATS, { eventId: String(eventId), seatIds: [] }, from(fan, ip));

function assertRateLimited(result: GraphQLResult<unknown>, limitedBy: string, windowSeconds = 60) {
  assert.equal(errorCode(result), "RATE_LIMITED", JSON.stringify(result.errors));
  const extensions = result.errors?.[0]?.extensions ?? {};
  assert.equal(extensions.limitedBy, limitedBy);
  const retryAfter = extensions.retryAfterSeconds;
  assert.ok(
    typeof retryAfter === "number" && retryAfter >= 1 && retryAfter <= windowSeconds,
    `retryAfterSeconds ${retryAfter}`,
  );
  assert.match(result.errors?.[0]?.message ?? "", /try again in \d+ s/);
}

describe("rate limits", () => {
  test("RATE_LIMITS overrides are validated at boot", () => {
    assert.throws(() => loadConfig({ RATE_LIMITS: "{" }), /RATE_LIMITS: must be JSON/);
    assert.throws(
      () =>
        loadConfig({ RATE_LIMITS: JSON.stringify({ "Query.events": { ip: { points: 1, seconds: 1 } } }) }),
      /RATE_LIMITS/,
    );
    assert.throws(
      () =>
        loadConfig({
          RATE_LIMITS: JSON.stringify({ "Mutation.holdSeats": { ip: { points: 0, seconds: 60 } } }),
        }),
      /RATE_LIMITS/,
    );
  });

  test("per account: the third holdSeats in a minute is RATE_LIMITED, other fans are not", async () => {
    const [fan, other] = fans as [Fan, Fan];
    for (const ip of ["10.1.0.1", "10.1.0.2"]) {
      const allowed = await emptyHold(fan, ip);
      assert.equal(errorCode(allowed), "BAD_USER_INPUT", JSON.stringify(allowed.errors));
    }
    // A new address does not reset an account's count.
    assertRateLimited(await emptyHold(fan, "10.1.0.3"), "account");
    assert.equal(errorCode(await emptyHold(other, "10.1.0.3")), "BAD_USER_INPUT");
  });

  test("per IP: a fourth holdBestAvailable from one address is refused, whoever asks", async () => {
    const ip = "10.2.0.1";
    const best = (fan: Fan, address: string) =>
      gql(api.url, HOLD_BEST, { eventId: String(eventId), quantity: 0 }, from(fan, address));
    for (const fan of fans.slice(0, 3)) assert.equal(errorCode(await best(fan, ip)), "BAD_USER_INPUT");
    assertRateLimited(await best(fans[3] as Fan, ip), "ip");
    assert.equal(errorCode(await best(fans[3] as Fan, "10.2.0.2")), "BAD_USER_INPUT");
  });

  test("per IP without an account: signUp", async () => {
    const signUp = (n: number, ip: string) =>
      gql(
        api.url,
        'mutation ($e: String!) { signUp(email: $e, password: "rate-limit-passphrase") { id } }',
        { e: `rate-signup-${n}@example.test` },
        { "x-forwarded-for": ip },
      );
    assert.equal((await signUp(1, "10.3.0.1")).errors, undefined);
    assert.equal((await signUp(2, "10.3.0.1")).errors, undefined);
    assertRateLimited(await signUp(3, "10.3.0.1"), "ip", 3_600);
    assert.equal(await database.db.user.count({ where: { email: "rate-signup-3@example.test" } }), 0);
    assert.equal((await signUp(4, "10.3.0.2")).errors, undefined);
  });

  test("fail open: without Redis the limits let requests through and holds keep working", async () => {
    const offline = await startTestServer(database.url, {
      ...MANY_LOGINS,
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      RATE_LIMITS: JSON.stringify({ "Mutation.holdBestAvailable": { account: { points: 1, seconds: 60 } } }),
    });
    try {
      const [fan] = await createFans(database.db, offline.url, 1, "rate-offline");
      for (let i = 0; i < 2; i++) {
        const held = await gql<{ holdBestAvailable: { id: string } }>(
          offline.url,
          HOLD_BEST,
          { eventId: String(eventId), quantity: 1 },
          { cookie: (fan as Fan).cookie },
        );
        assert.equal(held.errors, undefined, JSON.stringify(held.errors));
      }
      const metrics = await (await fetch(`${offline.origin}/metrics`)).text();
      assert.match(
        metrics,
        /frontrow_rate_limit_decisions_total\{field="Mutation.holdBestAvailable",outcome="failed_open"\} 2/,
      );
    } finally {
      await offline.close();
    }
  });
});
