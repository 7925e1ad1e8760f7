import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { after, before, beforeEach, describe, test } from "node:test";
import { Redis } from "ioredis";
import { createLogger } from "../src/infra/logger.js";
import { createSqlPool, type SqlPool } from "../src/infra/sql.js";
import { AdmissionTokens } from "../src/modules/queue/admission-token.js";
import { QueueService, type QueueStatusView, type QueueTick } from "../src/modules/queue/queue.service.js";
import { QueueLeader } from "../src/modules/queue/queue-leader.js";
import { QueueRecords } from "../src/modules/queue/queue-records-store.js";
import { QueueStore, roomKeys } from "../src/modules/queue/queue-store.js";
import { commitmentOf, drawOrder } from "../src/modules/queue/shuffle.js";
import { NOTABLE_EVENT_SLUGS } from "../src/seed/seed.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { testRedisPrefix } from "./support/redis-prefix.js";

// The waiting room's rules on real Redis and Postgres, driven by a simulated clock: the lottery, FIFO
// after the sale, the admission rate and cap, heartbeats and admission tokens. (queue-api.test.ts
// covers the GraphQL surface, subscriptions, holds and leader failover.)

const SECRET = "queue-room-test-secret";
const TICK_MS = 250;
const GRACE_MS = 30_000;
const log = createLogger("silent");

let database: TestDatabase;
let pool: SqlPool;
let records: QueueRecords;
let eventId: number;
let redis: Redis;
let clock: number;
let store: QueueStore;
let queue: QueueService;
let leader: QueueLeader;
let ticks: QueueTick[];

before(async () => {
  database = await createTestDatabase({ seeded: true });
  pool = createSqlPool(database.url, { max: 4, onIdleError: () => undefined });
  records = new QueueRecords(pool);
  const event = await database.db.event.findUniqueOrThrow({
    where: { slug: NOTABLE_EVENT_SLUGS.stadiumQueueOnSale },
  });
  eventId = event.id;
});

after(async () => {
  await queue?.settle();
  await pool.end();
  await database.dispose();
});

// A fresh room (own Redis prefix, no durable facts yet) for every test, with the simulated clock at a
// real "now".
beforeEach(async () => {
  await queue?.settle();
  await database.db.queueRoom.deleteMany({ where: { eventId } });
  redis?.disconnect();
  redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", {
    keyPrefix: testRedisPrefix("queue"),
  });
  clock = Date.now();
  store = new QueueStore(redis);
  queue = new QueueService(database.db, store, records, new AdmissionTokens(SECRET), log, {
    heartbeatIntervalSeconds: 10,
    settingsCacheMs: 0,
    redisRetryAfterMs: 1_000,
    clock: () => clock,
  });
  ticks = [];
  leader = new QueueLeader(
    {
      redis,
      store,
      rooms: queue.rooms,
      records,
      queueEvent: (id) => queue.queueEvent(id),
      broadcast: async (tick) => {
        ticks.push(tick);
      },
      log,
    },
    { tickMs: TICK_MS, leaseMs: 3_000, heartbeatGraceMs: GRACE_MS, clock: () => clock },
  );
  await setEvent({
    saleStartsAt: new Date(clock - 60_000),
    queuePaused: false,
    admissionRatePerMinute: 600,
    maxActiveShoppers: null,
    shoppingWindowSeconds: 600,
  });
});

after(() => redis?.disconnect());

function setEvent(data: Parameters<typeof database.db.event.update>[0]["data"]) {
  return database.db.event.update({ where: { id: eventId }, data });
}

/** Runs the leader for `ms` of simulated time, one tick per TICK_MS; returns the admissions. */
async function run(ms: number, each?: () => Promise<void>): Promise<number> {
  let admitted = 0;
  for (let elapsed = 0; elapsed < ms; elapsed += TICK_MS) {
    clock += TICK_MS;
    await each?.();
    admitted += (await leader.tickRoom(eventId))?.admitted ?? 0;
  }
  return admitted;
}

const fanIds = (count: number) => Array.from({ length: count }, () => randomUUID());

async function joinAll(fans: readonly string[]): Promise<QueueStatusView[]> {
  const statuses: QueueStatusView[] = [];
  for (const fan of fans) statuses.push(await queue.join(fan, eventId));
  return statuses;
}

const status = (fan: string, heartbeat = false) => queue.status(fan, eventId, { heartbeat });

describe("the pre-queue lottery", () => {
  test("is a uniform permutation: chi-square over 6,000 fixed seeds", () => {
    // Deterministic (the seeds are fixed), so it cannot flake; a biased draw fails it.
    const entries = ["a", "b", "c"];
    const counts = new Map<string, number>();
    const positionsOfFirst = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const ten = Array.from({ length: 10 }, (_, i) => `entry-${i}`);
    const seeds = 6_000;
    for (let i = 0; i < seeds; i++) {
      const seed = createHash("sha256").update(`fixed-seed-${i}`).digest("hex");
      const order = drawOrder(seed, entries).join("");
      counts.set(order, (counts.get(order) ?? 0) + 1);
      const position = drawOrder(seed, ten).indexOf("entry-0");
      positionsOfFirst[position] = (positionsOfFirst[position] ?? 0) + 1;
    }
    const chiSquare = (observed: number[], expected: number) =>
      observed.reduce((sum, count) => sum + (count - expected) ** 2 / expected, 0);
    assert.equal(counts.size, 6, "every order of three entries occurs");
    // Critical values at p = 0.001: 20.52 (5 degrees of freedom), 27.88 (9).
    const permutations = chiSquare([...counts.values()], seeds / 6);
    assert.ok(permutations < 20.52, `orders of three: chi-square ${permutations.toFixed(2)}`);
    const positions = chiSquare(positionsOfFirst, seeds / 10);
    assert.ok(
      positions < 27.88,
      `position of the first joiner among ten: chi-square ${positions.toFixed(2)}`,
    );
  });

  test("1,000 fans who join before the sale are served in the order drawn from the committed seed", async () => {
    await setEvent({ saleStartsAt: new Date(clock + 60_000), admissionRatePerMinute: 6_000 });
    const fans = fanIds(1_000);
    const joined = await joinAll(fans);
    assert.ok(joined.every((s) => s.state === "PRE_QUEUE" && s.position === null));
    assert.equal(joined.at(-1)?.waitingCount, 1_000);
    assert.deepEqual(
      (await queue.join(fans[0] as string, eventId)).entryId,
      joined[0]?.entryId,
      "same entry",
    );

    const before = await queue.audit(eventId);
    assert.match(before.commitment ?? "", /^[0-9a-f]{64}$/);
    assert.equal(before.seed, null, "the seed stays secret until the sale starts");
    assert.equal(before.drawnOrder, null);
    assert.deepEqual(
      before.preQueueEntries,
      joined.map((s) => s.entryId),
      "entries in join order",
    );
    await run(1_000);
    assert.equal(ticks.at(-1)?.drawn, false, "no draw before the sale");

    clock = (await queue.queueEvent(eventId)).saleStartsAt.getTime();
    // Statuses are independent reads: asked together, not one round trip after another.
    await Promise.all(fans.map((fan) => status(fan, true)));
    await leader.tickRoom(eventId);
    const audit = await queue.audit(eventId);
    assert.ok(audit.seed && audit.revealedAt);
    assert.equal(commitmentOf(audit.seed), before.commitment, "the revealed seed matches the commitment");
    assert.equal(
      createHash("sha256").update(Buffer.from(audit.seed, "hex")).digest("hex"),
      before.commitment,
    );
    assert.deepEqual(
      audit.drawnOrder,
      drawOrder(audit.seed, audit.preQueueEntries),
      "anyone can recompute it",
    );
    assert.notDeepEqual(audit.drawnOrder, audit.preQueueEntries, "joining early gave no edge");

    // Tickets follow the drawn order: the fan drawn k-th waits at position k − servedUpTo.
    const drawnIndex = new Map(audit.drawnOrder?.map((entryId, index) => [entryId, index]));
    const served = ticks.at(-1)?.servedUpTo ?? 0;
    for (const fan of fans.slice(0, 50)) {
      const now = await status(fan);
      if (now.state === "WAITING") {
        assert.equal(now.position, (drawnIndex.get(now.entryId as string) as number) + 1 - served);
      } else {
        assert.equal(now.state, "ADMITTED");
        assert.ok((drawnIndex.get(now.entryId as string) as number) < served);
      }
    }
    // Admissions follow the drawn order exactly.
    const admittedOrder: string[] = [];
    const admittedSet = new Set<string>();
    for (let step = 0; step < 8; step++) {
      clock += TICK_MS;
      await leader.tickRoom(eventId);
      const newlyAdmitted: string[] = [];
      for (const now of await Promise.all(fans.map((fan) => status(fan)))) {
        if (now.state === "ADMITTED" && !admittedSet.has(now.entryId as string)) {
          newlyAdmitted.push(now.entryId as string);
        }
      }
      newlyAdmitted.sort((a, b) => (drawnIndex.get(a) as number) - (drawnIndex.get(b) as number));
      for (const entryId of newlyAdmitted) {
        admittedSet.add(entryId);
        admittedOrder.push(entryId);
      }
    }
    assert.ok(admittedOrder.length > 100);
    assert.deepEqual(admittedOrder, audit.drawnOrder?.slice(0, admittedOrder.length));
  });

  test("fans who join after the sale starts are served strictly first come, first served", async () => {
    await setEvent({ admissionRatePerMinute: 240 }); // one admission per 250 ms tick
    const fans = fanIds(40);
    const joined = await joinAll(fans);
    assert.ok(joined.every((s) => s.state === "WAITING"));
    assert.deepEqual(
      joined.map((s) => s.position),
      fans.map((_, i) => i + 1),
    );
    const admittedAt: number[] = [];
    for (let step = 0; step < 60; step++) {
      clock += TICK_MS;
      await leader.tickRoom(eventId);
      const states = await Promise.all(fans.map((fan) => status(fan, true)));
      for (const [index, now] of states.entries()) {
        if (admittedAt[index] === undefined && now.state === "ADMITTED") admittedAt[index] = step;
      }
    }
    assert.equal(admittedAt.filter((step) => step !== undefined).length, fans.length);
    for (let i = 1; i < fans.length; i++) {
      assert.ok((admittedAt[i] as number) > (admittedAt[i - 1] as number), `fan ${i} after fan ${i - 1}`);
    }
  });
});

describe("admission", () => {
  test("follows the configured rate over a simulated minute, within 2%", async () => {
    await setEvent({ admissionRatePerMinute: 600 });
    const fans = fanIds(700);
    await joinAll(fans);
    // Heartbeats keep everyone's turn for the whole simulated minute.
    await setEvent({ admissionRatePerMinute: 600 });
    let beatAt = clock;
    const admitted = await run(60_000, async () => {
      if (clock - beatAt < 10_000) return;
      beatAt = clock;
      for (const fan of fans) await queue.status(fan, eventId, { heartbeat: true });
    });
    assert.ok(Math.abs(admitted - 600) <= 12, `admitted ${admitted} in a minute at 600 per minute`);
    const measured = (ticks.at(-1) as QueueTick).measuredPerMinute;
    assert.ok(Math.abs(measured - 600) <= 60, `measured rate ${measured.toFixed(1)} per minute`);
  });

  test("never exceeds the active-shopper cap, and reuses slots as shopping windows end", async () => {
    await setEvent({ admissionRatePerMinute: 60_000, maxActiveShoppers: 25, shoppingWindowSeconds: 60 });
    const fans = fanIds(120);
    await joinAll(fans);
    let step = 0;
    const admitted = await run(150_000, async () => {
      if (step++ % 40 === 0) for (const fan of fans) await queue.status(fan, eventId, { heartbeat: true });
    });
    const maxActive = Math.max(...ticks.map((tick) => tick.activeShoppers));
    assert.equal(maxActive, 25, "the cap is reached and never exceeded");
    // Windows of 60 s: 25 at 0 s, 25 more at 60 s, 25 at 120 s.
    assert.equal(admitted, 75);
    const waiting = await status(fans.at(-1) as string);
    assert.equal(waiting.state, "WAITING");
    assert.match(waiting.etaNote ?? "", /shopping slot/);
  });

  test("a fan whose heartbeats stop loses the turn, and the slot goes to the next fan", async () => {
    await setEvent({ admissionRatePerMinute: 0, maxActiveShoppers: 2 });
    const [quiet, second, third, fourth] = fanIds(4) as [string, string, string, string];
    await joinAll([quiet, second, third, fourth]);
    clock += GRACE_MS + 1_000;
    for (const fan of [second, third, fourth]) await queue.status(fan, eventId, { heartbeat: true });
    await setEvent({ admissionRatePerMinute: 60_000 });
    // The first tick starts the bucket; the second admits.
    await run(2 * TICK_MS);
    assert.equal((await status(quiet)).state, "EXPIRED");
    assert.equal((await status(second)).state, "ADMITTED");
    assert.equal((await status(third)).state, "ADMITTED", "the quiet fan's slot was reused at once");
    assert.equal((await status(fourth)).state, "WAITING");
    assert.equal((await status(fourth)).position, 1);
    // Rejoining after expiring goes to the back of the line, with the same entry id.
    const rejoined = await queue.join(quiet, eventId);
    assert.equal(rejoined.state, "WAITING");
    assert.equal(rejoined.position, 2);
  });

  test("a rate of 0 admits nobody, not even on a token saved at a faster rate", async () => {
    // An empty room at 600 per minute fills its bucket (two ticks' worth: 5 admissions).
    await run(2_000);
    await setEvent({ admissionRatePerMinute: 0 });
    const fans = fanIds(3);
    await joinAll(fans);
    const admitted = await run(2_000, async () => {
      for (const fan of fans) await queue.status(fan, eventId, { heartbeat: true });
    });
    assert.equal(admitted, 0);
    assert.equal((await status(fans[0] as string)).position, 1);
  });

  test("pausing stops admissions and says why; lowering the rate is explained too", async () => {
    const fans = fanIds(400);
    await joinAll(fans);
    await run(5_000, async () => {
      for (const fan of fans.slice(-5)) await queue.status(fan, eventId, { heartbeat: true });
    });
    const last = fans.at(-1) as string;
    const moving = await status(last);
    assert.ok(moving.etaSeconds && moving.etaLowSeconds !== null && moving.etaHighSeconds);
    assert.ok(moving.etaLowSeconds <= moving.etaSeconds && moving.etaSeconds <= moving.etaHighSeconds);
    assert.equal(moving.etaNote, null);

    await setEvent({ queuePaused: true });
    assert.equal(await run(2_000), 0);
    const paused = await status(last);
    assert.equal(paused.paused, true);
    assert.equal(paused.etaSeconds, null);
    assert.match(paused.etaNote ?? "", /paused/);

    await setEvent({ queuePaused: false, admissionRatePerMinute: 60 });
    await run(TICK_MS);
    const slower = await status(last);
    assert.match(slower.etaNote ?? "", /lowered the admission rate/);
    assert.ok((slower.etaHighSeconds as number) > (moving.etaHighSeconds as number));
  });
});

describe("admission tokens", () => {
  test("only a live admission of this account to this event passes the gate", async () => {
    await setEvent({ shoppingWindowSeconds: 60 });
    const [fan, other] = fanIds(2) as [string, string];
    await joinAll([fan, other]);
    await run(2 * TICK_MS);
    const admitted = await status(fan);
    assert.equal(admitted.state, "ADMITTED");
    const token = admitted.admissionToken as string;
    assert.ok(token && admitted.admittedUntil);
    await queue.checkAdmission(fan, eventId, token);

    const refused = async (what: string, user: string, candidate: string | null, event = eventId) => {
      await assert.rejects(
        queue.checkAdmission(user, event, candidate),
        (error: Error & { extensions?: unknown }) => {
          assert.deepEqual((error.extensions as { code: string }).code, "NOT_ADMITTED", what);
          return true;
        },
      );
    };
    await refused("no token", fan, null);
    await refused("another account's token", other, token);
    await refused("another event", fan, token, eventId + 1);
    const [body, signature] = token.split(".") as [string, string];
    const claims = JSON.parse(Buffer.from(body, "base64url").toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, u: other })).toString("base64url");
    await refused("forged claims", other, `${forged}.${signature}`);
    await refused(
      "another secret",
      fan,
      new AdmissionTokens("someone-elses-secret").sign({
        userId: fan,
        eventId,
        entryId: admitted.entryId as string,
        sessionId: "1",
        expiresAt: clock + 60_000,
      }),
    );
    await refused("garbage", fan, "not-a-token");

    // Replayed after the session ended: the shopping window is over.
    await run(61_000);
    assert.equal((await status(fan)).state, "EXPIRED");
    await refused("expired", fan, token);

    // Replayed after leaving, even within the window.
    const otherToken = (await status(other)).admissionToken;
    assert.equal(otherToken, null, "the other fan's window ended as well");
    const again = await queue.join(other, eventId);
    await run(TICK_MS);
    const second = (await status(other)).admissionToken as string;
    assert.ok(second && again.entryId);
    await queue.checkAdmission(other, eventId, second);
    assert.equal(await queue.leave(other, eventId), true);
    await refused("after leaving", other, second);
  });
});

describe("when Redis loses the room", () => {
  /** What an empty Redis restart does to the room: every key of it is gone. */
  async function loseRoom() {
    const keys = roomKeys(eventId);
    await redis.del(...keys);
    assert.equal(await redis.exists(...keys), 0);
  }

  test("the room is set up again from Postgres before anyone is placed: same commitment and draw, admissions kept, the others told to rejoin", async () => {
    await setEvent({ saleStartsAt: new Date(clock + 60_000), admissionRatePerMinute: 240 });
    const [first, second, third, fourth, newcomer] = fanIds(5) as [string, string, string, string, string];
    await joinAll([first, second, third, fourth]);
    const committed = (await queue.audit(eventId)).commitment;
    clock = (await queue.queueEvent(eventId)).saleStartsAt.getTime();
    for (const fan of [first, second, third, fourth]) await status(fan, true);
    await leader.tickRoom(eventId);
    const drawn = await queue.audit(eventId);
    assert.ok(drawn.seed && drawn.drawnOrder);
    // One admission per 250 ms tick: the fan drawn first is let in.
    await run(TICK_MS);
    const statuses = await Promise.all([first, second, third, fourth].map((fan) => status(fan)));
    const admitted = statuses.find((s) => s.state === "ADMITTED");
    assert.ok(admitted?.admissionToken);
    const admittedFan = [first, second, third, fourth][statuses.indexOf(admitted)] as string;
    const waitingFan = [first, second, third, fourth][
      statuses.findIndex((s) => s.state === "WAITING")
    ] as string;
    // A subscriber of a waiting fan knows its entry from before the loss.
    const watched = await queue.statusAfterTick(waitingFan, ticks.at(-1) as QueueTick, undefined);
    assert.equal(watched.status.state, "WAITING");
    await queue.settle();

    await loseRoom();
    // Nothing answers for a room without its commitment, so nothing can be placed in one.
    assert.equal(await store.join(eventId, newcomer, randomUUID(), clock, 0), null);
    assert.equal(await redis.exists(...roomKeys(eventId)), 0);

    // The first join sets the room up again, with what Postgres kept, then places the fan.
    const joined = await queue.join(newcomer, eventId);
    assert.equal(joined.state, "WAITING");
    const audit = await queue.audit(eventId);
    assert.equal(audit.commitment, committed, "the commitment outlives Redis");
    assert.equal(audit.seed, drawn.seed);
    assert.deepEqual(audit.drawnOrder, drawn.drawnOrder, "the draw stays verifiable");
    assert.deepEqual(audit.preQueueEntries, drawn.preQueueEntries);

    await queue.settle();
    const after = await status(admittedFan);
    assert.equal(after.state, "ADMITTED", "the admitted fan keeps the admission");
    assert.equal(after.admissionToken, admitted.admissionToken, "and the same token");
    await queue.checkAdmission(admittedFan, eventId, admitted.admissionToken as string);
    for (const fan of [first, second, third, fourth].filter((fan) => fan !== admittedFan)) {
      assert.equal((await status(fan)).state, "REJOIN", "fans who were in line are told to rejoin");
    }
    // The subscriber notices on the next broadcast, with no position from the old line.
    clock += TICK_MS;
    const tick = (await leader.tickRoom(eventId))?.tick as QueueTick;
    assert.notEqual(tick.epoch, watched.known.epoch);
    const noticed = await queue.statusAfterTick(waitingFan, tick, watched.known);
    assert.equal(noticed.status.state, "REJOIN");
    assert.equal(noticed.status.position, null);

    // Rejoining goes behind the fans who joined since.
    const rejoined = await queue.join(waitingFan, eventId);
    assert.equal(rejoined.state, "WAITING");
    assert.ok((rejoined.position as number) > ((await status(newcomer)).position as number));
  });
});
