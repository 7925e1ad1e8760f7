import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { gql, startTestServer, type TestServer } from "./support/server.js";
import { overWebSocket } from "./support/ws.js";

// Issue 12, defect 9: errors over WebSocket carried no extensions.code (syntax, validation, the nested
// fragments), and the cost-limit error leaked extensions.http. The same operation must get the same codes
// over HTTP and WebSocket, and nothing of the HTTP layer, with production's masking.

let database: TestDatabase;
let api: TestServer;
let fanToken: string;
let fanCookie: string;

before(async () => {
  database = await createTestDatabase({ seeded: true });
  api = await startTestServer(database.url, {
    NODE_ENV: "production",
    MAX_QUERY_COST: "800",
    MAX_QUERY_DEPTH: "5",
  });
  const signedUp = await gql(
    api.url,
    `mutation { signUp(email: "ws.errors@example.com", password: "long enough password") { id } }`,
  );
  const cookie = signedUp.headers.getSetCookie().find((value) => value.startsWith("frontrow_session="));
  assert.ok(cookie, JSON.stringify(signedUp.errors));
  fanCookie = cookie.split(";")[0] as string;
  fanToken = fanCookie.slice(fanCookie.indexOf("=") + 1);
});

after(async () => {
  await api.close();
  await database.dispose();
});

type Errors = { message: string; extensions?: Record<string, unknown> }[] | undefined;

const CASES: {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  code: string;
  signedIn?: boolean;
}[] = [
  { name: "a syntax error", query: "{ events { ", code: "GRAPHQL_PARSE_FAILED" },
  { name: "an unknown field", query: "{ nope }", code: "GRAPHQL_VALIDATION_FAILED" },
  { name: "a wrong argument type", query: "{ event(id: 5.5) { name } }", code: "GRAPHQL_VALIDATION_FAILED" },
  {
    name: "a variable of the wrong type",
    query: "query ($first: Int) { events(first: $first) { totalCount } }",
    variables: { first: "many" },
    code: "BAD_USER_INPUT",
  },
  {
    name: "too deep",
    query: "{ events { edges { node { priceTiers { price { amount } } } } } }",
    code: "QUERY_TOO_COMPLEX",
  },
  {
    name: "too costly",
    query:
      "{ events(first: 100) { edges { node { name venue { name city } performer { name } priceTiers { name } } } } }",
    code: "QUERY_TOO_COMPLEX",
  },
  {
    name: "2,000 nested inline fragments",
    query: `{ ${"... on Query { ".repeat(2_000)}__typename${" }".repeat(2_000)} }`,
    code: "QUERY_TOO_COMPLEX",
  },
  { name: "a bad id (a resolver's AppError)", query: '{ event(id: "x") { name } }', code: "BAD_USER_INPUT" },
  {
    name: "an input validation failure",
    query: "{ events(first: 1000) { totalCount } }",
    code: "BAD_USER_INPUT",
  },
  {
    name: "a NUL byte",
    query: "query ($s: String) { events(filter: { search: $s }) { totalCount } }",
    variables: { s: "\u0000" },
    code: "BAD_USER_INPUT",
  },
  { name: "no session", query: "{ myOrders { totalCount } }", code: "UNAUTHENTICATED" },
  {
    name: "a fan asking for admin data",
    query: "{ botSignals { kind } }",
    code: "FORBIDDEN",
    signedIn: true,
  },
  {
    name: "an unknown operation name",
    query: "query A { __typename }",
    variables: {},
    code: "OPERATION_RESOLUTION_FAILURE",
  },
];

function codesOf(errors: Errors): string[] {
  return (errors ?? []).map((error) => String(error.extensions?.code));
}

function assertNoInternals(errors: Errors, where: string): void {
  for (const error of errors ?? []) {
    assert.equal(error.extensions?.http, undefined, `${where}: extensions.http`);
    assert.equal(error.extensions?.stacktrace, undefined, `${where}: a stack trace`);
  }
}

describe("the same codes over HTTP and WebSocket", () => {
  for (const { name, query, variables, code, signedIn } of CASES) {
    test(name, async () => {
      const operationName = name === "an unknown operation name" ? "B" : undefined;
      const response = await fetch(api.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(signedIn ? { cookie: fanCookie } : {}) },
        body: JSON.stringify({ query, variables, operationName }),
      });
      const http = (await response.json()) as { errors?: Errors };
      assert.ok(response.status < 500, `HTTP ${response.status}`);
      assert.deepEqual(codesOf(http.errors), [code], JSON.stringify(http));

      const ws = await overWebSocket(
        api.url,
        { query, variables, ...(operationName ? { operationName } : {}) },
        signedIn ? { token: fanToken } : {},
      );
      const wsErrors = ws.errors ?? ws.results.flatMap((result) => result.errors ?? []);
      assert.deepEqual(codesOf(wsErrors), codesOf(http.errors), JSON.stringify(ws));
      assertNoInternals(wsErrors, "WebSocket");
      assertNoInternals(http.errors, "HTTP");
    });
  }
});
