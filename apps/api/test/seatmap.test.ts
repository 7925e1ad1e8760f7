import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { NOTABLE_EVENT_SLUGS } from "../src/seed/seed.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { dataOf, gql, startTestServer, type TestServer } from "./support/server.js";

interface SeatMapData {
  seatMap: {
    eventId: string;
    version: number;
    statuses: string;
    stage: { label: string; width: number; height: number };
    bounds: { minX: number; minY: number; maxX: number; maxY: number };
    sections: {
      id: string;
      name: string;
      priceTierId: string | null;
      seats: { id: string; row: string; number: number; x: number; y: number; status: string }[];
    }[];
  };
}

const FULL_MAP = `query ($eventId: ID!) { seatMap(eventId: $eventId) {
  eventId version statuses stage { label width height } bounds { minX minY maxX maxY }
  sections { id name priceTierId seats { id row number x y status } } } }`;
const STATUS_LETTER: Record<string, string> = { AVAILABLE: "A", HELD: "H", SOLD: "S", NOT_FOR_SALE: "X" };

let database: TestDatabase;
let api: TestServer;

before(async () => {
  database = await createTestDatabase({ seeded: true });
  api = await startTestServer(database.url);
});

after(async () => {
  await api.close();
  await database.dispose();
});

async function eventId(slug: string): Promise<number> {
  return (await database.db.event.findUniqueOrThrow({ where: { slug } })).id;
}

async function fullMap(id: number) {
  // A unique comment keeps the shared response cache out of the way: this test wants fresh reads.
  return dataOf(await gql<SeatMapData>(api.url, `${FULL_MAP} # ${Math.random()}`, { eventId: String(id) }))
    .seatMap;
}

/** A live hold of one seat and an order for it, for seats set HELD or SOLD directly in the database. */
async function holdAndOrder(id: number, seatId: number, idempotencyKey: string) {
  const user = await database.db.user.findFirstOrThrow();
  const hold = await database.db.hold.create({
    data: {
      userId: user.id,
      eventId: id,
      seatIds: [seatId],
      seatPrices: [1000],
      totalMinor: 1000,
      currency: "EUR",
      expiresAt: new Date(Date.now() + 600_000),
    },
  });
  const order = await database.db.order.create({
    data: {
      userId: user.id,
      eventId: id,
      holdId: hold.id,
      subtotalMinor: 1000,
      feesMinor: 0,
      totalMinor: 1000,
      currency: "EUR",
      idempotencyKey,
      requestHash: "x",
    },
  });
  return { hold, order };
}

test("the stadium map has every seat once, in layout order, with one status character per seat", async () => {
  const id = await eventId(NOTABLE_EVENT_SLUGS.stadiumOnSale);
  const map = await fullMap(id);
  const seats = map.sections.flatMap((section) => section.seats);
  const venueSeats = await database.db.seat.count({
    where: { section: { chart: { events: { some: { id } } } } },
  });
  assert.ok(seats.length >= 50_000);
  assert.equal(seats.length, venueSeats);
  assert.equal(new Set(seats.map((seat) => seat.id)).size, seats.length, "seat ids are unique");
  assert.equal(map.statuses.length, seats.length);
  assert.equal(map.eventId, String(id));
  assert.equal(map.stage.label, "FIELD");
  assert.deepEqual(
    seats.map((seat) => STATUS_LETTER[seat.status]).join(""),
    map.statuses,
    "per-seat statuses agree with the statuses string",
  );
  for (const seat of seats) {
    assert.ok(
      seat.x >= map.bounds.minX &&
        seat.x <= map.bounds.maxX &&
        seat.y >= map.bounds.minY &&
        seat.y <= map.bounds.maxY,
    );
  }
  const priced = map.sections.filter((section) => section.priceTierId !== null);
  assert.equal(priced.length, map.sections.length, "every stadium section is for sale");
  assert.match(map.statuses, /^A+$/);
});

test("statuses reflect holds, sales, expired holds and seats not for sale", async () => {
  const id = await eventId(NOTABLE_EVENT_SLUGS.hallOnSaleChoirUnpriced);
  const before = await fullMap(id);
  const seats = before.sections.flatMap((section) => section.seats.map((seat) => ({ ...seat, section })));
  const unpriced = seats.filter((seat) => seat.section.priceTierId === null);
  assert.ok(unpriced.length > 0, "the choir is not for sale");
  assert.ok(unpriced.every((seat) => seat.status === "NOT_FOR_SALE"));

  const forSale = seats.filter((seat) => seat.section.priceTierId !== null);
  const [heldSeat, soldSeat, expiredSeat] = forSale;
  assert.ok(heldSeat && soldSeat && expiredSeat);
  const { hold, order } = await holdAndOrder(id, Number(heldSeat.id), "seatmap-test");
  const setStatus = (seatId: string, data: Record<string, unknown>) =>
    database.db.eventSeat.update({
      where: { eventId_seatId: { eventId: id, seatId: Number(seatId) } },
      data,
    });
  await setStatus(heldSeat.id, {
    status: "HELD",
    holdId: hold.id,
    heldUntil: new Date(Date.now() + 600_000),
  });
  await setStatus(soldSeat.id, { status: "SOLD", orderId: order.id });
  await setStatus(expiredSeat.id, {
    status: "HELD",
    holdId: hold.id,
    heldUntil: new Date(Date.now() - 1_000),
  });
  await database.db.event.update({ where: { id }, data: { seatMapVersion: { increment: 1 } } });

  // The statuses are cached for half a second per event: wait it out.
  await new Promise((resolve) => setTimeout(resolve, 600));
  const afterChange = await fullMap(id);
  const status = (seatId: string) =>
    afterChange.sections.flatMap((section) => section.seats).find((seat) => seat.id === seatId)?.status;
  assert.equal(status(heldSeat.id), "HELD");
  assert.equal(status(soldSeat.id), "SOLD");
  assert.equal(status(expiredSeat.id), "AVAILABLE", "an expired hold is free, swept or not");
  assert.equal(afterChange.version, before.version + 1);
  const index = (seatId: string) => seats.findIndex((seat) => seat.id === seatId);
  assert.equal(afterChange.statuses[index(heldSeat.id)], "H");
  assert.equal(afterChange.statuses[index(soldSeat.id)], "S");
});

test("every seat shows the status Postgres has for it, whatever order the table gives the rows in", async () => {
  const id = await eventId(NOTABLE_EVENT_SLUGS.hallOnSaleAllPriced);
  const { seatId } = await database.db.eventSeat.findFirstOrThrow({ where: { eventId: id } });
  const { hold, order } = await holdAndOrder(id, seatId, "seatmap-order-test");
  // An updated row moves to the end of the table, so the map's read meets these seats out of id order.
  await database.db.$executeRaw`
    UPDATE event_seat SET status = 'SOLD', order_id = ${order.id}::uuid
    WHERE event_id = ${id} AND seat_id % 3 = 0`;
  await database.db.$executeRaw`
    UPDATE event_seat SET status = 'HELD', hold_id = ${hold.id}::uuid, held_until = now() + interval '10 minutes'
    WHERE event_id = ${id} AND seat_id % 3 = 1 AND seat_id % 2 = 0`;
  await database.db.event.update({ where: { id }, data: { seatMapVersion: { increment: 1 } } });
  const rows = await database.db.$queryRaw<{ seatId: number; status: string }[]>`
    SELECT seat_id AS "seatId", status::text FROM event_seat WHERE event_id = ${id}`;
  const inPostgres = new Map(rows.map((row) => [String(row.seatId), row.status]));

  const map = await fullMap(id);
  const seats = map.sections.flatMap((section) => section.seats);
  assert.equal(seats.length, inPostgres.size);
  assert.ok(seats.some((seat) => seat.status === "HELD") && seats.some((seat) => seat.status === "SOLD"));
  assert.deepEqual(
    seats.filter((seat) => seat.status !== inPostgres.get(seat.id)),
    [],
    "seats whose status differs from Postgres",
  );
  assert.equal(map.statuses, seats.map((seat) => STATUS_LETTER[seat.status]).join(""));
});

test("an event without a map is NOT_FOUND, a malformed id BAD_USER_INPUT", async () => {
  const draft = await eventId(NOTABLE_EVENT_SLUGS.draft);
  for (const [id, code] of [
    [String(draft), "NOT_FOUND"],
    ["987654", "NOT_FOUND"],
    ["abc", "BAD_USER_INPUT"],
    ["-1", "BAD_USER_INPUT"],
    ["99999999999", "BAD_USER_INPUT"],
  ]) {
    const result = await gql(api.url, `query ($id: ID!) { seatMap(eventId: $id) { version } }`, { id });
    assert.equal(result.errors?.[0]?.extensions?.code, code, id);
    assert.equal(result.status, 200);
  }
});

test("identical public requests are served from the shared cache, compressed, with an ETag", async () => {
  const id = await eventId(NOTABLE_EVENT_SLUGS.theatreOnSale);
  const body = JSON.stringify({
    query: `query Statuses($id: ID!) { seatMap(eventId: $id) { version statuses } }`,
    variables: { id: String(id) },
  });
  const post = (headers: Record<string, string> = {}) =>
    fetch(api.url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const first = await post({ "accept-encoding": "br" });
  assert.equal(first.status, 200);
  assert.equal(first.headers.get("cache-control"), "max-age=1, public");
  assert.equal(first.headers.get("content-encoding"), "br");
  const etag = first.headers.get("etag");
  assert.ok(etag);
  const second = await post({ "if-none-match": etag });
  assert.equal(second.status, 304);
  const metrics = await (await fetch(`${api.origin}/metrics`)).text();
  assert.match(metrics, /frontrow_response_cache_total\{result="hit"\} [1-9]/);
  // Private or failing responses are never shared.
  const failing = await gql(api.url, `query { seatMap(eventId: "abc") { version } }`);
  assert.notEqual(failing.headers.get("cache-control"), "max-age=1, public");
});
