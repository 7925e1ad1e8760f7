import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { NOTABLE_EVENT_SLUGS } from "../src/seed/seed.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import {
  asFan,
  assertHoldInvariants,
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
import { checkout, holdSeats, must } from "./support/orders.js";
import { startTestRedis, type TestRedis } from "./support/redis-server.js";
import { readMetrics, startTestServer, type TestServer } from "./support/server.js";

// A Redis of this test's own, stopped in the middle of a run: holds go on through Postgres alone,
// without double booking and without hanging, and the fast path comes back with Redis.

let database: TestDatabase;
let api: TestServer;
let redis: TestRedis;

before(async () => {
  database = await createTestDatabase({ seeded: true });
  redis = await startTestRedis();
  api = await startTestServer(database.url, { ...MANY_LOGINS, REDIS_URL: redis.url });
});

after(async () => {
  await api.close();
  await redis.dispose();
  await database.dispose();
});

async function seatLockCount(): Promise<number> {
  const keys = await redis.probe.keys(`${api.server.config.REDIS_KEY_PREFIX}{ev:*}:seat:*`);
  return keys.length;
}

async function fastPathCalls(outcome: string): Promise<number> {
  const metric = await readMetrics(api.origin);
  return metric(`frontrow_seat_lock_calls_total{operation="acquire",outcome="${outcome}"}`);
}

test("Redis stopped mid-run: holds go on through Postgres, never double-book, and the fast path returns", async () => {
  const eventId = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.theatreOnSale);
  await openEvent(database.db, eventId, { maxTicketsPerAccount: 40 });
  const seats = (await eventSeats(database.db, eventId)).map((seat) => seat.seatId);
  const fans = await createFans(database.db, api.url, 30, "outage");
  const holdAs = (fan: Fan, seatIds: number[]) =>
    asFan<{ holdSeats: HoldData }>(api.url, fan, HOLD_SEATS, {
      eventId: String(eventId),
      seatIds: seatIds.map(String),
    });

  // Redis up: the hold goes through the fast path.
  const before = await holdAs(fans[0] as Fan, seats.slice(0, 2));
  assert.equal(before.errors, undefined);
  assert.equal(await seatLockCount(), 2);

  // Redis stalled (alive, not answering): calls give up after the 500 ms command timeout.
  redis.process()?.kill("SIGSTOP");
  const stalled = await Promise.all(
    [0, 1, 2, 3].map(async (i) => {
      const started = Date.now();
      const result = await holdAs(fans[i] as Fan, [seats[40 + i] as number, seats[41 + i] as number]);
      return { code: String(errorCode(result) ?? "OK"), ms: Date.now() - started };
    }),
  );
  redis.process()?.kill("SIGCONT");
  assert.ok(
    stalled.every((call) => ["OK", "SEATS_UNAVAILABLE"].includes(call.code)),
    JSON.stringify(stalled),
  );
  assert.ok(
    stalled.some((call) => call.code === "OK"),
    "holds succeed while Redis is stalled",
  );
  assert.ok(Math.max(...stalled.map((call) => call.ms)) < 2_500, JSON.stringify(stalled));

  await redis.kill();
  // Contended seats, the two held before the outage among them.
  const contested = seats.slice(0, 8);
  const attempts = fans.flatMap((fan, i) => [
    { fan, seatIds: [contested[i % 8] as number, contested[(i + 3) % 8] as number] },
    { fan, seatIds: [contested[(i + 1) % 8] as number] },
  ]);
  const outcomes = await Promise.all(
    attempts.map(async ({ fan, seatIds }) => {
      const started = Date.now();
      const result = await holdAs(fan, seatIds);
      return { result, seatIds, ms: Date.now() - started };
    }),
  );
  const slowest = Math.max(...outcomes.map((outcome) => outcome.ms));
  // Nothing waits for Redis (ioredis' defaults would wait ~70 s): 60 calls at once through Postgres
  // alone answer in about a second; the margin is for busy CI machines.
  assert.ok(slowest < 2_500, `every call answers within ~2 s (slowest ${slowest} ms)`);
  console.log(`Redis down: ${outcomes.length} concurrent holds, slowest answer ${slowest} ms`);
  const won = outcomes.filter((outcome) => outcome.result.data?.holdSeats);
  for (const { result } of outcomes) {
    if (!result.data?.holdSeats)
      assert.equal(errorCode(result), "SEATS_UNAVAILABLE", JSON.stringify(result.errors));
  }
  assert.ok(won.length > 0, "holds still succeed without Redis");
  const wonSeats = won.flatMap((outcome) => outcome.seatIds);
  assert.equal(new Set(wonSeats).size, wonSeats.length, "no seat won twice");
  assert.ok(
    !wonSeats.includes(seats[0] as number) && !wonSeats.includes(seats[1] as number),
    "earlier holds kept",
  );
  await assertHoldInvariants(database.db, eventId);
  assert.ok(
    (await fastPathCalls("failed")) + (await fastPathCalls("bypassed")) > 0,
    "the fast path was skipped",
  );

  // Redis back on the same port (empty): holds use the fast path again within a few seconds.
  await redis.start();
  const acquiredBefore = await fastPathCalls("acquired");
  const free = seats.slice(20);
  let resumedAfter = -1;
  for (let attempt = 0; attempt < 40 && resumedAfter < 0; attempt++) {
    const result = await holdAs(fans[attempt % fans.length] as Fan, [free[attempt] as number]);
    assert.equal(result.errors, undefined);
    if ((await seatLockCount()) > 0) resumedAfter = attempt;
    else await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(resumedAfter >= 0, "seat locks appear in Redis again");
  assert.ok((await fastPathCalls("acquired")) > acquiredBefore);
  await assertHoldInvariants(database.db, eventId);
});

// Found by `pnpm drill` (redis-kill): once Redis had lost the seat locks, every holdSeats naming a sold
// seat failed its whole hold batch with INTERNAL_SERVER_ERROR (place_holds took a sold seat, whose
// held_until is NULL, for free, and the seat's CHECK constraint refused the update).
test("A sold seat whose Redis lock was lost is refused with SEATS_UNAVAILABLE, and other holds go on", async () => {
  const eventId = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.hallOnSaleAllPriced);
  await openEvent(database.db, eventId, { maxTicketsPerAccount: 40 });
  const seats = (await eventSeats(database.db, eventId)).map((seat) => seat.seatId);
  const [buyer, other, bystander] = await createFans(database.db, api.url, 3, "sold-seat");
  const [sold, free] = [seats[0] as number, seats[1] as number];
  const hold = must(await holdSeats(api.url, buyer as Fan, eventId, [sold])).holdSeats;
  must(await checkout(api.url, buyer as Fan, hold.id, "sold-seat-1"));

  // Redis loses everything: the Postgres guard alone decides.
  await redis.kill();
  await redis.start();
  const [again, alongside] = await Promise.all([
    holdSeats(api.url, other as Fan, eventId, [sold, free]),
    holdSeats(api.url, bystander as Fan, eventId, [seats[2] as number]),
  ]);
  assert.equal(errorCode(again), "SEATS_UNAVAILABLE", JSON.stringify(again.errors));
  assert.equal(alongside.errors, undefined, JSON.stringify(alongside.errors));
  await assertHoldInvariants(database.db, eventId);
});
