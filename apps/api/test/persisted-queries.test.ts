import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, test } from "node:test";
import { loadWebOperations } from "../src/graphql/persisted-operations.js";
import { playgroundAssetsDir } from "../src/http/playground.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { asFan, errorCode, logIn, MANY_LOGINS } from "./support/holds.js";
import { testRedisPrefix } from "./support/redis-prefix.js";
import { type GraphQLResult, gql, startTestServer, type TestServer } from "./support/server.js";

// Automatic persisted queries (Apollo's protocol, over POST and GET, shared by every instance through
// Redis) and per-key safelists (docs/partners.md, "Persisted operations").

let database: TestDatabase;
let api: TestServer;
let other: TestServer;
let organizer: { cookie: string };

before(async () => {
  database = await createTestDatabase({ seeded: true });
  const prefix = testRedisPrefix("apq");
  api = await startTestServer(database.url, { ...MANY_LOGINS, REDIS_KEY_PREFIX: prefix });
  other = await startTestServer(database.url, { ...MANY_LOGINS, REDIS_KEY_PREFIX: prefix });
  organizer = { cookie: await logIn(api.url, "organizer@frontrow.test", "organizer-password") };
});

after(async () => {
  await Promise.all([api.close(), other.close()]);
  await database.dispose();
});

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

async function post(url: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    ...((await response.json()) as object),
  } as GraphQLResult;
}

async function get(url: string, params: Record<string, unknown>, headers: Record<string, string> = {}) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    search.set(name, typeof value === "string" ? value : JSON.stringify(value));
  }
  const response = await fetch(`${url}?${search}`, {
    headers: { "apollo-require-preflight": "1", ...headers },
  });
  return {
    status: response.status,
    headers: response.headers,
    ...((await response.json()) as object),
  } as GraphQLResult;
}

test("over POST: a hash alone misses until the query has been sent once with it; then it hits", async () => {
  const query = `{ events(first: 2) { totalCount edges { node { id name } } } } # post ${Date.now()}`;
  const hash = sha256(query);
  const miss = await post(api.url, { extensions: persisted(hash) });
  assert.equal(errorCode(miss), "PERSISTED_QUERY_NOT_FOUND");
  const full = await post(api.url, { query, extensions: persisted(hash) });
  assert.equal(full.errors, undefined, JSON.stringify(full.errors));
  const hit = await post(api.url, { extensions: persisted(hash) });
  assert.equal(hit.errors, undefined, JSON.stringify(hit.errors));
  assert.deepEqual(hit.data, full.data);
  const elsewhere = await post(other.url, { extensions: persisted(hash) });
  assert.deepEqual(elsewhere.data, full.data, "another instance knows it (Redis)");
  const wrong = await post(api.url, { query, extensions: persisted(sha256("something else")) });
  assert.ok(wrong.errors?.length, "a hash that does not match the query is refused");
});

test("over GET: the same protocol, and a hit is a cacheable GET", async () => {
  const query = `{ events(first: 1) { edges { node { id name } } } } # get ${Date.now()}`;
  const hash = sha256(query);
  assert.equal(errorCode(await get(api.url, { extensions: persisted(hash) })), "PERSISTED_QUERY_NOT_FOUND");
  const full = await get(api.url, { query, extensions: persisted(hash) });
  assert.equal(full.errors, undefined, JSON.stringify(full.errors));
  const hit = await get(other.url, { extensions: persisted(hash) });
  assert.equal(hit.errors, undefined, JSON.stringify(hit.errors));
  assert.deepEqual(hit.data, full.data);
  assert.match(hit.headers.get("cache-control") ?? "", /public/, "public catalog data: CDNs may keep it");
});

test("the web app's operations are registered at build time: their hashes hit at once", async () => {
  const registered = [...loadWebOperations(playgroundAssetsDir).values()];
  assert.ok(registered.length >= 30, "every operation of packages/operations");
  const options = registered.find((operation) => operation.name === "CatalogOptions");
  assert.ok(options);
  assert.equal(options.sha256Hash, sha256(options.document));
  const hit = await get(api.url, { extensions: persisted(options.sha256Hash) });
  assert.equal(hit.errors, undefined, JSON.stringify(hit.errors));
  assert.ok(Array.isArray((hit.data as { cities?: unknown }).cities));
});

test("a key in safelist mode runs its registered operations only, by text or by hash", async () => {
  const created = await asFan<{ createApiKey: { secret: string; apiKey: { id: string } } }>(
    api.url,
    organizer,
    `mutation { createApiKey(name: "safelisted", scopes: ["catalog:read"]) { secret apiKey { id } } }`,
  );
  const { secret, apiKey } = created.data?.createApiKey ?? { secret: "", apiKey: { id: "" } };
  const key = { authorization: `Bearer ${secret}` };
  const registered = "query PartnerEvents { events(first: 3) { edges { node { id name } } } }";
  const unregistered = "{ events(first: 1) { totalCount } }";

  const bad = await asFan(
    api.url,
    organizer,
    "mutation ($id: ID!, $d: [String!]!) { registerApiKeyOperations(apiKeyId: $id, documents: $d) { sha256Hash } }",
    {
      id: apiKey.id,
      d: ["{ nope }"],
    },
  );
  assert.equal(errorCode(bad), "BAD_USER_INPUT");
  assert.equal(bad.errors?.[0]?.extensions?.field, "documents");
  const ops = await asFan<{ registerApiKeyOperations: { sha256Hash: string; name: string }[] }>(
    api.url,
    organizer,
    "mutation ($id: ID!, $d: [String!]!) { registerApiKeyOperations(apiKeyId: $id, documents: $d) { sha256Hash name } }",
    { id: apiKey.id, d: [registered] },
  );
  assert.deepEqual(ops.data?.registerApiKeyOperations, [
    { sha256Hash: sha256(registered), name: "PartnerEvents" },
  ]);

  assert.equal(
    (await gql(api.url, unregistered, undefined, key)).errors,
    undefined,
    "not in safelist mode yet",
  );
  const on = await asFan(
    api.url,
    organizer,
    "mutation ($id: ID!) { setApiKeySafelist(apiKeyId: $id, enabled: true) }",
    {
      id: apiKey.id,
    },
  );
  assert.equal(on.errors, undefined, JSON.stringify(on.errors));

  const refused = await gql(api.url, unregistered, undefined, key);
  assert.equal(refused.status, 403);
  assert.equal(errorCode(refused), "FORBIDDEN");
  assert.equal(refused.errors?.[0]?.extensions?.reason, "OPERATION_NOT_SAFELISTED");
  const refusedHash = await post(api.url, { extensions: persisted(sha256(unregistered)) }, key);
  assert.equal(refusedHash.status, 403);

  const byText = await gql(api.url, registered, undefined, key);
  assert.equal(byText.errors, undefined, JSON.stringify(byText.errors));
  // By hash alone, never sent before on the other instance: the registered document runs.
  const byHash = await get(other.url, { extensions: persisted(sha256(registered)) }, key);
  assert.equal(byHash.errors, undefined, JSON.stringify(byHash.errors));
  assert.deepEqual(byHash.data, byText.data);
});
