import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { freePort } from "./support/holds.js";
import { testRedisPrefix } from "./support/redis-prefix.js";
import { type ApiProcess, readMetrics, spawnApi } from "./support/server.js";
import { overWebSocket } from "./support/ws.js";

// Issue 12, defects 1, 2 and 9: one request of a few hundred KB froze an instance for seconds (quadratic
// validation of repeated fields, 2,400 aliases executed), 2,000 nested inline fragments overflowed the
// stack (HTTP 500; over WebSocket no code). Later: a list variable of 2,000 wrong items took 200 ms to
// refuse (every item's error was built, twice, where execution stops at 50). The API runs as a process of its own so that the event-loop
// delay read from its /metrics is the server's alone.

let database: TestDatabase;
let api: ApiProcess;

before(async () => {
  database = await createTestDatabase({ seeded: true });
  api = await spawnApi(await freePort(), { DATABASE_URL: database.url, REDIS_KEY_PREFIX: testRedisPrefix() });
  // A fresh process compiles its code paths on their first use: that happens once, so it is not measured.
  for (const { query, variables } of HOSTILE) {
    await post(query, variables);
    await overWebSocket(api.url, { query, variables });
  }
});

after(async () => {
  api?.child.kill("SIGKILL");
  await database?.dispose();
});

const aliases = (count: number, selection = "name") =>
  `{ ${Array.from({ length: count }, (_, i) => `a${i}: event(id: "${i + 1}") { ${selection} }`).join(" ")} }`;
const nestedInlineFragments = (count: number) =>
  `{ ${"... on Query { ".repeat(count)}__typename${" }".repeat(count)} }`;

/** Requests an anonymous caller can send, the code each must get, or null for one that must run. */
const HOSTILE: { name: string; query: string; variables?: Record<string, unknown>; code: string | null }[] = [
  { name: "20,000 repeated fields", query: `{ ${"categories ".repeat(20_000)}}`, code: "QUERY_TOO_COMPLEX" },
  { name: "2,000 repeated fields", query: `{ ${"categories ".repeat(2_000)}}`, code: "QUERY_TOO_COMPLEX" },
  { name: "2,400 aliases", query: aliases(2_400), code: "QUERY_TOO_COMPLEX" },
  { name: "2,000 nested inline fragments", query: nestedInlineFragments(2_000), code: "QUERY_TOO_COMPLEX" },
  { name: "900 nested inline fragments", query: nestedInlineFragments(900), code: "QUERY_TOO_COMPLEX" },
  { name: "450 aliases", query: aliases(450), code: "QUERY_TOO_COMPLEX" },
  // The largest alias request under the limits runs, within the same bound.
  {
    name: "50 aliases with nested fields",
    query: aliases(50, "name startsAt venue { name city } performer { name } priceTiers { name }"),
    code: null,
  },
  {
    name: "a list variable of 2,000 wrong items",
    query:
      "mutation Hostile($id: ID!, $input: SetPricesInput!) { setPrices(eventId: $id, input: $input) { id } }",
    variables: { id: "1", input: { assignments: Array.from({ length: 2_000 }, (_, i) => String(i + 1)) } },
    code: "BAD_USER_INPUT",
  },
];

const LOOP_DELAY_BOUND_S = 0.05;

// Each request is a new document: an attacker does not have to repeat one that the server has cached.
let sent = 0;
const unique = (query: string) =>
  query.startsWith("{")
    ? query.replace("{", `query Hostile${++sent} {`)
    : query.replace("Hostile", `Hostile${++sent}`);

const post = (query: string, variables?: Record<string, unknown>) =>
  fetch(`${api.origin}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(5_000),
  });

/** The server's longest event-loop delay while `work` runs, and /readyz's slowest answer meanwhile. */
async function measure(work: () => Promise<void>): Promise<{ loopDelayS: number; slowestReadyMs: number }> {
  await readMetrics(api.origin); // starts a new measurement window
  let running = true;
  let slowestReadyMs = 0;
  const probe = (async () => {
    while (running) {
      const started = performance.now();
      const response = await fetch(`${api.origin}/readyz`);
      await response.arrayBuffer();
      slowestReadyMs = Math.max(slowestReadyMs, performance.now() - started);
      await sleep(10);
    }
  })();
  try {
    await work();
  } finally {
    running = false;
    await probe;
  }
  const metrics = await readMetrics(api.origin);
  return { loopDelayS: metrics("frontrow_event_loop_delay_max_seconds"), slowestReadyMs };
}

/**
 * Runs `work` up to ten times and keeps the quietest run: the machine is shared, and a server descheduled
 * by another process shows a delay that its own work did not cause. Every run must still answer.
 */
async function quietest(work: () => Promise<void>) {
  let best = { loopDelayS: Number.POSITIVE_INFINITY, slowestReadyMs: Number.POSITIVE_INFINITY, runs: "" };
  for (let run = 0; run < 10; run++) {
    const result = { ...(await measure(work)), runs: best.runs };
    result.runs += ` ${(result.loopDelayS * 1000).toFixed(0)}/${result.slowestReadyMs.toFixed(0)} ms`;
    if (result.loopDelayS < best.loopDelayS) best = result;
    else best.runs = result.runs;
    if (best.loopDelayS < LOOP_DELAY_BOUND_S && best.slowestReadyMs < 100) break;
  }
  return best;
}

describe("hostile requests cost the instance under 50 ms of event loop", () => {
  for (const { name, query, variables, code } of HOSTILE) {
    test(`over HTTP: ${name}`, async () => {
      const { loopDelayS, slowestReadyMs, runs } = await quietest(async () => {
        const response = await post(unique(query), variables);
        assert.ok(response.status < 500, `HTTP ${response.status}`);
        const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
        const codes = new Set(body.errors?.map((error) => error.extensions?.code));
        if (code) assert.deepEqual([...codes], [code]);
        else assert.ok(!codes.has("INTERNAL_SERVER_ERROR"), JSON.stringify([...codes]));
      });
      assert.ok(
        loopDelayS < LOOP_DELAY_BOUND_S,
        `event-loop delay ${(loopDelayS * 1000).toFixed(0)} ms (runs:${runs})`,
      );
      assert.ok(slowestReadyMs < 100, `/readyz took ${slowestReadyMs.toFixed(0)} ms`);
    });

    test(`over WebSocket: ${name}`, async () => {
      const { loopDelayS, slowestReadyMs, runs } = await quietest(async () => {
        const outcome = await overWebSocket(api.url, { query: unique(query), variables });
        if (code) {
          assert.equal(outcome.errors?.[0]?.extensions?.code, code, JSON.stringify(outcome));
          assert.equal(outcome.errors?.[0]?.extensions?.http, undefined, "nothing of the HTTP layer");
        } else {
          const codes = outcome.results
            .flatMap((result) => result.errors ?? [])
            .map((e) => e.extensions?.code);
          assert.equal(outcome.errors, undefined);
          assert.ok(!codes.includes("INTERNAL_SERVER_ERROR"));
        }
      });
      assert.ok(
        loopDelayS < LOOP_DELAY_BOUND_S,
        `event-loop delay ${(loopDelayS * 1000).toFixed(0)} ms (runs:${runs})`,
      );
      assert.ok(slowestReadyMs < 100, `/readyz took ${slowestReadyMs.toFixed(0)} ms`);
    });
  }
});
