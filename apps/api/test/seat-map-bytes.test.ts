import assert from "node:assert/strict";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createSqlPool } from "../src/infra/sql.js";
import { SeatingService } from "../src/modules/seating/seating.service.js";
import { NOTABLE_EVENT_SLUGS } from "../src/seed/seed.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { eventIdOf, freePort } from "./support/holds.js";
import { testRedisPrefix } from "./support/redis-prefix.js";
import { type ApiProcess, readMetrics, spawnApi } from "./support/server.js";

// Issue 12: a response-cache miss of the full stadium map (52,800 seats) stalled the event loop 0.5–1.5 s
// (graphql-js executing every seat, then serializing them). Seat-map queries are now answered from the
// layout's JSON text, built once per event layout and selection, with the statuses spliced in.

let database: TestDatabase;
let api: ApiProcess;
let stadium: number;
let theatre: number;

before(async () => {
  database = await createTestDatabase({ seeded: true });
  api = await spawnApi(await freePort(), { DATABASE_URL: database.url, REDIS_KEY_PREFIX: testRedisPrefix() });
  stadium = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.stadiumOnSale);
  theatre = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.theatreOnSale);
});

after(async () => {
  api?.child.kill("SIGKILL");
  await database?.dispose();
});

const post = async (query: string, variables: Record<string, unknown>) => {
  const response = await fetch(api.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: unknown[] } };
};

// The web app's layout query (with the __typename Apollo Client adds) and richer selections.
const SELECTIONS = [
  `seatMap(eventId: $id) { eventId stage { label x y width height } bounds { minX minY maxX maxY }
     sections { id name priceTierId seats { id row number x y } } }`,
  `__typename seatMap(eventId: $id) { __typename eventId version statuses
     stage { __typename label x y width height } bounds { __typename minX minY maxX maxY }
     sections { __typename id name priceTierId seats { __typename id row number x y accessible status } } }`,
  `a: seatMap(eventId: $id) { v: version s: statuses } b: seatMap(eventId: $id) {
     parts: sections { key: id label: name seats { n: number status } } }`,
];

test("seat-map answers are the ones graphql-js gives, field for field", async () => {
  for (const id of [theatre, stadium]) {
    for (const selection of SELECTIONS) {
      const fast = await post(`query ($id: ID!) { ${selection} }`, { id: String(id) });
      // A directive keeps an operation off the fast path: graphql-js executes it.
      const withDirective = selection.replace("(eventId: $id)", "(eventId: $id) @include(if: true)");
      const executed = await post(`query ($id: ID!) { ${withDirective} }`, { id: String(id) });
      assert.equal(fast.status, 200);
      assert.equal(fast.body.errors, undefined, JSON.stringify(fast.body.errors));
      assert.deepEqual(fast.body, executed.body, selection);
    }
  }
  // Errors still come from the usual path.
  const unknown = await post("query ($id: ID!) { seatMap(eventId: $id) { version } }", { id: "999999" });
  assert.equal(
    (unknown.body.errors as { extensions?: { code?: string } }[])?.[0]?.extensions?.code,
    "NOT_FOUND",
  );
  const bad = await post("query ($id: ID!) { seatMap(eventId: $id) { version } }", { id: "x" });
  assert.equal(
    (bad.body.errors as { extensions?: { code?: string } }[])?.[0]?.extensions?.code,
    "BAD_USER_INPUT",
  );
});

const LAYOUT = `query SeatMapLayout($eventId: ID!) { seatMap(eventId: $eventId) { eventId
  stage { label x y width height } bounds { minX minY maxX maxY }
  sections { id name priceTierId seats { id row number x y } } } }`;
// What `pnpm bench seatmap` loads: the layout with every seat's status.
const FULL_MAP = `query FullSeatMap($eventId: ID!) { seatMap(eventId: $eventId) { eventId version statuses
  stage { label x y width height } bounds { minX minY maxX maxY }
  sections { id name priceTierId seats { id row number x y status } } } }`;

for (const [name, query] of [
  ["layout", LAYOUT],
  ["full map with statuses", FULL_MAP],
] as const) {
  test(`a cache miss of the stadium's ${name} costs the loop under 100 ms`, async () => {
    await post(query, { eventId: String(stadium) }); // builds the layout's text once
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      await sleep(1_100); // the cached response expires after its max-age of 1 s
      await readMetrics(api.origin);
      const { body } = await post(query, { eventId: String(stadium) });
      assert.equal(body.errors, undefined);
      delays.push((await readMetrics(api.origin))("frontrow_event_loop_delay_max_seconds") * 1000);
    }
    console.log(`stadium ${name} misses: event-loop delay ${delays.map((d) => d.toFixed(0)).join(", ")} ms`);
    // The median: a shared machine deschedules a process now and then, which no code of ours causes.
    const median = [...delays].sort((a, b) => a - b)[Math.floor(delays.length / 2)] as number;
    assert.ok(median < 100, `median ${median.toFixed(0)} ms over ${delays.join(", ")}`);
  });
}

test("the stadium's first seat map on an instance (its layout read from Postgres) costs the loop under 100 ms", async (t) => {
  // A new SeatingService has nothing cached: each run reads the 52,800 seats' layout, as the first hold
  // or seat map of an on-sale does on every instance (it held the loop 250–380 ms through Prisma).
  const pool = createSqlPool(database.url, { max: 2, onIdleError: () => {} });
  t.after(() => pool.end());
  const delays: number[] = [];
  for (let i = 0; i < 3; i++) {
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    const map = await new SeatingService(database.db, pool).seatMap(stadium);
    await sleep(20);
    histogram.disable();
    assert.equal(
      map.sections.reduce((seats, section) => seats + section.seats.length, 0),
      52_800,
    );
    delays.push(histogram.max / 1e6);
  }
  console.log(`stadium layout loads: event-loop delay ${delays.map((d) => d.toFixed(0)).join(", ")} ms`);
  const median = [...delays].sort((a, b) => a - b)[1] as number;
  assert.ok(
    median < 100,
    `median ${median.toFixed(0)} ms over ${delays.map((d) => d.toFixed(0)).join(", ")}`,
  );
});
