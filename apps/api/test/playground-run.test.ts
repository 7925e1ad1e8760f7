import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Kind, OperationTypeNode, parse } from "graphql";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { playgroundExampleIds } from "../src/http/playground-example-ids.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { MANY_CHECKOUTS, MANY_LOGINS } from "./support/holds.js";
import { type ExampleIds, loadExampleTabs } from "./support/playground-examples.js";
import { startTestServer, type TestServer } from "./support/server.js";

// Every example tab of the playground runs as shipped on the seeded database, in order, the way a visitor
// would run them: one browser session (the LogIn tabs set its cookie), values written "<field.path>"
// pasted from earlier answers, subscriptions opened over WebSocket.

let database: TestDatabase;
let api: TestServer;

before(async () => {
  database = await createTestDatabase({ seeded: true });
  // The webhook example's example.com cannot be resolved on an offline test machine.
  api = await startTestServer(database.url, {
    ...MANY_LOGINS,
    ...MANY_CHECKOUTS,
    WEBHOOK_ALLOW_PRIVATE_URLS: "true",
  });
});

after(async () => {
  await api.close();
  await database.dispose();
});

/** Replaces "<field.path>" strings with the value at that path of an earlier answer. */
function paste(value: unknown, answers: Record<string, unknown>): unknown {
  if (typeof value === "string") {
    const path = /^<([\w.]+)>$/.exec(value)?.[1];
    if (!path) return value;
    const found = path
      .split(".")
      .reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], answers);
    assert.ok(found !== undefined, `no earlier answer has ${path}`);
    return found;
  }
  if (Array.isArray(value)) return value.map((item) => paste(item, answers));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, paste(item, answers)]));
  }
  return value;
}

async function subscribeBriefly(query: string, operationName: string, variables: unknown, cookie: string) {
  const client = createClient({
    url: api.url.replace(/^http/, "ws"),
    webSocketImpl: class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: cookie ? { cookie } : {} });
      }
    },
    retryAttempts: 0,
  });
  const problems: unknown[] = [];
  const unsubscribe = client.subscribe(
    { query, operationName, variables: variables as Record<string, unknown> },
    {
      next: (result) => {
        if (result.errors) problems.push(result.errors);
      },
      error: (error) => problems.push(error),
      complete: () => undefined,
    },
  );
  // Accepted subscriptions are silent until something changes: no error within this long is success.
  await sleep(500);
  unsubscribe();
  await client.dispose();
  return problems;
}

test("the page fills in ids of seeded events", async () => {
  const ids = await playgroundExampleIds(database.db);
  const html = await (await fetch(api.url, { headers: { accept: "text/html" } })).text();
  const content = /<meta name="example-ids" content="([^"]*)"/.exec(html)?.[1]?.replaceAll("&quot;", '"');
  assert.deepEqual(JSON.parse(content ?? "{}"), ids);
  const event = await database.db.event.findUniqueOrThrow({ where: { id: Number(ids.eventId) } });
  assert.equal(event.status, "ON_SALE");
});

test("every example tab runs as shipped on the seed, one journey after another", async () => {
  const ids = (await playgroundExampleIds(database.db)) as unknown as ExampleIds;
  const tabs = await loadExampleTabs(ids);
  assert.ok(tabs.length >= 14, "a tab per journey");
  const answers: Record<string, unknown> = {};
  const ran: string[] = [];
  let cookie = "";
  for (const tab of tabs) {
    const document = parse(tab.query);
    const tabVariables = JSON.parse(tab.variables) as Record<string, unknown>;
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      const operationName = definition.name?.value ?? "";
      ran.push(operationName);
      // As GraphiQL does: the tab's variables, of which each operation reads those it declares.
      const declared = (definition.variableDefinitions ?? []).map((variable) => variable.variable.name.value);
      const variables = paste(
        Object.fromEntries(
          declared.filter((name) => name in tabVariables).map((name) => [name, tabVariables[name]]),
        ),
        answers,
      );
      if (definition.operation === OperationTypeNode.SUBSCRIPTION) {
        const problems = await subscribeBriefly(tab.query, operationName, variables, cookie);
        assert.deepEqual(problems, [], operationName);
        continue;
      }
      const response = await fetch(api.url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
        body: JSON.stringify({ query: tab.query, operationName, variables }),
      });
      const session = response.headers.getSetCookie().find((value) => value.startsWith("frontrow_session="));
      if (session) cookie = session.split(";")[0] as string;
      const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
      assert.equal(body.errors, undefined, `${operationName}: ${JSON.stringify(body.errors)}`);
      Object.assign(answers, body.data);
    }
  }
  // Every journey of issue 19, the organizer's and the partner's included.
  for (const journey of [
    "LogIn",
    "CatalogEvents",
    "SeatMapStatuses",
    "SeatMapChanged",
    "HoldBestAvailable",
    "Checkout",
    "MyOrders",
    "JoinQueue",
    "QueueStatusChanged",
    "EventSales",
    "EventSalesChanged",
    "SetPrices",
    "CreateApiKey",
    "CreateWebhookEndpoint",
    "WebhookDeliveries",
  ]) {
    assert.ok(ran.includes(journey), `the playground runs ${journey}`);
  }
});
