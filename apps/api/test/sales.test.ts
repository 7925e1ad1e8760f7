import assert from "node:assert/strict";
import { randomInt, randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { createSqlPool } from "../src/infra/sql.js";
import type { SeatCounts } from "../src/modules/sales/sales.service.js";
import { forEachAttendeeBatch } from "../src/modules/sales/sales-store.js";
import { DEMO_ACCOUNTS } from "../src/seed/accounts.js";
import {
  asFan,
  createFanAccounts,
  errorCode,
  type Fan,
  freePort,
  logIn,
  RELEASE_HOLD,
  standingArea,
} from "./support/holds.js";
import {
  CANCEL_ORDER,
  checkout,
  holdPlaces,
  holdSeats,
  must,
  type OrderData,
  type OrdersScenario,
  ordersScenario,
} from "./support/orders.js";
import { gql, startTestServer } from "./support/server.js";
import { waitFor } from "./support/wait.js";

// The live sales dashboard (docs/sales.md): the running counters equal a recount from the rows after a
// concurrent run, eventSales and the attendee export answer only the event's organizer and admins,
// eventSalesChanged pushes at most once a second, eventOrders finds orders by e-mail, id and seat.

const EVENT_SALES = `query ($id: ID!) { eventSales(eventId: $id) {
  eventId seats { available held sold killed houseSeats total } gross { amount currency } fees { amount }
  refunds { amount } net { amount } ordersConfirmed checkedIn
  tiers { tierId name sold held available total }
  sections { sectionId name kind sold held available killed houseSeats total }
  salesPerMinute { minute tickets } queue { waitingCount } } }`;

interface Figures {
  seats: SeatCounts;
  gross: { amount: number };
  fees: { amount: number };
  refunds: { amount: number };
  net: { amount: number };
  ordersConfirmed: number;
  tiers: { sold: number; held: number; total: number }[];
  sections: (SeatCounts & { sectionId: string; kind: string })[];
  salesPerMinute: { minute: string; tickets: number }[];
}

let scenario: OrdersScenario;
let fans: Fan[];
let owner: Fan;
let otherOrganizer: Fan;
let admin: Fan;

const url = () => scenario.api.url;
const db = () => scenario.database.db;

/** An account with the given role, signed in (the role is read when the session starts). */
async function account(tag: string, role: "ORGANIZER" | "ADMIN"): Promise<Fan> {
  const [created] = await createFanAccounts(db(), 1, tag);
  if (!created) throw new Error("no account");
  await db().user.update({ where: { id: created.id }, data: { role } });
  return { ...created, cookie: await logIn(url(), created.email) };
}

/** A fresh theatre event that the demo organizer owns. */
async function ownedEvent(settings: { holdSeconds?: number; maxTicketsPerAccount?: number } = {}) {
  const event = await scenario.freshEvent(settings);
  await db().event.update({ where: { id: event.id }, data: { organizerId: owner.id } });
  return event;
}

before(async () => {
  scenario = await ordersScenario("sales", 12, {
    SALES_FOLD_INTERVAL_MS: "0",
    // The run is ~1,000 requests from 12 accounts in a few seconds.
    RATE_LIMITS: JSON.stringify(
      Object.fromEntries(
        [
          "holdSeats",
          "holdGeneralAdmission",
          "releaseHold",
          "checkout",
          "cancelOrder",
          "setSeatsOffSale",
          "setSeatsOnSale",
          "createHouseHold",
          "releaseHouseHold",
        ].map((field) => [
          `Mutation.${field}`,
          { account: { points: 100_000, seconds: 60 }, ip: { points: 100_000, seconds: 60 } },
        ]),
      ),
    ),
  });
  fans = scenario.fans;
  const organizer = await db().user.findUniqueOrThrow({ where: { email: DEMO_ACCOUNTS.organizer.email } });
  owner = {
    id: organizer.id,
    email: organizer.email,
    cookie: await logIn(url(), organizer.email, DEMO_ACCOUNTS.organizer.password),
  };
  otherOrganizer = await account("sales-other-organizer", "ORGANIZER");
  admin = await account("sales-admin", "ADMIN");
});

after(() => scenario.close());

const salesOf = async (who: Fan, eventId: number) =>
  must(await asFan<{ eventSales: Figures }>(url(), who, EVENT_SALES, { id: String(eventId) })).eventSales;

/** The counters as stored (folded plus deltas), running totals only. */
async function counters(eventId: number) {
  return db().$queryRaw<{ metric: string; sectionId: number; priceTierId: number; value: bigint }[]>`
    SELECT metric, section_id AS "sectionId", price_tier_id AS "priceTierId", sum(value)::bigint AS value
    FROM (SELECT metric, section_id, price_tier_id, value FROM sales_count WHERE event_id = ${eventId} AND minute = 0
          UNION ALL
          SELECT metric, section_id, price_tier_id, value FROM sales_count_delta WHERE event_id = ${eventId} AND minute = 0) c
    GROUP BY 1, 2, 3 HAVING sum(value) <> 0
    ORDER BY 1, 2, 3`;
}

const recount = (eventId: number) =>
  db().$queryRaw<{ metric: string; sectionId: number; priceTierId: number; value: bigint }[]>`
    SELECT metric, section_id AS "sectionId", price_tier_id AS "priceTierId", value
    FROM sales_truth(${eventId}::int) ORDER BY 1, 2, 3`;

const OFF_SALE = "mutation ($id: ID!, $seats: [ID!]!) { setSeatsOffSale(eventId: $id, seatIds: $seats) }";
const ON_SALE = "mutation ($id: ID!, $seats: [ID!]!) { setSeatsOnSale(eventId: $id, seatIds: $seats) }";
const HOUSE = `mutation ($id: ID!, $seats: [ID!]!) {
  createHouseHold(eventId: $id, seatIds: $seats, label: "Press") { id } }`;
const RELEASE_HOUSE = "mutation ($hold: ID!) { releaseHouseHold(holdId: $hold) }";

type Tally = Map<string, number>;
const count = (tally: Tally, what: string) => tally.set(what, (tally.get(what) ?? 0) + 1);

/** The run's event: seats in a narrow band, and a standing area. */
interface RunEvent {
  id: number;
  seatIds: number[];
  areaId: number;
}

/**
 * One fan's share of the run: holds of one or two seats, or of one to three standing places, then
 * releases, abandoned holds, checkouts and cancellations.
 */
async function shop(fan: Fan, event: RunEvent, rounds: number, tally: Tally) {
  for (let round = 0; round < rounds; round++) {
    let holdId: string | undefined;
    if (randomInt(4) === 0) {
      const held = await holdPlaces(url(), fan, event.id, event.areaId, 1 + randomInt(3));
      count(tally, "place holds");
      holdId = held.data?.holdGeneralAdmission.id;
    } else {
      const first = randomInt(event.seatIds.length - 1);
      const wanted =
        randomInt(2) === 0 ? [event.seatIds[first] as number] : event.seatIds.slice(first, first + 2);
      const held = await holdSeats(url(), fan, event.id, wanted);
      count(tally, "holds");
      holdId = held.data?.holdSeats.id;
    }
    if (!holdId) continue;
    const roll = randomInt(100);
    if (roll < 20) {
      must(await asFan(url(), fan, RELEASE_HOLD, { holdId }));
      count(tally, "releases");
    } else if (roll < 30) {
      count(tally, "abandoned"); // expires, then is taken over or swept
    } else {
      const bought = await checkout(url(), fan, holdId, randomUUID());
      count(tally, "checkouts");
      const order = bought.data?.checkout;
      if (order && randomInt(100) < 30) {
        must(await asFan<{ cancelOrder: OrderData }>(url(), fan, CANCEL_ORDER, { orderId: order.id }));
        count(tally, "cancels");
      }
    }
  }
}

/**
 * The organizer's share: kills and house seats of two seats of the band the fans shop in (refused
 * when a fan holds or bought one), some put back on sale or released.
 */
async function manage(event: RunEvent, rounds: number, tally: Tally) {
  const id = String(event.id);
  const killed: string[][] = [];
  const houseHolds: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const first = randomInt(event.seatIds.length - 1);
    const seats = event.seatIds.slice(first, first + 2).map(String);
    const roll = randomInt(100);
    if (roll < 35) {
      const result = await asFan(url(), owner, OFF_SALE, { id, seats });
      if (!result.errors) killed.push(seats);
      count(tally, result.errors ? "kills refused" : "kills");
    } else if (roll < 70) {
      const result = await asFan<{ createHouseHold: { id: string } }>(url(), owner, HOUSE, { id, seats });
      if (result.data) houseHolds.push(result.data.createHouseHold.id);
      count(tally, result.errors ? "house holds refused" : "house holds");
    } else if (roll < 85 && killed.length > 0) {
      must(await asFan(url(), owner, ON_SALE, { id, seats: killed.shift() }));
      count(tally, "back on sale");
    } else if (houseHolds.length > 0) {
      must(await asFan(url(), owner, RELEASE_HOUSE, { hold: houseHolds.shift() }));
      count(tally, "house holds released");
    }
  }
}

describe("running counters", () => {
  test("equal a recount from the rows after concurrent holds of seats and places, checkouts, cancels, expiries, kills, house seats and folds", async () => {
    const event = await ownedEvent({ holdSeconds: 2, maxTicketsPerAccount: 300 });
    // A narrow band of seats, so that fans collide, take over expired holds and re-buy cancelled seats,
    // and the organizer's kills and house holds meet seats fans hold; a standing area fans run short of.
    const run: RunEvent = {
      id: event.id,
      seatIds: event.seatIds.slice(0, 240),
      areaId: await standingArea(db(), event.id, "Sales floor", 60),
    };
    const tally: Tally = new Map();
    let running = true;
    const folding = (async () => {
      let folds = 0;
      while (running) {
        await db().$queryRaw`SELECT sales_fold(200)`;
        folds++;
        await sleep(50);
      }
      return folds;
    })();
    await Promise.all([...fans.map((fan) => shop(fan, run, 50, tally)), manage(run, 60, tally)]);
    // A house hold and a kill that last to the end, whatever the run's dice released, so that the
    // figures compared below always have both.
    const spare = await db().eventSeat.findMany({
      where: { eventId: event.id, seatId: { in: run.seatIds }, status: "AVAILABLE" },
      select: { seatId: true },
      take: 4,
    });
    const [h1, h2, k1, k2] = spare.map((seat) => String(seat.seatId));
    must(await asFan(url(), owner, HOUSE, { id: String(event.id), seats: [h1, h2] }));
    must(await asFan(url(), owner, OFF_SALE, { id: String(event.id), seats: [k1, k2] }));
    await sleep(2_100);
    await scenario.api.server.holdSweeper.sweep();
    running = false;
    assert.ok((await folding) > 3, "folds ran during the run");
    const operations = ["holds", "place holds", "releases", "checkouts", "cancels"].reduce(
      (sum, what) => sum + (tally.get(what) ?? 0),
      0,
    );
    const ran = JSON.stringify(Object.fromEntries(tally));
    assert.ok(operations >= 800, `about a thousand operations (${ran})`);
    assert.ok((tally.get("cancels") ?? 0) > 10 && (tally.get("checkouts") ?? 0) > 50, ran);
    // The organizer's tries, granted or refused (a fan held a seat first): how many were granted depends on
    // the machine's speed; the kill and house hold made after the run are there whatever it was.
    const tries = (what: string) => (tally.get(what) ?? 0) + (tally.get(`${what} refused`) ?? 0);
    assert.ok((tally.get("place holds") ?? 0) > 50 && tries("kills") > 5 && tries("house holds") > 5, ran);

    assert.deepEqual(await counters(event.id), await recount(event.id), "counters = recount");
    const [tickets] = await db().$queryRaw<{ tickets: bigint; sold: bigint }[]>`
      SELECT (SELECT count(*) FROM ticket WHERE event_id = ${event.id}) AS tickets,
             (SELECT coalesce(sum(value), 0) FROM (SELECT value FROM sales_count WHERE event_id = ${event.id} AND metric = 'sold.minute'
              UNION ALL SELECT value FROM sales_count_delta WHERE event_id = ${event.id} AND metric = 'sold.minute') m)::bigint AS sold`;
    assert.equal(tickets?.sold, tickets?.tickets, "tickets sold per minute add up to the tickets issued");

    // The same through the API, against plain counts: seats by status and hold kind, standing places
    // from live holds and valid tickets.
    const figures = await salesOf(owner, event.id);
    const [seats] = await db().$queryRaw<SeatCounts[]>`
      SELECT count(*) FILTER (WHERE es.status = 'AVAILABLE')::int AS available,
             count(*) FILTER (WHERE es.status = 'HELD' AND h.kind = 'FAN')::int AS held,
             count(*) FILTER (WHERE es.status = 'SOLD')::int AS sold,
             count(*) FILTER (WHERE es.status = 'HELD' AND h.kind = 'KILL')::int AS killed,
             count(*) FILTER (WHERE es.status = 'HELD' AND h.kind = 'HOUSE')::int AS "houseSeats",
             count(*)::int AS total
      FROM event_seat es LEFT JOIN hold h ON h.id = es.hold_id
      WHERE es.event_id = ${event.id}`;
    const [places] = await db().$queryRaw<SeatCounts[]>`
      SELECT a.available,
             (SELECT coalesce(sum(h.area_quantity), 0) FROM hold h
              WHERE h.event_id = a.event_id AND h.area_id = a.section_id AND h.state = 'ACTIVE')::int AS held,
             (SELECT count(*) FROM ticket t
              WHERE t.event_id = a.event_id AND t.area_id = a.section_id AND t.status = 'VALID')::int AS sold,
             0 AS killed, 0 AS "houseSeats", a.capacity AS total
      FROM event_area a WHERE a.event_id = ${event.id} AND a.section_id = ${run.areaId}`;
    const [money] = await db().$queryRaw<{ paid: number; refunded: number }[]>`
      SELECT (SELECT coalesce(sum(total_minor), 0) FROM "order" WHERE event_id = ${event.id} AND status IN ('CONFIRMED', 'CANCELLED'))::int AS paid,
             (SELECT coalesce(sum(total_minor), 0) FROM "order" WHERE event_id = ${event.id} AND status = 'CANCELLED')::int AS refunded`;
    assert.ok(seats && places && money);
    assert.ok(
      places.held + places.sold > 0 && seats.killed > 0 && seats.houseSeats > 0,
      JSON.stringify({ seats, places }),
    );
    const area = figures.sections.find((section) => section.sectionId === String(run.areaId));
    const {
      sectionId: _,
      kind,
      name: __,
      ...areaCounts
    } = area as Figures["sections"][number] & { name: string };
    assert.equal(kind, "STANDING");
    assert.deepEqual(areaCounts, places, "the standing area's places = live holds and valid tickets");
    const both = (field: keyof SeatCounts) => (seats[field] as number) + (places[field] as number);
    assert.deepEqual(
      figures.seats,
      {
        available: both("available"),
        held: both("held"),
        sold: both("sold"),
        killed: seats.killed,
        houseSeats: seats.houseSeats,
        total: both("total"),
      },
      "seats and places",
    );
    // The catalog's public counts agree: kills and house seats are not for sale, so not "held" either.
    const catalog = await gql<{ event: { availability: Pick<SeatCounts, "available" | "held" | "sold"> } }>(
      url(),
      "query ($id: ID!) { event(id: $id) { availability { available held sold } } }",
      { id: String(event.id) },
    );
    assert.deepEqual(
      must(catalog).event.availability,
      { available: seats.available, held: seats.held, sold: seats.sold },
      "the catalog's availability",
    );
    assert.equal(figures.gross.amount, money.paid);
    assert.equal(figures.refunds.amount, money.refunded);
    assert.equal(figures.net.amount, figures.gross.amount - figures.refunds.amount - figures.fees.amount);
    for (const field of ["sold", "held", "killed", "houseSeats", "total"] as const) {
      assert.equal(
        figures.sections.reduce((sum, section) => sum + section[field], 0),
        figures.seats[field],
        `sections add up (${field})`,
      );
    }
    assert.equal(
      figures.tiers.reduce((sum, tier) => sum + tier.sold, 0),
      figures.seats.sold,
      "tiers add up (the area counts in its tier)",
    );
    assert.equal(figures.salesPerMinute.length, 60);
    assert.ok(figures.salesPerMinute.reduce((sum, minute) => sum + minute.tickets, 0) > 0);
  });
});

const TRANSFER = `mutation ($order: ID!, $tickets: [ID!]!, $email: String!) {
  transferTickets(orderId: $order, ticketIds: $tickets, toEmail: $email) { id } }`;
const ACCEPT = "mutation ($id: ID!) { acceptTransfer(transferId: $id) { newOrderId } }";
const COMPLIMENTARY = `mutation ($hold: ID!) { issueComplimentaryTickets(holdId: $hold) { id } }`;

describe("orders confirmed and tickets sold", () => {
  test("count fans' purchases and complimentary tickets once: a transfer is not a second sale", async () => {
    const event = await ownedEvent();
    const areaId = await standingArea(db(), event.id, "Transfer floor", 10);
    const [buyer, recipient] = fans as [Fan, Fan];
    const seats = must(await holdSeats(url(), buyer, event.id, event.seatIds.slice(0, 2))).holdSeats;
    const seated = must(await checkout(url(), buyer, seats.id, randomUUID())).checkout;
    const places = must(await holdPlaces(url(), buyer, event.id, areaId, 2)).holdGeneralAdmission;
    const standing = must(await checkout(url(), buyer, places.id, randomUUID())).checkout;
    const house = must(
      await asFan<{ createHouseHold: { id: string } }>(url(), owner, HOUSE, {
        id: String(event.id),
        seats: [String(event.seatIds[2])],
      }),
    ).createHouseHold;
    must(await asFan(url(), owner, COMPLIMENTARY, { hold: house.id }));
    const before = await salesOf(owner, event.id);
    assert.equal(before.ordersConfirmed, 3, "two purchases and the complimentary tickets");

    for (const order of [seated, standing]) {
      const offered = must(
        await asFan<{ transferTickets: { id: string } }>(url(), buyer, TRANSFER, {
          order: order.id,
          tickets: order.tickets.map((ticket) => ticket.id),
          email: recipient.email,
        }),
      ).transferTickets;
      must(await asFan(url(), recipient, ACCEPT, { id: offered.id }));
    }
    const after = await salesOf(owner, event.id);
    assert.equal(after.ordersConfirmed, 3, "the transfers' orders are not counted");
    const sold = (figures: Figures) =>
      figures.salesPerMinute.reduce((sum, minute) => sum + minute.tickets, 0);
    assert.equal(sold(before), 5, "2 seats, 2 places and a complimentary seat");
    assert.equal(sold(after), 5, "the re-issued tickets are not sold again");
    assert.deepEqual(after.seats, before.seats, "the seats and places are where they were");
    assert.deepEqual(await counters(event.id), await recount(event.id), "counters = recount");
  });
});

describe("eventSales", () => {
  test("answers the event's organizer and admins only", async () => {
    const event = await ownedEvent();
    const id = String(event.id);
    assert.equal(errorCode(await gql(url(), EVENT_SALES, { id })), "UNAUTHENTICATED");
    assert.equal(errorCode(await asFan(url(), fans[0] as Fan, EVENT_SALES, { id })), "FORBIDDEN");
    assert.equal(errorCode(await asFan(url(), otherOrganizer, EVENT_SALES, { id })), "FORBIDDEN");
    assert.equal(errorCode(await asFan(url(), owner, EVENT_SALES, { id: "999999" })), "NOT_FOUND");
    assert.equal((await salesOf(owner, event.id)).seats.total, event.seatIds.length);
    assert.equal((await salesOf(admin, event.id)).seats.available, event.seatIds.length);
  });
});

describe("eventSalesChanged", () => {
  test("pushes the figures at most once a second, the last one after the last change", async () => {
    const event = await ownedEvent({ maxTicketsPerAccount: 100 });
    const pushes: { at: number; held: number }[] = [];
    const failures: string[] = [];
    const client = createClient({
      url: url().replace(/^http/, "ws"),
      webSocketImpl: class extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { headers: { cookie: owner.cookie } });
        }
      },
      retryAttempts: 0,
    });
    let subscribed = false;
    client.subscribe<{ eventSalesChanged: { seats: { held: number } } }>(
      {
        query: "subscription ($id: ID!) { eventSalesChanged(eventId: $id) { seats { held } } }",
        variables: { id: String(event.id) },
      },
      {
        next: (result) => {
          if (result.data) pushes.push({ at: Date.now(), held: result.data.eventSalesChanged.seats.held });
        },
        error: (error) => failures.push(JSON.stringify(error)),
        complete: () => undefined,
      },
    );
    client.on("connected", () => {
      subscribed = true;
    });
    await waitFor("the subscription", () => subscribed);
    await sleep(200);
    // 25 holds over 2.5 s or more: without the throttle, about 25 pushes.
    const started = Date.now();
    for (let i = 0; i < 25; i++) {
      must(await holdSeats(url(), fans[i % fans.length] as Fan, event.id, [event.seatIds[i] as number]));
      await sleep(100);
    }
    await waitFor("the push of the last hold", () => pushes.at(-1)?.held === 25, 4_000);
    await sleep(1_200);
    await client.dispose();
    assert.deepEqual(failures, []);
    // At most one push per second of the run (plus the first), however slow the machine made the holds.
    const seconds = Math.ceil(((pushes.at(-1)?.at ?? Date.now()) - started) / 1000);
    assert.ok(
      pushes.length >= 2 && pushes.length <= seconds + 1,
      `${pushes.length} pushes for 25 changes in ${seconds} s`,
    );
    for (let i = 1; i < pushes.length; i++) {
      const gap = (pushes[i]?.at ?? 0) - (pushes[i - 1]?.at ?? 0);
      assert.ok(gap >= 600, `pushes ${gap} ms apart`);
    }

    // Fans cannot open it.
    const refused = createClient({
      url: url().replace(/^http/, "ws"),
      webSocketImpl: class extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { headers: { cookie: (fans[0] as Fan).cookie } });
        }
      },
      retryAttempts: 0,
    });
    const outcome = await new Promise<string>((resolve) => {
      refused.subscribe(
        { query: `subscription { eventSalesChanged(eventId: "${event.id}") { seats { held } } }` },
        {
          // graphql-ws delivers an error of the subscribe step as a result with errors.
          next: (result) => resolve(JSON.stringify(result)),
          error: (error) => resolve(JSON.stringify(error)),
          complete: () => resolve("complete"),
        },
      );
    });
    await refused.dispose();
    assert.match(outcome, /FORBIDDEN/);
  });
});

describe("eventOrders and the attendee export", () => {
  const EVENT_ORDERS = `query ($id: ID!, $search: String, $first: Int, $after: String) {
    eventOrders(eventId: $id, search: $search, first: $first, after: $after) {
      edges { cursor node { id status buyer { email } tickets { seat { row number } } } }
      pageInfo { hasNextPage endCursor } } }`;
  type Page = {
    eventOrders: {
      edges: {
        node: {
          id: string;
          buyer: { email: string } | null;
          tickets: { seat: { row: string; number: number } }[];
        };
      }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  };

  /** An event of the organizer's with `count` orders of two seats each, one per fan. */
  async function eventWithOrders(count: number) {
    const event = await ownedEvent();
    const orders: OrderData[] = [];
    for (let i = 0; i < count; i++) {
      const fan = fans[i] as Fan;
      const hold = must(
        await holdSeats(url(), fan, event.id, [
          event.seatIds[2 * i] as number,
          event.seatIds[2 * i + 1] as number,
        ]),
      );
      orders.push(must(await checkout(url(), fan, hold.holdSeats.id, randomUUID())).checkout);
    }
    return { event, orders };
  }

  /** A pool of one connection, as the API makes it, whose transactions Postgres ends after 200 ms idle. */
  const strictPool = () =>
    createSqlPool(scenario.database.url, { max: 1, idleInTransactionTimeoutMs: 200, onIdleError: () => {} });

  test("finds orders by buyer e-mail, order id and seat, page by page; exports them as CSV to the organizer only", async () => {
    const { event, orders } = await eventWithOrders(5);
    const page = async (who: Fan, variables: Record<string, unknown>) =>
      must(await asFan<Page>(url(), who, EVENT_ORDERS, { id: String(event.id), ...variables })).eventOrders;

    const all: string[] = [];
    let after: string | null = null;
    do {
      const result: Page["eventOrders"] = await page(owner, { first: 2, after });
      all.push(...result.edges.map((edge) => edge.node.id));
      after = result.pageInfo.hasNextPage ? result.pageInfo.endCursor : null;
    } while (after);
    assert.deepEqual(
      [...all].sort(),
      orders.map((order) => order.id).sort(),
      "every order once over the pages",
    );

    const byEmail = await page(owner, { search: (fans[3] as Fan).email.toUpperCase() });
    assert.deepEqual(
      byEmail.edges.map((edge) => edge.node.buyer?.email),
      [(fans[3] as Fan).email],
    );
    const byId = await page(owner, { search: orders[1]?.id.slice(0, 13) });
    assert.deepEqual(
      byId.edges.map((edge) => edge.node.id),
      [orders[1]?.id],
    );
    const seat = byId.edges[0]?.node.tickets[0]?.seat;
    const bySeat = await page(owner, { search: `${seat?.row}-${seat?.number}` });
    assert.ok(bySeat.edges.some((edge) => edge.node.id === orders[1]?.id));
    assert.equal(
      errorCode(await asFan(url(), otherOrganizer, EVENT_ORDERS, { id: String(event.id) })),
      "FORBIDDEN",
    );
    assert.equal(
      errorCode(await asFan(url(), owner, EVENT_ORDERS, { id: String(event.id), first: 0 })),
      "BAD_USER_INPUT",
    );

    const exportUrl = `${scenario.api.origin}/exports/attendees.csv?eventId=${event.id}`;
    const csv = await fetch(exportUrl, { headers: { cookie: owner.cookie } });
    assert.equal(csv.status, 200);
    assert.match(
      csv.headers.get("content-disposition") ?? "",
      /attachment; filename="event-\d+-attendees.csv"/,
    );
    const lines = (await csv.text()).trim().split("\r\n");
    assert.equal(lines.length, 1 + 10, "a header and one line per ticket");
    assert.ok(lines.slice(1).every((line) => orders.some((order) => line.startsWith(order.id))));
    assert.equal((await fetch(exportUrl)).status, 401);
    assert.equal((await fetch(exportUrl, { headers: { cookie: otherOrganizer.cookie } })).status, 403);
    assert.equal((await fetch(exportUrl, { headers: { cookie: (fans[0] as Fan).cookie } })).status, 403);
    assert.equal(
      (
        await fetch(`${scenario.api.origin}/exports/attendees.csv?eventId=x`, {
          headers: { cookie: owner.cookie },
        })
      ).status,
      400,
    );
  });

  // Found reading the export after a drill failure: the pool's idle-in-transaction limit (3 s) ended the
  // export's transaction while a slow download took a batch, and the dropped connection, which no one
  // listened to, crashed the API.
  test("a reader slower than the pool's idle-in-transaction limit still gets every row", async () => {
    const { event } = await eventWithOrders(3);
    const pool = strictPool();
    try {
      const batches: number[] = [];
      const total = await forEachAttendeeBatch(
        pool,
        event.id,
        { batch: 2, maxReaderMs: 5_000 },
        async (rows) => {
          batches.push(rows.length);
          await sleep(400);
        },
      );
      assert.equal(total, 6);
      assert.deepEqual(batches, [2, 2, 2]);
    } finally {
      await pool.end();
    }
  });

  test("a connection lost between two batches fails the export, not the process; the pool carries on", async () => {
    const { event } = await eventWithOrders(2);
    const pool = strictPool();
    try {
      const exporting = forEachAttendeeBatch(pool, event.id, { batch: 1, maxReaderMs: 5_000 }, async () => {
        await db().$executeRaw`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND query = 'FETCH 1 FROM attendees'`;
        await sleep(300);
      });
      await assert.rejects(exporting, /not queryable|terminat/i);
      const { rows } = await pool.query<{ ok: number }>("SELECT 1 AS ok");
      assert.deepEqual(rows, [{ ok: 1 }]);
    } finally {
      await pool.end();
    }
  });

  test("while Postgres is down the export answers 503 SERVICE_UNAVAILABLE with Retry-After, not a 500", async () => {
    const event = await ownedEvent();
    // A port nobody listens on stands for a Postgres that is down; the session still resolves from Redis.
    const down = await startTestServer(`postgresql://postgres@127.0.0.1:${await freePort()}/nowhere`, {
      REDIS_KEY_PREFIX: scenario.api.server.config.REDIS_KEY_PREFIX,
    });
    try {
      const response = await fetch(`${down.origin}/exports/attendees.csv?eventId=${event.id}`, {
        headers: { cookie: owner.cookie },
      });
      assert.equal(response.status, 503);
      assert.equal(response.headers.get("retry-after"), "1");
      const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
      assert.equal(body.errors[0]?.extensions.code, "SERVICE_UNAVAILABLE");
    } finally {
      await down.close();
    }
  });
});
