import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { loadConfig } from "../src/config.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { gql, startTestServer, type TestServer } from "./support/server.js";
import { overWebSocket } from "./support/ws.js";

let database: TestDatabase;
let api: TestServer;
let production: TestServer;

before(async () => {
  database = await createTestDatabase({ seeded: true });
  api = await startTestServer(database.url, {
    MAX_QUERY_DEPTH: "5",
    MAX_QUERY_COST: "800",
    MAX_SUBSCRIPTIONS_PER_SOCKET: "3",
  });
  production = await startTestServer(database.url, { NODE_ENV: "production" });
});

after(async () => {
  await api.close();
  await production.close();
  await database.dispose();
});

// events › edges › node › priceTiers › price › amount: six levels.
const DEPTH_6 = "query Deep { events { edges { node { priceTiers { price { amount } } } } } }";
const DEPTH_6_VIA_FRAGMENT =
  "query Deep { events { edges { node { ...Tiers } } } } fragment Tiers on Event { priceTiers { price { amount } } }";
const DEPTH_5 = "query Shallow { events { edges { node { venue { name } priceTiers { name } } } } }";
const COSTLY = `query Costly { events(first: 100) { edges { node { name venue { name city } performer { name }
  priceTiers { name } availability { available } } } } }`;

describe("operation limits", () => {
  test("over HTTP: too deep or too costly operations get QUERY_TOO_COMPLEX before running", async () => {
    assert.equal((await gql(api.url, DEPTH_5)).errors, undefined);
    for (const query of [DEPTH_6, DEPTH_6_VIA_FRAGMENT]) {
      const refused = await gql(api.url, query);
      // A client that accepts only application/json gets 200 for request errors (GraphQL over HTTP).
      assert.equal(refused.status, 200);
      assert.equal(refused.errors?.[0]?.extensions?.code, "QUERY_TOO_COMPLEX");
      assert.match(refused.errors?.[0]?.message ?? "", /too deep: depth 6, at most 5/);
      assert.equal(refused.data, undefined);
    }
    const costly = await gql(api.url, COSTLY, undefined, { accept: "application/graphql-response+json" });
    assert.equal(costly.status, 400);
    assert.equal(costly.errors?.[0]?.extensions?.code, "QUERY_TOO_COMPLEX");
    assert.match(costly.errors?.[0]?.message ?? "", /too costly: cost \d+, at most 800/);
    // The same selection on a small page is cheap enough.
    assert.equal((await gql(api.url, COSTLY.replace("first: 100", "first: 5"))).errors, undefined);
  });

  test("over WebSocket: the same limits apply to graphql-ws operations", async () => {
    const allowed = await overWebSocket(api.url, { query: DEPTH_5 });
    assert.equal(allowed.errors, undefined);
    assert.equal(allowed.results.length, 1);
    for (const query of [DEPTH_6, COSTLY]) {
      const refused = await overWebSocket(api.url, { query });
      assert.equal(refused.errors?.[0]?.extensions?.code, "QUERY_TOO_COMPLEX", query);
      assert.equal(refused.results.length, 0);
    }
    const invalid = await overWebSocket(api.url, { query: "{ nope }" });
    assert.match(invalid.errors?.[0]?.message ?? "", /Cannot query field "nope"/);
  });

  test("one WebSocket runs at most MAX_SUBSCRIPTIONS_PER_SOCKET subscriptions at once", {
    timeout: 10_000,
  }, async () => {
    const { id } = await database.db.event.findFirstOrThrow({ where: { status: "ON_SALE" } });
    const client = createClient({
      url: api.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    const refusals: string[] = [];
    let refused: () => void = () => undefined;
    const subscribe = (name: string) =>
      client.subscribe(
        { query: "subscription ($id: ID!) { seatMapChanged(eventId: $id) { version } }", variables: { id } },
        {
          next: () => undefined,
          error: (error) => {
            const code = Array.isArray(error) ? error[0]?.extensions?.code : "not a GraphQL error";
            refusals.push(`${name}: ${code}`);
            refused();
          },
          complete: () => undefined,
        },
      );
    const nextRefusal = () => new Promise<void>((resolve) => (refused = resolve));
    try {
      let waiting = nextRefusal();
      const [first] = [subscribe("1"), subscribe("2"), subscribe("3")];
      subscribe("4");
      await waiting;
      // The server answers a socket's messages in order: a refusal of 1–3 would have come first.
      assert.deepEqual(refusals, ["4: RATE_LIMITED"]);
      first?.();
      waiting = nextRefusal();
      subscribe("5");
      subscribe("6");
      await waiting;
      assert.deepEqual(refusals, ["4: RATE_LIMITED", "6: RATE_LIMITED"], "completing one makes room for one");
    } finally {
      await client.dispose();
    }
  });

  test("WebSocket connections from a foreign browser origin are refused", async () => {
    const foreign = await overWebSocket(api.url, { query: DEPTH_5 }, { origin: "https://evil.example" });
    assert.equal(foreign.results.length, 0);
    const webApp = await overWebSocket(api.url, { query: DEPTH_5 }, { origin: "http://localhost:3000" });
    assert.equal(webApp.results.length, 1);
    const sameOrigin = await overWebSocket(api.url, { query: DEPTH_5 }, { origin: api.origin });
    assert.equal(sameOrigin.results.length, 1);
  });
});

describe("errors", () => {
  test("production hides stack traces and schema suggestions; development shows traces", async () => {
    const typo = await gql(production.url, "{ evnts { totalCount } }");
    assert.equal(typo.status, 200);
    assert.equal(typo.errors?.[0]?.extensions?.code, "GRAPHQL_VALIDATION_FAILED");
    assert.doesNotMatch(typo.errors?.[0]?.message ?? "", /Did you mean/);
    const bad = await gql(production.url, `{ event(id: "x") { id } }`);
    assert.equal(bad.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
    assert.equal(bad.errors?.[0]?.extensions?.stacktrace, undefined);
    const devTypo = await gql(api.url, "{ evnts { totalCount } }");
    assert.match(devTypo.errors?.[0]?.message ?? "", /Did you mean "events"/);
  });

  test("malformed requests are answered with a GraphQL error and a 4xx (200 for a syntax error to an application/json client), never a 500", async () => {
    const post = (body: string, headers: Record<string, string> = { "content-type": "application/json" }) =>
      fetch(api.url, { method: "POST", headers, body });
    const cases: [Response, number][] = [
      [await post("{not json"), 400],
      // A well-formed request whose query does not parse: 200 for application/json (GraphQL over HTTP).
      [await post(JSON.stringify({ query: "{" })), 200],
      [await post(JSON.stringify({ variables: {} })), 400],
      [await post(JSON.stringify({ query: "{ __typename }" }), { "content-type": "text/plain" }), 400],
      [await post("x".repeat(300 * 1024)), 413],
      [await fetch(api.url, { method: "PUT", body: "{}" }), 405],
    ];
    for (const [response, status] of cases) {
      assert.equal(response.status, status);
      const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
      assert.ok(body.errors?.[0]?.extensions?.code, `a code for ${status}`);
    }
  });

  test("GET queries need a CSRF preflight header; with it they work", async () => {
    const url = `${api.url}?query=${encodeURIComponent("{ categories }")}`;
    const blocked = await fetch(url, { headers: { accept: "application/json" } });
    assert.equal(blocked.status, 400);
    const allowed = await fetch(url, {
      headers: { accept: "application/json", "apollo-require-preflight": "1" },
    });
    assert.equal(allowed.status, 200);
    assert.ok(((await allowed.json()) as { data: { categories: string[] } }).data.categories.length > 0);
  });
});

describe("operations endpoints", () => {
  test("/healthz, /readyz and /metrics report the process and its dependencies", async () => {
    assert.deepEqual(await (await fetch(`${api.origin}/healthz`)).json(), { status: "ok" });
    const ready = await fetch(`${api.origin}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: "ready", postgres: "up", redis: "up" });
    const metrics = await (await fetch(`${api.origin}/metrics`)).text();
    assert.match(metrics, /frontrow_http_requests_total/);
    assert.match(metrics, /frontrow_graphql_operation_seconds_bucket/);
  });

  test("/readyz tells when Redis or Postgres is down, without hanging", async () => {
    const noRedis = await startTestServer(database.url, { REDIS_URL: "redis://127.0.0.1:1" });
    const noPostgres = await startTestServer("postgresql://postgres@127.0.0.1:1/nothing");
    try {
      const started = Date.now();
      const degraded = await fetch(`${noRedis.origin}/readyz`);
      assert.equal(degraded.status, 200);
      assert.deepEqual(await degraded.json(), { status: "degraded", postgres: "up", redis: "down" });
      const unavailable = await fetch(`${noPostgres.origin}/readyz`);
      assert.equal(unavailable.status, 503);
      assert.equal(((await unavailable.json()) as { postgres: string }).postgres, "down");
      assert.ok(Date.now() - started < 5_000, "answers within seconds");
      const query = await gql(noPostgres.url, "{ categories }");
      assert.equal(query.errors?.[0]?.extensions?.code, "SERVICE_UNAVAILABLE");
    } finally {
      await noRedis.close();
      await noPostgres.close();
    }
  });

  test("every response carries a request id; a caller's own id is kept", async () => {
    const own = await fetch(`${api.origin}/healthz`, { headers: { "x-request-id": "trace-123" } });
    assert.equal(own.headers.get("x-request-id"), "trace-123");
    const generated = await fetch(`${api.origin}/healthz`, {
      headers: { "x-request-id": "bad id with spaces" },
    });
    assert.match(generated.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
  });

  test("CORS lets the web app call the API with credentials, and nobody else", async () => {
    const preflight = await fetch(api.url, {
      method: "OPTIONS",
      headers: { origin: "http://localhost:3000", "access-control-request-method": "POST" },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "http://localhost:3000");
    assert.equal(preflight.headers.get("access-control-allow-credentials"), "true");
    const foreign = await fetch(api.url, { method: "OPTIONS", headers: { origin: "https://evil.example" } });
    assert.equal(foreign.headers.get("access-control-allow-origin"), null);
  });
});

test("configuration is validated at boot with messages that name the setting", () => {
  assert.throws(
    () => loadConfig({ PORT: "abc", DATABASE_URL: "mysql://x", REDIS_URL: "not a url" }),
    (error: Error) =>
      /Invalid configuration/.test(error.message) &&
      /PORT/.test(error.message) &&
      /DATABASE_URL: must be a postgresql:\/\/ URL/.test(error.message) &&
      /REDIS_URL/.test(error.message),
  );
  assert.equal(loadConfig({}).PORT, 4000);
});
