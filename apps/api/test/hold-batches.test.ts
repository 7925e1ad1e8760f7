import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createSqlPool, type SqlPool } from "../src/infra/sql.js";
import { uuidv7 } from "../src/lib/uuid7.js";
import { type NewAreaHold, placeAreaHolds } from "../src/modules/holds/area-hold-store.js";
import { type NewHold, placeHolds } from "../src/modules/holds/hold-store.js";
import { NOTABLE_EVENT_SLUGS } from "../src/seed/seed.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import {
  asFan,
  assertHoldInvariants,
  createFanAccounts,
  createFans,
  eventIdOf,
  eventSeats,
  HOLD_SEATS,
  MANY_LOGINS,
  openEvent,
  standingArea,
} from "./support/holds.js";
import { readMetrics, startTestServer } from "./support/server.js";

// place_holds takes a batch of holds in one statement (docs/holds.md, "Batches"): each hold must still
// succeed or fail on its own, seeing what the holds before it in the batch took.

let database: TestDatabase;
let pool: SqlPool;
let fanIds: string[];
let theatre: number;
let hall: number;
let theatreSeats: number[];

before(async () => {
  database = await createTestDatabase({ seeded: true });
  pool = createSqlPool(database.url, { max: 2, onIdleError: () => undefined });
  fanIds = (await createFanAccounts(database.db, 4, "batches")).map((fan) => fan.id);
  theatre = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.theatreOnSale);
  hall = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.hallOnSaleAllPriced);
  await openEvent(database.db, theatre, { maxTicketsPerAccount: 4 });
  await openEvent(database.db, hall);
  theatreSeats = (await eventSeats(database.db, theatre)).map((seat) => seat.seatId);
});

after(async () => {
  await pool.end();
  await database.dispose();
});

const fan = (index: number) => fanIds[index] as string;
const seat = (index: number) => theatreSeats[index] as number;

function newHold(userId: string, eventId: number, seatIds: number[], admitted = false): NewHold {
  return { id: uuidv7(), userId, eventId, seatIds, admitted };
}

async function seatStatuses(eventId: number, seatIds: number[]): Promise<Map<number, string | null>> {
  const rows = await database.db.eventSeat.findMany({
    where: { eventId, seatId: { in: seatIds } },
    select: { seatId: true, holdId: true },
  });
  return new Map(rows.map((row) => [row.seatId, row.holdId]));
}

const outcomes = (results: readonly { outcome: string }[]) => results.map((result) => result.outcome);

test("holds of one batch each succeed or fail on their own, seeing the holds before them", async () => {
  const first = newHold(fan(0), theatre, [seat(0), seat(1)]);
  // Wants seat 1 too: refused whole, seat 2 stays free.
  const overlapping = newHold(fan(1), theatre, [seat(2), seat(1)]);
  const disjoint = newHold(fan(2), theatre, [seat(3)]);
  const results = await placeHolds(pool, [first, overlapping, disjoint]);

  assert.deepEqual(outcomes(results), ["placed", "unavailable", "placed"]);
  assert.deepEqual(results[1], { outcome: "unavailable", seatIds: [seat(1)] });
  const placed = results[0];
  assert.equal(placed?.outcome, "placed");
  if (placed?.outcome === "placed") {
    assert.deepEqual(
      placed.seats.map((offer) => offer.seatId),
      [seat(0), seat(1)],
      "seats in the order asked for",
    );
    assert.ok(placed.seats.every((offer) => offer.price > 0 && offer.row && offer.section));
    assert.ok(placed.expiresAt.getTime() > Date.now());
    const stored = await database.db.hold.findUniqueOrThrow({ where: { id: first.id } });
    assert.equal(
      placed.expiresAt.getTime(),
      stored.expiresAt.getTime(),
      "the expiry answered is the one stored",
    );
    assert.deepEqual(placed.takenOverHoldIds, []);
  }
  const holders = await seatStatuses(theatre, [seat(0), seat(1), seat(2), seat(3)]);
  assert.deepEqual(
    [...holders.entries()].sort(([a], [b]) => a - b).map(([, holdId]) => holdId),
    [first.id, first.id, null, disjoint.id],
  );
  assert.equal(await database.db.hold.count({ where: { id: overlapping.id } }), 0);
  await assertHoldInvariants(database.db, theatre);
});

test("one fan's holds in one batch share the per-account limit", async () => {
  const three = newHold(fan(3), theatre, [seat(10), seat(11), seat(12)]);
  const two = newHold(fan(3), theatre, [seat(13), seat(14)]);
  const one = newHold(fan(3), theatre, [seat(15)]);
  const results = await placeHolds(pool, [three, two, one]);
  assert.deepEqual(results[1], { outcome: "limitExceeded", used: 3, limit: 4 });
  assert.deepEqual(outcomes(results), ["placed", "limitExceeded", "placed"]);
  assert.equal(await database.db.hold.count({ where: { userId: fan(3), state: "ACTIVE" } }), 2);
});

test("standing holds of one batch share each fan's limit and the area's places", async () => {
  const area = await standingArea(database.db, theatre, "Batch pit", 5);
  const [first, second] = (await createFanAccounts(database.db, 2, "area-batch")).map(
    (account) => account.id,
  );
  assert.ok(first && second);
  const areaHold = (userId: string, quantity: number): NewAreaHold => ({
    id: uuidv7(),
    userId,
    eventId: theatre,
    areaId: area,
    quantity,
    admitted: false,
  });
  // The limit is 4: the first fan's second hold would make 5, the third makes 4. The area has 5 places.
  const holds = [
    areaHold(first, 3),
    areaHold(first, 2),
    areaHold(first, 1),
    areaHold(second, 1),
    areaHold(second, 1),
  ];
  const results = await placeAreaHolds(pool, holds);

  assert.deepEqual(outcomes(results), ["placed", "limitExceeded", "placed", "placed", "unavailable"]);
  assert.deepEqual(results[1], { outcome: "limitExceeded", used: 3, limit: 4 });
  assert.deepEqual(results[4], { outcome: "unavailable", available: 0 });
  const rows = await database.db.hold.findMany({ where: { areaId: area } });
  for (const [index, hold] of holds.entries()) {
    const result = results[index];
    const row = rows.find((candidate) => candidate.id === hold.id);
    if (result?.outcome !== "placed") {
      assert.equal(row, undefined, "a refused hold writes nothing");
      continue;
    }
    assert.deepEqual(
      [row?.userId, row?.areaQuantity, row?.totalMinor, row?.expiresAt.getTime()],
      [hold.userId, hold.quantity, hold.quantity * result.places.price, result.expiresAt.getTime()],
    );
  }
  const { available } = await database.db.eventArea.findUniqueOrThrow({
    where: { eventId_sectionId: { eventId: theatre, sectionId: area } },
  });
  assert.equal(available, 0);
});

test("each hold of a mixed batch gets its event's answer", async () => {
  const draft = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.draft);
  const ended = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.ended);
  const queued = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.stadiumQueueOnSale);
  const [queuedSeat] = await eventSeats(database.db, queued);
  const [hallSeat] = await eventSeats(database.db, hall);
  assert.ok(queuedSeat && hallSeat);
  const results = await placeHolds(pool, [
    newHold(fan(0), 2_000_000_000, [1]),
    newHold(fan(0), draft, [1]),
    newHold(fan(0), ended, [1]),
    newHold(fan(0), queued, [queuedSeat.seatId]),
    newHold(fan(0), queued, [queuedSeat.seatId], true),
    newHold(fan(0), theatre, [seat(20), hallSeat.seatId, seat(21)]),
    newHold(fan(1), hall, [hallSeat.seatId]),
  ]);
  assert.deepEqual(outcomes(results), [
    "notFound",
    "notFound",
    "saleNotOpen",
    "notAdmitted",
    "placed",
    "notForSale",
    "placed",
  ]);
  assert.deepEqual(results[5], { outcome: "notForSale", seatIds: [hallSeat.seatId] });
  const endedResult = results[2];
  assert.ok(endedResult?.outcome === "saleNotOpen" && endedResult.status !== "ON_SALE");
  await assertHoldInvariants(database.db, queued);
  await assertHoldInvariants(database.db, hall);
});

test("an expired hold's seats go to the next batch that asks, which names the hold it took over", async () => {
  const expiring = newHold(fan(1), theatre, [seat(30), seat(31)]);
  assert.deepEqual(outcomes(await placeHolds(pool, [expiring])), ["placed"]);
  await database.db.$executeRaw`
    WITH expired AS (
      UPDATE hold SET expires_at = now() - interval '1 second' WHERE id = ${expiring.id}::uuid
      RETURNING id, expires_at
    )
    UPDATE event_seat es SET held_until = expired.expires_at FROM expired WHERE es.hold_id = expired.id`;
  const [takeOver] = await placeHolds(pool, [newHold(fan(2), theatre, [seat(31)])]);
  assert.equal(takeOver?.outcome, "placed");
  assert.deepEqual(takeOver?.outcome === "placed" && takeOver.takenOverHoldIds, [expiring.id]);
});

test("a batch writes its holds' seats in one statement: the sales counters get one delta per bucket", async () => {
  const seats = [50, 51, 52, 53, 54, 55].map(seat);
  const [before] = await database.db.$queryRaw<{ groups: number; lastDelta: bigint }[]>`
    SELECT (SELECT count(DISTINCT (s.section_id, es.price_tier_id))::int FROM event_seat es
            JOIN seat s ON s.id = es.seat_id WHERE es.event_id = ${theatre} AND es.seat_id = ANY(${seats}))
             AS groups,
           (SELECT coalesce(max(id), 0) FROM sales_count_delta) AS "lastDelta"`;
  assert.ok(before);
  const { groups, lastDelta } = before;
  assert.ok(groups < 3, "the seats share sections and tiers, so one statement per hold would show");
  const holds = [0, 1, 2].map((index) => newHold(fan(index), theatre, seats.slice(index * 2, index * 2 + 2)));
  assert.deepEqual(outcomes(await placeHolds(pool, holds)), ["placed", "placed", "placed"]);

  const deltas = await database.db.$queryRaw<{ metric: string; value: number }[]>`
    SELECT metric, value::int FROM sales_count_delta WHERE id > ${lastDelta} AND event_id = ${theatre}`;
  // One UPDATE of the batch's seats: AVAILABLE −n and HELD +n per section and tier, not per hold.
  assert.equal(deltas.length, 2 * groups, JSON.stringify(deltas));
  const total = (metric: string) =>
    deltas.filter((delta) => delta.metric === metric).reduce((sum, delta) => sum + delta.value, 0);
  assert.equal(total("seats.HELD"), seats.length);
  assert.equal(total("seats.AVAILABLE"), -seats.length);
  const holders = await seatStatuses(theatre, seats);
  assert.deepEqual(
    seats.map((seatId) => holders.get(seatId)),
    holds.flatMap((hold) => [hold.id, hold.id]),
  );
  await assertHoldInvariants(database.db, theatre);
});

test("concurrent batches for crossing seats neither deadlock nor double-book", async () => {
  // Each batch asks for the same seats in the opposite order: only the lock order keeps them apart.
  const seats = [seat(40), seat(41), seat(42), seat(43)];
  const batches = Array.from({ length: 8 }, (_, index) => {
    const order = index % 2 === 0 ? seats : [...seats].reverse();
    return [
      newHold(fan(index % 4), theatre, [order[0] as number]),
      newHold(fan((index + 1) % 4), theatre, order.slice(1, 3)),
    ];
  });
  const results = (await Promise.all(batches.map((batch) => placeHolds(pool, batch)))).flat();
  const placedSeats = results.flatMap((result) =>
    result.outcome === "placed" ? result.seats.map((offer) => offer.seatId) : [],
  );
  assert.equal(new Set(placedSeats).size, placedSeats.length, "no seat placed twice");
  assert.ok(placedSeats.length > 0);
  await assertHoldInvariants(database.db, theatre);
});

test("holds that reach one API instance together share statements", async () => {
  // One statement at a time, so that the holds arriving while it runs must wait and go together.
  const api = await startTestServer(database.url, { ...MANY_LOGINS, HOLD_BATCH_CONCURRENCY: "1" });
  try {
    const fans = await createFans(database.db, api.url, 12, "batched");
    const hall = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.hallOnSaleChoirUnpriced);
    await openEvent(database.db, hall);
    const seats = (await eventSeats(database.db, hall)).slice(0, fans.length * 2);
    const results = await Promise.all(
      fans.map((holder, index) =>
        asFan(api.url, holder, HOLD_SEATS, {
          eventId: String(hall),
          seatIds: seats.slice(index * 2, index * 2 + 2).map((row) => String(row.seatId)),
        }),
      ),
    );
    assert.deepEqual(
      results.map((result) => result.errors),
      fans.map(() => undefined),
    );
    const metric = await readMetrics(api.origin);
    const statements = metric("frontrow_hold_batch_holds_count");
    assert.equal(
      metric("frontrow_hold_batch_holds_sum"),
      fans.length,
      "every hold went through place_holds once",
    );
    assert.ok(statements < fans.length, `${statements} statements for ${fans.length} holds`);
    await assertHoldInvariants(database.db, hall);
  } finally {
    await api.close();
  }
});
