import assert from "node:assert/strict";
import { randomInt, randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { DEMO_ACCOUNTS } from "../src/seed/accounts.js";
import { asFan, createFanAccounts, errorCode, type Fan, logIn, RELEASE_HOLD } from "./support/holds.js";
import {
  CANCEL_ORDER,
  checkout,
  holdSeats,
  must,
  type OrderData,
  type OrdersScenario,
  ordersScenario,
} from "./support/orders.js";
import { gql } from "./support/server.js";
import { waitFor } from "./support/wait.js";

// The live sales dashboard (docs/sales.md): the running counters equal a recount from the rows after a
// concurrent run, eventSales and the attendee export answer only the event's organizer and admins,
// eventSalesChanged pushes at most once a second, eventOrders finds orders by e-mail, id and seat.

const EVENT_SALES = `query ($id: ID!) { eventSales(eventId: $id) {
  eventId seats { available held sold killed houseSeats total } gross { amount currency } fees { amount }
  refunds { amount } net { amount } ordersConfirmed checkedIn
  tiers { tierId name sold available total } sections { sectionId name sold held available total }
  salesPerMinute { minute tickets } queue { waitingCount } } }`;

interface Figures {
  seats: { available: number; held: number; sold: number; total: number };
  gross: { amount: number };
  fees: { amount: number };
  refunds: { amount: number };
  net: { amount: number };
  ordersConfirmed: number;
  tiers: { sold: number; total: number }[];
  sections: { sold: number; held: number; total: number }[];
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
        ["holdSeats", "releaseHold", "checkout", "cancelOrder"].map((field) => [
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

/** One fan's share of the run: holds, then releases, abandoned holds, checkouts and cancellations. */
async function shop(
  fan: Fan,
  eventId: number,
  seatIds: number[],
  rounds: number,
  tally: Map<string, number>,
) {
  const count = (what: string) => tally.set(what, (tally.get(what) ?? 0) + 1);
  for (let round = 0; round < rounds; round++) {
    const first = randomInt(seatIds.length - 1);
    const wanted = randomInt(2) === 0 ? [seatIds[first] as number] : seatIds.slice(first, first + 2);
    const held = await holdSeats(url(), fan, eventId, wanted);
    count("holds");
    if (!held.data?.holdSeats) continue;
    const roll = randomInt(100);
    if (roll < 20) {
      must(await asFan(url(), fan, RELEASE_HOLD, { holdId: held.data.holdSeats.id }));
      count("releases");
    } else if (roll < 30) {
      count("abandoned"); // expires, then is taken over or swept
    } else {
      const bought = await checkout(url(), fan, held.data.holdSeats.id, randomUUID());
      count("checkouts");
      const order = bought.data?.checkout;
      if (order && randomInt(100) < 30) {
        must(await asFan<{ cancelOrder: OrderData }>(url(), fan, CANCEL_ORDER, { orderId: order.id }));
        count("cancels");
      }
    }
  }
}

describe("running counters", () => {
  test("equal a recount from the rows after concurrent holds, checkouts, cancels, expiries and folds", async () => {
    const event = await ownedEvent({ holdSeconds: 2, maxTicketsPerAccount: 300 });
    // A narrow band of seats, so that fans collide, take over expired holds and re-buy cancelled seats.
    const seatIds = event.seatIds.slice(0, 240);
    const tally = new Map<string, number>();
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
    await Promise.all(fans.map((fan) => shop(fan, event.id, seatIds, 50, tally)));
    await sleep(2_100);
    await scenario.api.server.holdSweeper.sweep();
    running = false;
    assert.ok((await folding) > 3, "folds ran during the run");
    const operations = ["holds", "releases", "checkouts", "cancels"].reduce(
      (sum, what) => sum + (tally.get(what) ?? 0),
      0,
    );
    assert.ok(
      operations >= 800,
      `about a thousand operations (${JSON.stringify(Object.fromEntries(tally))})`,
    );
    assert.ok((tally.get("cancels") ?? 0) > 10 && (tally.get("checkouts") ?? 0) > 50);

    assert.deepEqual(await counters(event.id), await recount(event.id), "counters = recount");
    const [tickets] = await db().$queryRaw<{ tickets: bigint; sold: bigint }[]>`
      SELECT (SELECT count(*) FROM ticket WHERE event_id = ${event.id}) AS tickets,
             (SELECT coalesce(sum(value), 0) FROM (SELECT value FROM sales_count WHERE event_id = ${event.id} AND metric = 'sold.minute'
              UNION ALL SELECT value FROM sales_count_delta WHERE event_id = ${event.id} AND metric = 'sold.minute') m)::bigint AS sold`;
    assert.equal(tickets?.sold, tickets?.tickets, "tickets sold per minute add up to the tickets issued");

    // The same through the API, against plain counts.
    const figures = await salesOf(owner, event.id);
    const [truth] = await db().$queryRaw<
      { sold: number; held: number; total: number; paid: number; refunded: number }[]
    >`
      SELECT count(*) FILTER (WHERE es.status = 'SOLD')::int AS sold, count(*) FILTER (WHERE es.status = 'HELD')::int AS held,
             count(*)::int AS total,
             (SELECT coalesce(sum(total_minor), 0) FROM "order" WHERE event_id = ${event.id} AND status IN ('CONFIRMED', 'CANCELLED'))::int AS paid,
             (SELECT coalesce(sum(total_minor), 0) FROM "order" WHERE event_id = ${event.id} AND status = 'CANCELLED')::int AS refunded
      FROM event_seat es WHERE es.event_id = ${event.id}`;
    assert.equal(figures.seats.sold, truth?.sold);
    assert.equal(figures.seats.held, truth?.held);
    assert.equal(figures.seats.total, truth?.total);
    assert.equal(figures.gross.amount, truth?.paid);
    assert.equal(figures.refunds.amount, truth?.refunded);
    assert.equal(figures.net.amount, figures.gross.amount - figures.refunds.amount - figures.fees.amount);
    assert.equal(
      figures.sections.reduce((sum, section) => sum + section.sold, 0),
      figures.seats.sold,
    );
    assert.equal(figures.salesPerMinute.length, 60);
    assert.ok(figures.salesPerMinute.reduce((sum, minute) => sum + minute.tickets, 0) > 0);
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

  test("finds orders by buyer e-mail, order id and seat, page by page; exports them as CSV to the organizer only", async () => {
    const event = await ownedEvent();
    const orders: OrderData[] = [];
    for (let i = 0; i < 5; i++) {
      const fan = fans[i] as Fan;
      const hold = must(
        await holdSeats(url(), fan, event.id, [
          event.seatIds[2 * i] as number,
          event.seatIds[2 * i + 1] as number,
        ]),
      );
      orders.push(must(await checkout(url(), fan, hold.holdSeats.id, randomUUID())).checkout);
    }
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
});
