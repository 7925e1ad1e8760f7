import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
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
  freePort,
  HOLD_SEATS,
  type HoldData,
  MANY_LOGINS,
  openEvent,
} from "./support/holds.js";
import { testRedisPrefix } from "./support/redis-prefix.js";
import { spawnApi } from "./support/server.js";

// Two real API processes sharing Postgres and Redis, and a crowd going for the same ten seats.

const FANS = 50;
const ATTEMPTS_PER_FAN = 4;

let database: TestDatabase;
const processes: ChildProcess[] = [];
let urls: string[];

async function startApiProcess(env: Record<string, string>): Promise<string> {
  const api = await spawnApi(await freePort(), env);
  processes.push(api.child);
  return api.url;
}

before(async () => {
  database = await createTestDatabase({ seeded: true });
  const shared = {
    ...MANY_LOGINS,
    DATABASE_URL: database.url,
    REDIS_KEY_PREFIX: testRedisPrefix(),
  };
  urls = await Promise.all([startApiProcess(shared), startApiProcess(shared)]);
});

after(async () => {
  for (const child of processes) child.kill("SIGTERM");
  await Promise.all(
    processes.map((child) =>
      child.exitCode === null ? new Promise((r) => child.once("exit", r)) : undefined,
    ),
  );
  await database.dispose();
});

/** A deterministic pseudo-random sequence, so a failing run can be replayed. */
function sequence(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

test(`${FANS * ATTEMPTS_PER_FAN} concurrent holds for the same 10 seats over two API processes never double-book`, async () => {
  const eventId = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.theatreOnSale);
  await openEvent(database.db, eventId, { maxTicketsPerAccount: 40 });
  const contested = (await eventSeats(database.db, eventId)).slice(0, 10).map((seat) => seat.seatId);
  const fans = await createFans(database.db, urls[0] as string, FANS, "stampede");

  const random = sequence(42);
  const attempts = fans.flatMap((fan) =>
    Array.from({ length: ATTEMPTS_PER_FAN }, () => {
      const size = 1 + Math.floor(random() * 3);
      const seatIds = [...contested].sort(() => random() - 0.5).slice(0, size);
      return { fan, seatIds };
    }),
  );
  const started = Date.now();
  const results = await Promise.all(
    attempts.map(({ fan, seatIds }, i) =>
      asFan<{ holdSeats: HoldData }>(urls[i % 2] as string, fan, HOLD_SEATS, {
        eventId: String(eventId),
        seatIds: seatIds.map(String),
      }),
    ),
  );
  const elapsed = Date.now() - started;

  const winners: { fan: Fan; hold: HoldData }[] = [];
  results.forEach((result, i) => {
    const attempt = attempts[i] as (typeof attempts)[number];
    if (result.data?.holdSeats) {
      const held = result.data.holdSeats.seats.map((seat) => Number(seat.id));
      assert.deepEqual(held, attempt.seatIds, "a winner holds exactly what it asked for");
      winners.push({ fan: attempt.fan, hold: result.data.holdSeats });
      return;
    }
    assert.equal(errorCode(result), "SEATS_UNAVAILABLE", JSON.stringify(result.errors));
    const named = ((result.errors?.[0]?.extensions?.seatIds ?? []) as string[]).map(Number);
    assert.ok(
      named.length > 0 && named.every((seatId) => attempt.seatIds.includes(seatId)),
      "names asked seats",
    );
  });
  assert.ok(winners.length > 0, "someone won");
  const heldSeats = winners.flatMap(({ hold }) => hold.seats.map((seat) => Number(seat.id)));
  assert.equal(new Set(heldSeats).size, heldSeats.length, "no seat won twice");

  const active = await database.db.hold.findMany({ where: { eventId, state: "ACTIVE" } });
  assert.deepEqual(active.map((hold) => hold.id).sort(), winners.map(({ hold }) => hold.id).sort());
  for (const { fan, hold } of winners) {
    assert.equal(active.find((row) => row.id === hold.id)?.userId, fan.id);
  }
  const held = await database.db.eventSeat.count({ where: { eventId, status: "HELD" } });
  assert.equal(held, heldSeats.length, "held seats match the winners' seats");
  assert.equal(
    await database.db.hold.count({ where: { eventId } }),
    winners.length,
    "losers left no hold rows",
  );
  await assertHoldInvariants(database.db, eventId);
  console.log(
    `stampede: ${attempts.length} attempts over 2 processes in ${elapsed} ms: ${winners.length} holds, ` +
      `${heldSeats.length}/10 seats held`,
  );
});
