import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { NOTABLE_EVENT_SLUGS } from "../src/seed/seed.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import {
  asFan,
  createFans,
  errorCode,
  eventIdOf,
  eventSeats,
  type Fan,
  HOLD_SEATS,
  type HoldData,
  MANY_LOGINS,
  openEvent,
} from "./support/holds.js";
import { startTestRedis, type TestRedis } from "./support/redis-server.js";
import { startTestServer, type TestServer } from "./support/server.js";

// Issue 12, defect 10: during a 5 s Redis stall holds took up to 1.06 s where docs/holds.md promises that a
// stalled Redis costs at most its 500 ms command timeout. Each use of Redis on the hold path (session,
// rate limit, seat locks) had a breaker of its own, so one hold could wait out several timeouts in turn.

let database: TestDatabase;
let api: TestServer;
let redis: TestRedis;

before(async () => {
  database = await createTestDatabase({ seeded: true });
  redis = await startTestRedis();
  api = await startTestServer(database.url, {
    ...MANY_LOGINS,
    REDIS_URL: redis.url,
    SESSION_LOCAL_CACHE_MS: "0",
  });
});

after(async () => {
  redis.process()?.kill("SIGCONT");
  await api.close();
  await redis.dispose();
  await database.dispose();
});

const STALL_MS = 5_000;
const COMMAND_TIMEOUT_MS = 500;
// Room for a busy machine (other test files run alongside), well short of a second timeout.
const MARGIN_MS = 250;

test("holds during a 5 s Redis stall wait out at most one command timeout", async () => {
  const eventId = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.theatreOnSale);
  await openEvent(database.db, eventId, { maxTicketsPerAccount: 40 });
  const seats = (await eventSeats(database.db, eventId)).map((seat) => seat.seatId);
  const fans = await createFans(database.db, api.url, 40, "stall");
  let next = 0;
  const hold = async () => {
    const i = next++;
    const started = performance.now();
    const result = await asFan<{ holdSeats: HoldData }>(api.url, fans[i % fans.length] as Fan, HOLD_SEATS, {
      eventId: String(eventId),
      seatIds: [String(seats[i])],
    });
    return { code: String(errorCode(result) ?? "OK"), ms: performance.now() - started };
  };

  // What a hold costs with Redis answering: the stalled ones may take this plus one command timeout
  // (before the fix: three timeouts, ~1.5 s).
  const normal = [];
  for (let i = 0; i < 5; i++) normal.push((await hold()).ms);
  const baseline = Math.max(...normal);

  // Paced so that the seats last the whole stall: a stalled hold takes a few ms once the breaker is open,
  // and a fast machine would otherwise run out of seats (and ask for a seat id that does not exist).
  const paceMs = Math.ceil(STALL_MS / (seats.length - next - 10));
  redis.process()?.kill("SIGSTOP");
  const stalledAt = performance.now();
  const stalled = [];
  try {
    while (performance.now() - stalledAt < STALL_MS && next < seats.length) {
      stalled.push(await hold());
      await sleep(paceMs);
    }
  } finally {
    redis.process()?.kill("SIGCONT");
  }
  const report = stalled.map((call) => `${call.code} ${call.ms.toFixed(0)}`).join(", ");
  assert.ok(
    stalled.every((call) => call.code === "OK"),
    report,
  );
  const slowest = Math.max(...stalled.map((call) => call.ms));
  console.log(
    `holds with Redis up: slowest ${baseline.toFixed(0)} ms; ${stalled.length} during the stall: slowest ${slowest.toFixed(0)} ms`,
  );
  assert.ok(
    slowest < baseline + COMMAND_TIMEOUT_MS + MARGIN_MS,
    `slowest hold ${slowest.toFixed(0)} ms during the stall (baseline ${baseline.toFixed(0)} ms): ${report}`,
  );
});
