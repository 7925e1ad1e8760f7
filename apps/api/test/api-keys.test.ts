import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { NOTABLE_EVENT_SLUGS } from "../src/seed/seed.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import {
  asFan,
  createFanAccounts,
  createFans,
  errorCode,
  eventIdOf,
  type Fan,
  HOLD_BEST,
  HOLD_SEATS,
  logIn,
  MANY_LOGINS,
} from "./support/holds.js";
import { type GraphQLResult, gql, startTestServer, type TestServer } from "./support/server.js";

const CREATE = `mutation ($name: String!, $scopes: [String!]!, $cost: Int) {
  createApiKey(name: $name, scopes: $scopes, costPerMinute: $cost) {
    secret apiKey { id name prefix scopes costPerMinute createdAt revokedAt } } }`;
const CATALOG = "{ events(first: 3) { totalCount edges { node { id name } } } }";

interface Created {
  secret: string;
  apiKey: { id: string; prefix: string; scopes: string[]; costPerMinute: number; revokedAt: string | null };
}

let database: TestDatabase;
let api: TestServer;
let organizer: Fan;
let fan: Fan;
let eventId: number;

before(async () => {
  database = await createTestDatabase({ seeded: true });
  api = await startTestServer(database.url, {
    ...MANY_LOGINS,
    RATE_LIMITS: JSON.stringify({ "Mutation.holdSeats": { apiKey: { points: 2, seconds: 60 } } }),
  });
  const account = await database.db.user.findUniqueOrThrow({ where: { email: "organizer@frontrow.test" } });
  organizer = {
    id: account.id,
    email: account.email,
    cookie: await logIn(api.url, account.email, "organizer-password"),
  };
  [fan] = (await createFans(database.db, api.url, 1, "keys")) as [Fan];
  eventId = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.theatreOnSale);
});

after(async () => {
  await api.close();
  await database.dispose();
});

async function createKey(scopes: string[], cost?: number, name = "partner"): Promise<Created> {
  const result = await asFan<{ createApiKey: Created }>(api.url, organizer, CREATE, { name, scopes, cost });
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data?.createApiKey as Created;
}

const withKey = <T = Record<string, unknown>>(
  secret: string,
  query: string,
  variables?: Record<string, unknown>,
) => gql<T>(api.url, query, variables, { authorization: `Bearer ${secret}` });

const costOf = (result: GraphQLResult<unknown>) =>
  (result as { extensions?: { cost?: { requested: number; remaining: number; budget: number } } }).extensions
    ?.cost;

describe("managing API keys", () => {
  test("organizers create keys whose secret is shown once and stored only hashed", async () => {
    const created = await createKey(["catalog:read"], 500);
    assert.match(created.secret, /^frk_[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]{43}$/);
    assert.ok(created.secret.startsWith(`${created.apiKey.prefix}.`));
    assert.deepEqual(created.apiKey.scopes, ["catalog:read"]);
    assert.equal(created.apiKey.costPerMinute, 500);
    const row = await database.db.apiKey.findUniqueOrThrow({ where: { id: created.apiKey.id } });
    assert.equal(row.ownerId, organizer.id);
    assert.ok(!row.secretHash.includes(created.secret.split(".")[1] as string), "the secret is not stored");
    const listed = await asFan<{ apiKeys: { id: string; prefix: string }[] }>(
      api.url,
      organizer,
      "{ apiKeys { id prefix } }",
    );
    assert.ok(
      listed.data?.apiKeys.some(
        (key) => key.id === created.apiKey.id && key.prefix === created.apiKey.prefix,
      ),
    );
    assert.doesNotMatch(JSON.stringify(listed), /secret/);
  });

  test("fans cannot create or list keys; unknown scopes are refused", async () => {
    assert.equal(
      errorCode(await asFan(api.url, fan, CREATE, { name: "x", scopes: ["catalog:read"] })),
      "FORBIDDEN",
    );
    assert.equal(errorCode(await asFan(api.url, fan, "{ apiKeys { id } }")), "FORBIDDEN");
    const bad = await asFan(api.url, organizer, CREATE, { name: "x", scopes: ["admin:all"] });
    assert.equal(errorCode(bad), "BAD_USER_INPUT");
  });
});

describe("requests with an API key", () => {
  test("are charged their computed cost, reported in extensions.cost, and refused over budget", async () => {
    const { secret } = await createKey(["catalog:read"], 100);
    const first = await withKey(secret, CATALOG);
    assert.equal(first.errors, undefined, JSON.stringify(first.errors));
    const cost = costOf(first);
    assert.ok(cost && cost.requested > 0, JSON.stringify(cost));
    assert.equal(cost.budget, 100);
    assert.equal(cost.remaining, 100 - cost.requested);
    let last = first;
    let spent = cost.requested;
    while (spent + cost.requested <= 100) {
      last = await withKey(secret, CATALOG);
      assert.equal(last.errors, undefined);
      spent += cost.requested;
      assert.equal(costOf(last)?.remaining, 100 - spent);
    }
    const refused = await withKey(secret, CATALOG);
    assert.equal(refused.status, 429);
    assert.equal(errorCode(refused), "RATE_LIMITED");
    const retryAfter = refused.errors?.[0]?.extensions?.retryAfterSeconds;
    assert.ok(typeof retryAfter === "number" && retryAfter >= 1 && retryAfter <= 60);
    assert.deepEqual(costOf(refused), { requested: cost.requested, remaining: 100 - spent, budget: 100 });
    assert.equal(refused.data, undefined);
  });

  test("need the scope of each root field; account and admin fields are never open to keys", async () => {
    const { secret } = await createKey(["catalog:read"]);
    const hold = await withKey(secret, HOLD_BEST, { eventId: String(eventId), quantity: 1 });
    assert.equal(errorCode(hold), "FORBIDDEN");
    assert.match(hold.errors?.[0]?.message ?? "", /holds:write/);
    assert.equal(errorCode(await withKey(secret, "{ me { id } }")), "FORBIDDEN");
    assert.equal(errorCode(await withKey(secret, "{ apiKeys { id } }")), "FORBIDDEN");
    assert.equal(
      errorCode(await withKey(secret, CREATE, { name: "more", scopes: ["holds:write"] })),
      "FORBIDDEN",
    );
  });

  test("holds:write holds seats on behalf of the key's owner", async () => {
    const { secret } = await createKey(["holds:write"]);
    const held = await withKey<{ holdBestAvailable: { id: string } }>(secret, HOLD_BEST, {
      eventId: String(eventId),
      quantity: 2,
    });
    assert.equal(held.errors, undefined, JSON.stringify(held.errors));
    const row = await database.db.hold.findUniqueOrThrow({ where: { id: held.data?.holdBestAvailable.id } });
    assert.equal(row.userId, organizer.id);
    const me = await withKey<{ me: { id: string } }>(secret, "{ me { id } }");
    assert.equal(me.data?.me.id, organizer.id);
  });

  test("a revoked, forged or malformed key is refused with UNAUTHENTICATED", async () => {
    const { secret, apiKey } = await createKey(["catalog:read"]);
    assert.equal((await withKey(secret, CATALOG)).errors, undefined);
    const forged = `${apiKey.prefix}.${"A".repeat(43)}`;
    const refusedForged = await withKey(forged, CATALOG);
    assert.equal(refusedForged.status, 401);
    assert.equal(errorCode(refusedForged), "UNAUTHENTICATED");
    assert.equal(errorCode(await withKey("not-a-key", CATALOG)), "UNAUTHENTICATED");
    const other = await gql(api.url, CATALOG, undefined, { authorization: "Basic dXNlcjpwYXNz" });
    assert.equal(errorCode(other), "UNAUTHENTICATED");

    const revoke = "mutation ($id: ID!) { revokeApiKey(id: $id) }";
    assert.equal(
      (await asFan(api.url, fan, revoke, { id: apiKey.id })).errors?.[0]?.extensions?.code,
      "FORBIDDEN",
    );
    assert.deepEqual((await asFan(api.url, organizer, revoke, { id: apiKey.id })).data, {
      revokeApiKey: true,
    });
    assert.deepEqual((await asFan(api.url, organizer, revoke, { id: apiKey.id })).data, {
      revokeApiKey: false,
    });
    const revoked = await withKey(secret, CATALOG);
    assert.equal(revoked.status, 401);
    assert.equal(errorCode(revoked), "UNAUTHENTICATED");
    assert.match(revoked.errors?.[0]?.message ?? "", /revoked/);
  });
});

describe("API keys and the other defences", () => {
  test("each key has its own request rate limits", async () => {
    const first = await createKey(["holds:write"]);
    const second = await createKey(["holds:write"]);
    const emptyHold = (secret: string) =>
      withKey(secret, HOLD_SEATS, { eventId: String(eventId), seatIds: [] });
    for (let i = 0; i < 2; i++) assert.equal(errorCode(await emptyHold(first.secret)), "BAD_USER_INPUT");
    const refused = await emptyHold(first.secret);
    assert.equal(errorCode(refused), "RATE_LIMITED");
    assert.equal(refused.errors?.[0]?.extensions?.limitedBy, "apiKey");
    assert.equal(typeof refused.errors?.[0]?.extensions?.retryAfterSeconds, "number");
    // Same owner account, another key: counted apart.
    assert.equal(errorCode(await emptyHold(second.secret)), "BAD_USER_INPUT");
  });

  test("a blocked owner's keys are refused with FORBIDDEN", async () => {
    const [account] = await createFanAccounts(database.db, 1, "keys-owner");
    const owner = account as { id: string; email: string };
    await database.db.user.update({ where: { id: owner.id }, data: { role: "ORGANIZER" } });
    const ownerCookie = await logIn(api.url, owner.email);
    const created = await asFan<{ createApiKey: Created }>(api.url, { cookie: ownerCookie }, CREATE, {
      name: "soon blocked",
      scopes: ["catalog:read"],
    });
    const secret = created.data?.createApiKey.secret as string;
    assert.equal((await withKey(secret, CATALOG)).errors, undefined);
    const admin = await logIn(api.url, "admin@frontrow.test", "admin-password");
    const blocked = await asFan(
      api.url,
      { cookie: admin },
      'mutation ($userId: ID!) { blockAccount(userId: $userId, reason: "resells tickets") }',
      { userId: owner.id },
    );
    assert.equal(blocked.errors, undefined, JSON.stringify(blocked.errors));
    const refused = await withKey(secret, CATALOG);
    assert.equal(refused.status, 403);
    assert.equal(errorCode(refused), "FORBIDDEN");
  });
});
