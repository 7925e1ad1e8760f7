import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { NOTABLE_EVENT_SLUGS } from "../src/seed/seed.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import {
  asFan,
  createFans,
  errorCode,
  eventIdOf,
  eventSeats,
  type Fan,
  freePort,
  HOLD_SEATS,
  MANY_LOGINS,
  openEvent,
  RELEASE_HOLD,
  standingArea,
} from "./support/holds.js";
import { CANCEL_ORDER, CHECKOUT, must } from "./support/orders.js";
import { testRedisPrefix } from "./support/redis-prefix.js";
import { startTestRedis, type TestRedis } from "./support/redis-server.js";
import { gql, spawnApi } from "./support/server.js";
import { waitFor } from "./support/wait.js";

// General admission (docs/standing.md): holds of places in a standing area over two real API
// processes sharing Postgres and a Redis of this test's own. A stampede never oversells, with Redis up
// or killed mid-run; the per-account limit counts seats and places; release, expiry, checkout and
// cancellation move the area's count; and a client applying the live deltas after a snapshot ends with
// exactly the server's counts.

const HOLD_GA = `mutation ($eventId: ID!, $areaId: ID!, $quantity: Int!) {
  holdGeneralAdmission(eventId: $eventId, areaId: $areaId, quantity: $quantity) {
    id expiresAt seats { id } places { kind seatId row number sectionId section price { amount } }
    total { amount } } }`;
const SEAT_MAP_AREAS = `query ($eventId: ID!) {
  seatMap(eventId: $eventId) { version sections { id kind capacity } areas { id name capacity available } } }`;
const HOLD_ACCESSIBLE = `mutation ($eventId: ID!, $quantity: Int!, $accessibleSeats: Int) {
  holdBestAvailable(eventId: $eventId, quantity: $quantity, accessibleSeats: $accessibleSeats) { id seats { id } } }`;
const ACCESSIBLE_LEFT = `query ($id: ID!) { event(id: $id) { availability { accessibleAvailable standingAvailable } } }`;
const DELTAS = `subscription ($eventId: ID!) {
  seatMapChanged(eventId: $eventId) { version areas { areaId available } } }`;

interface GaHold {
  id: string;
  places: { kind: string; seatId: string | null; sectionId: string; price: { amount: number } }[];
  total: { amount: number };
}

// The stampede: 500 requests from 200 fans (two or three each, all under the per-account limit).
const FANS = 200;
const REQUESTS = 500;
const CAPACITY = 100;

let database: TestDatabase;
let redis: TestRedis;
const processes: ChildProcess[] = [];
let urls: string[];
let fans: Fan[];
let eventId: number;
let wheelchairSpaces: number[];
let companionSeats: number[];
/** Standing areas made for this test, by purpose. */
const areas: Record<"stampede" | "redisDown" | "life", number> = { stampede: 0, redisDown: 0, life: 0 };

async function available(areaId: number): Promise<number> {
  const area = await database.db.eventArea.findUniqueOrThrow({
    where: { eventId_sectionId: { eventId, sectionId: areaId } },
  });
  return area.available;
}

/** available = capacity − places of live holds − valid tickets, for every area of the event. */
async function assertAreaInvariants(): Promise<void> {
  const broken = await database.db.$queryRaw<{ section_id: number }[]>`
    SELECT a.section_id FROM event_area a
    WHERE a.event_id = ${eventId} AND a.available <> a.capacity
      - (SELECT coalesce(sum(h.area_quantity), 0) FROM hold h
         WHERE h.event_id = a.event_id AND h.area_id = a.section_id AND h.state = 'ACTIVE')
      - (SELECT count(*) FROM ticket t
         WHERE t.event_id = a.event_id AND t.area_id = a.section_id AND t.status = 'VALID')`;
  assert.deepEqual(broken, [], "every area's count equals its capacity less live holds and valid tickets");
}

function startApi(env: Record<string, string>): Promise<string> {
  return freePort().then(async (port) => {
    const api = await spawnApi(port, env);
    processes.push(api.child);
    return api.url;
  });
}

before(async () => {
  database = await createTestDatabase({ seeded: true });
  redis = await startTestRedis();
  eventId = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.theatreOnSale);
  await openEvent(database.db, eventId, { maxTicketsPerAccount: 40, holdSeconds: 600 });
  areas.stampede = await standingArea(database.db, eventId, "Pit", CAPACITY);
  areas.redisDown = await standingArea(database.db, eventId, "Lawn", CAPACITY);
  areas.life = await standingArea(database.db, eventId, "Floor", 50);
  // The seed's free wheelchair spaces (aisle ends of the step-free rows), each with a companion seat.
  const accessible = await database.db.$queryRaw<{ id: number; wheelchair: boolean }[]>`
    SELECT s.id, s.wheelchair FROM event_seat es JOIN seat s ON s.id = es.seat_id
    WHERE es.event_id = ${eventId} AND es.status = 'AVAILABLE' AND (s.wheelchair OR s.companion)`;
  wheelchairSpaces = accessible.filter((seat) => seat.wheelchair).map((seat) => seat.id);
  companionSeats = accessible.filter((seat) => !seat.wheelchair).map((seat) => seat.id);
  const env = {
    ...MANY_LOGINS,
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: testRedisPrefix("standing"),
    SEAT_MAP_COALESCE_MS: "50",
    HOLD_SWEEP_INTERVAL_MS: "200",
    RATE_LIMITS: JSON.stringify({
      "Mutation.holdGeneralAdmission": { ip: { points: 100_000, seconds: 60 } },
    }),
  };
  urls = await Promise.all([startApi(env), startApi(env)]);
  // Half the logins (each verifies an Argon2 hash) on each process: sessions are shared.
  const halves = await Promise.all(
    urls.map((url, i) => createFans(database.db, url, FANS / 2, `standing-${i}`)),
  );
  fans = halves.flat();
});

after(async () => {
  for (const child of processes) child.kill("SIGTERM");
  await Promise.all(
    processes.map((child) =>
      child.exitCode === null ? new Promise((r) => child.once("exit", r)) : undefined,
    ),
  );
  await redis.dispose();
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

/**
 * One request, sent again once when the server had closed the kept-alive connection before reading it
 * (a loaded machine can let a connection idle past the server's keep-alive timeout). Were a request that
 * the server did process sent twice, the holds in Postgres would outnumber the winners': the test fails.
 */
async function once<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code !== "UND_ERR_SOCKET") throw error;
    return send();
  }
}

/**
 * REQUESTS concurrent holds of 1–4 places from FANS fans over both processes; `during` runs meanwhile
 * and may return the time of what it did, which must fall while requests were still being answered.
 */
async function stampede(areaId: number, seed: number, during?: () => Promise<number | undefined>) {
  const random = sequence(seed);
  const attempts = Array.from({ length: REQUESTS }, (_, i) => ({
    fan: fans[i % FANS] as Fan,
    quantity: 1 + Math.floor(random() * 4),
  }));
  let lastAnswerAt = 0;
  const [results, duringAt] = await Promise.all([
    Promise.all(
      attempts.map(async ({ fan, quantity }, i) => {
        const result = await once(() =>
          asFan<{ holdGeneralAdmission: GaHold }>(urls[i % 2] as string, fan, HOLD_GA, {
            eventId: String(eventId),
            areaId: String(areaId),
            quantity,
          }),
        );
        lastAnswerAt = Date.now();
        return result;
      }),
    ),
    during?.(),
  ]);
  if (duringAt !== undefined) assert.ok(duringAt < lastAnswerAt, "it happened mid-run");
  let placesHeld = 0;
  const winners = new Map<string, string>();
  results.forEach((result, i) => {
    const { fan, quantity } = attempts[i] as (typeof attempts)[number];
    const hold = result.data?.holdGeneralAdmission;
    if (hold) {
      assert.equal(hold.places.length, quantity, "a winner holds exactly what it asked for");
      assert.ok(hold.places.every((place) => place.kind === "STANDING" && place.seatId === null));
      assert.ok(!winners.has(hold.id), "no hold given twice");
      winners.set(hold.id, fan.id);
      placesHeld += quantity;
      return;
    }
    assert.equal(errorCode(result), "SEATS_UNAVAILABLE", JSON.stringify(result.errors));
    const left = result.errors?.[0]?.extensions?.available;
    assert.ok(
      typeof left === "number" && left >= 0 && left < quantity,
      `a loser is told fewer left: ${left}`,
    );
  });
  // Postgres holds exactly the winners' holds, each of the fan it was given to.
  const held = await database.db.hold.findMany({
    where: { eventId, areaId, state: "ACTIVE" },
    select: { id: true, userId: true, areaQuantity: true },
  });
  assert.deepEqual(
    new Map(held.map((hold) => [hold.id, hold.userId])),
    winners,
    "the holds in Postgres are the winners'",
  );
  assert.equal(
    held.reduce((sum, hold) => sum + hold.areaQuantity, 0),
    CAPACITY,
    "every place held, none twice",
  );
  assert.equal(placesHeld, CAPACITY);
  assert.equal(await available(areaId), 0);
  await assertAreaInvariants();
  console.log(`stampede on area ${areaId}: ${winners.size} holds won, ${REQUESTS - winners.size} refused`);
}

test(`${REQUESTS} concurrent holds of 1–4 places from ${FANS} fans on an area of ${CAPACITY}, over two processes: never oversold`, async () => {
  await stampede(areas.stampede, 7);
});

test("accessible places: kept from best available until asked for; accessibleSeats gets a space and its companion", async () => {
  const url = urls[0] as string;
  const [fan, other] = fans.slice(0, 2) as [Fan, Fan];
  const accessible = new Set([...wheelchairSpaces, ...companionSeats].map(String));
  const left = async () =>
    (
      await gql<{ event: { availability: { accessibleAvailable: number } } }>(url, ACCESSIBLE_LEFT, {
        id: String(eventId),
      })
    ).data?.event.availability.accessibleAvailable;
  assert.ok(wheelchairSpaces.length >= 2, "the seed has wheelchair spaces");
  assert.equal(await left(), wheelchairSpaces.length);
  // The front row is the best: an ordinary request gets seats there but never the accessible places.
  const ordinary = must(
    await asFan<{ holdBestAvailable: { seats: { id: string }[] } }>(url, other, HOLD_ACCESSIBLE, {
      eventId: String(eventId),
      quantity: 2,
    }),
  ).holdBestAvailable;
  assert.ok(ordinary.seats.every((seat) => !accessible.has(seat.id)));
  const hold = must(
    await asFan<{ holdBestAvailable: { seats: { id: string }[] } }>(url, fan, HOLD_ACCESSIBLE, {
      eventId: String(eventId),
      quantity: 2,
      accessibleSeats: 1,
    }),
  ).holdBestAvailable;
  const held = hold.seats.map((seat) => Number(seat.id));
  assert.equal(held.filter((seatId) => wheelchairSpaces.includes(seatId)).length, 1, "one wheelchair space");
  assert.equal(
    held.filter((seatId) => companionSeats.includes(seatId)).length,
    1,
    "and the companion seat beside it",
  );
  await waitFor("the catalog's count", async () => (await left()) === wheelchairSpaces.length - 1, 10_000);
  const tooMany = await asFan(url, other, HOLD_ACCESSIBLE, {
    eventId: String(eventId),
    quantity: 3,
    accessibleSeats: 3,
  });
  assert.equal(errorCode(tooMany), "SEATS_UNAVAILABLE");
  assert.equal(
    errorCode(
      await asFan(url, other, HOLD_ACCESSIBLE, { eventId: String(eventId), quantity: 1, accessibleSeats: 2 }),
    ),
    "BAD_USER_INPUT",
  );
});

test("the per-account limit counts seats and places; release, expiry, checkout and cancel return places; deltas match", async () => {
  const url = urls[0] as string;
  const [fan, other] = fans.slice(-2) as [Fan, Fan];
  const areaId = areas.life;
  await openEvent(database.db, eventId, { maxTicketsPerAccount: 5 });
  await waitFor("the event's cached settings", async () => {
    const result = await asFan(url, fan, HOLD_GA, {
      eventId: String(eventId),
      areaId: String(areaId),
      quantity: 6,
    });
    return errorCode(result) === "LIMIT_EXCEEDED";
  });

  // Watch the deltas, then take the snapshot: deltas after its version bring it to the server's counts.
  const deltas: { version: number; areas: { areaId: string; available: number }[] }[] = [];
  const client = createClient({
    url: url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
  });
  const stop = client.subscribe<{ seatMapChanged: (typeof deltas)[number] }>(
    { query: DELTAS, variables: { eventId: String(eventId) } },
    {
      next: (r) => r.data && deltas.push(r.data.seatMapChanged),
      error: () => undefined,
      complete: () => undefined,
    },
  );
  await sleep(300);
  const snapshot = (
    await gql<{
      seatMap: {
        version: number;
        sections: { id: string; kind: string; capacity: number | null }[];
        areas: { id: string; capacity: number; available: number }[];
      };
    }>(url, SEAT_MAP_AREAS, { eventId: String(eventId) })
  ).data?.seatMap;
  assert.ok(snapshot);
  assert.equal(snapshot.sections.find((section) => section.id === String(areaId))?.kind, "STANDING");
  assert.equal(snapshot.areas.find((area) => area.id === String(areaId))?.capacity, 50);

  // 3 seats and then 3 places would make 6 > 5: refused; 2 places fit.
  const seatIds = (await eventSeats(database.db, eventId)).slice(-3).map((seat) => String(seat.seatId));
  const seatHold = must(
    await asFan<{ holdSeats: { id: string } }>(url, fan, HOLD_SEATS, { eventId: String(eventId), seatIds }),
  );
  const ga = (quantity: number, who = fan) =>
    asFan<{ holdGeneralAdmission: GaHold }>(url, who, HOLD_GA, {
      eventId: String(eventId),
      areaId: String(areaId),
      quantity,
    });
  assert.equal(errorCode(await ga(3)), "LIMIT_EXCEEDED");
  const two = must(await ga(2)).holdGeneralAdmission;
  assert.equal(two.total.amount, (two.places[0]?.price.amount ?? 0) * 2);
  assert.equal(await available(areaId), 48);

  // Release gives the places back; releasing the seats makes room under the limit.
  assert.equal(
    must(await asFan<{ releaseHold: boolean }>(url, fan, RELEASE_HOLD, { holdId: two.id })).releaseHold,
    true,
  );
  assert.equal(await available(areaId), 50);
  must(await asFan(url, fan, RELEASE_HOLD, { holdId: seatHold.holdSeats.id }));

  // Checkout: one ticket per place, no seat, each with a code.
  const four = must(await ga(4)).holdGeneralAdmission;
  const paid = must(
    await asFan<{
      checkout: { id: string; tickets: { seat: unknown; place: { kind: string }; code: string }[] };
    }>(url, fan, CHECKOUT, { holdId: four.id, paymentToken: "tok_visa", idempotencyKey: "standing-1" }),
  ).checkout;
  assert.equal(paid.tickets.length, 4);
  assert.ok(
    paid.tickets.every((ticket) => ticket.seat === null && ticket.place.kind === "STANDING" && ticket.code),
  );
  assert.equal(await available(areaId), 46, "sold places stay taken");
  assert.equal(errorCode(await ga(2)), "LIMIT_EXCEEDED", "bought places count towards the limit");
  must(await asFan(url, fan, CANCEL_ORDER, { orderId: paid.id }));
  assert.equal(await available(areaId), 50, "a cancelled order's places go back on sale");

  // Expiry: a hold short of places takes expired ones back at once (or the sweeper has), and the
  // sweeper gives the rest back.
  await openEvent(database.db, eventId, { maxTicketsPerAccount: 50, holdSeconds: 1 });
  await sleep(1_100);
  for (let i = 0; i < 5; i++) must(await ga(10, other));
  assert.equal(await available(areaId), 0);
  await sleep(1_100);
  for (let i = 0; i < 3; i++) must(await ga(10));
  await waitFor("the sweeper", async () => (await available(areaId)) === 50, 10_000);
  await openEvent(database.db, eventId, { maxTicketsPerAccount: 40, holdSeconds: 600 });
  await assertAreaInvariants();

  await sleep(400);
  const version = Number(
    (await database.db.event.findUniqueOrThrow({ where: { id: eventId } })).seatMapVersion,
  );
  await waitFor("the last delta", () => deltas.at(-1)?.version === version);
  const counts = new Map(snapshot.areas.map((area) => [area.id, area.available]));
  for (const delta of deltas.filter((d) => d.version > snapshot.version)) {
    for (const area of delta.areas) counts.set(area.areaId, area.available);
  }
  const server = await database.db.eventArea.findMany({ where: { eventId } });
  for (const area of server)
    assert.equal(counts.get(String(area.sectionId)), area.available, `area ${area.sectionId}`);
  stop();
  await client.dispose();
});

test("the same with Redis killed mid-run: Postgres alone decides", async () => {
  await openEvent(database.db, eventId, { maxTicketsPerAccount: 40, holdSeconds: 600 });
  await stampede(areas.redisDown, 11, async () => {
    await sleep(30);
    await redis.kill();
    return Date.now();
  });
});
