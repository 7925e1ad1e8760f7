import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { createLogger } from "../src/infra/logger.js";
import { createSqlPool } from "../src/infra/sql.js";
import { CancellationService } from "../src/modules/events/cancellation.service.js";
import { FakeGateway } from "../src/modules/orders/fake-gateway.js";
import { RefundsService } from "../src/modules/orders/refunds.service.js";
import { VENUE_SLUGS } from "../src/seed/seed.js";
import { asFan, createFanAccounts, errorCode, type Fan, logIn } from "./support/holds.js";
import {
  checkout,
  holdSeats,
  must,
  type OrderData,
  type OrdersScenario,
  ordersScenario,
} from "./support/orders.js";
import type { GraphQLResult } from "./support/server.js";
import { waitFor } from "./support/wait.js";

// The organizer's event life cycle (docs/organizers.md): permissions and validation of every mutation,
// publish with its problems, prices that keep held seats' prices, kills and house seats that never touch
// a fan's seat, complimentary tickets, refunds, and the cancellation job killed half-way and resumed.

let scenario: OrdersScenario;
let fans: Fan[];
let organizer: Fan;
let rival: Fan;
let admin: Fan;
let venueId: number;
let sections: { id: number; name: string; rows: string[]; seatIds: number[] }[];

const EVENT_FIELDS = "id name status startsAt saleStartsAt";
const CREATE = `mutation ($input: CreateEventInput!) { createEvent(input: $input) { ${EVENT_FIELDS} } }`;
const UPDATE = `mutation ($id: ID!, $input: UpdateEventInput!) { updateEvent(eventId: $id, input: $input) { ${EVENT_FIELDS} } }`;
const PUBLISH = `mutation ($id: ID!) { publishEvent(eventId: $id) { ${EVENT_FIELDS} } }`;
const DUPLICATE = `mutation ($id: ID!, $dates: [String!]!) { duplicateEvent(eventId: $id, dates: $dates) { ${EVENT_FIELDS} } }`;
const SET_PRICES = `mutation ($id: ID!, $input: SetPricesInput!) { setPrices(eventId: $id, input: $input) { id name price { amount currency } } }`;
const OFF_SALE = "mutation ($id: ID!, $seats: [ID!]!) { setSeatsOffSale(eventId: $id, seatIds: $seats) }";
const ON_SALE = "mutation ($id: ID!, $seats: [ID!]!) { setSeatsOnSale(eventId: $id, seatIds: $seats) }";
const HOUSE = `mutation ($id: ID!, $seats: [ID!]!) { createHouseHold(eventId: $id, seatIds: $seats, label: "Press") { id seatIds label } }`;
const RELEASE = "mutation ($hold: ID!, $seats: [ID!]) { releaseHouseHold(holdId: $hold, seatIds: $seats) }";
const COMPS = `mutation ($hold: ID!, $seats: [ID!], $email: String) {
  issueComplimentaryTickets(holdId: $hold, seatIds: $seats, email: $email) { id status total { amount } tickets { id code status } } }`;
const CANCEL = `mutation ($id: ID!, $reason: String!) { cancelEvent(eventId: $id, reason: $reason) { totalOrders refundedOrders finishedAt } }`;
const PROGRESS =
  "query ($id: ID!) { eventCancellation(eventId: $id) { totalOrders refundedOrders finishedAt } }";
const REFUND = `mutation ($order: ID!, $tickets: [ID!]) { refundOrder(orderId: $order, ticketIds: $tickets) { id status tickets { id status } } }`;
const MY_EVENTS =
  "query ($status: EventStatus, $after: String) { myEvents(status: $status, first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id status } } } }";
const AUDIT =
  "query ($id: ID!) { auditLog(eventId: $id) { totalCount edges { node { action actorId before after } } } }";

const url = () => scenario.api.url;
const db = () => scenario.database.db;
const as = <T = Record<string, unknown>>(who: Fan, query: string, variables?: Record<string, unknown>) =>
  asFan<T>(url(), who, query, variables);

/** A local wall-clock time `days` from now ("2027-05-01T20:00"). */
function localIn(days: number, time = "20:00"): string {
  return `${new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)}T${time}`;
}

function problemsOf(result: GraphQLResult<unknown>): { field: string; message: string }[] {
  assert.equal(errorCode(result), "BAD_USER_INPUT", JSON.stringify(result.errors));
  return (result.errors?.[0]?.extensions?.problems ?? []) as { field: string; message: string }[];
}

async function signedIn(tag: string, role: "ORGANIZER" | "ADMIN"): Promise<Fan> {
  const [account] = await createFanAccounts(db(), 1, tag);
  if (!account) throw new Error("no account");
  await db().user.update({ where: { id: account.id }, data: { role } });
  return { ...account, cookie: await logIn(url(), account.email) };
}

async function createEvent(overrides: Record<string, unknown> = {}): Promise<number> {
  const input = {
    venueId: String(venueId),
    name: "Tour opener",
    category: "Concert",
    performer: "The Test Band",
    startsAt: localIn(40),
    saleStartsAt: localIn(-1, "10:00"),
    ...overrides,
  };
  return Number(must(await as<{ createEvent: { id: string } }>(organizer, CREATE, { input })).createEvent.id);
}

/** Every section of the venue's chart priced at one tier, published: on sale now. */
async function publishedEvent(priceMinor = 5_000): Promise<number> {
  const id = await createEvent();
  must(
    await as(organizer, SET_PRICES, {
      id: String(id),
      input: {
        tiers: [{ name: "Standard", priceMinor }],
        assignments: sections.map((section) => ({ tier: "Standard", sectionId: String(section.id) })),
      },
    }),
  );
  must(await as(organizer, PUBLISH, { id: String(id) }));
  return id;
}

async function buy(who: Fan, eventId: number, seatIds: number[]): Promise<OrderData> {
  const hold = must(await holdSeats(url(), who, eventId, seatIds)).holdSeats;
  return must(await checkout(url(), who, hold.id, randomUUID())).checkout;
}

before(async () => {
  scenario = await ordersScenario("organizer", 4, { JOBS_POLL_INTERVAL_MS: "100" });
  fans = scenario.fans;
  organizer = {
    id: "",
    email: "organizer@frontrow.test",
    cookie: await logIn(url(), "organizer@frontrow.test", "organizer-password"),
  };
  rival = await signedIn("rival-organizer", "ORGANIZER");
  admin = await signedIn("another-admin", "ADMIN");
  const venue = await db().venue.findUniqueOrThrow({ where: { slug: VENUE_SLUGS.amsterdamTheatre } });
  venueId = venue.id;
  const chart = await db().seatingChart.findFirstOrThrow({
    where: { venueId },
    orderBy: { version: "desc" },
    include: { sections: { orderBy: { sortOrder: "asc" }, include: { seats: { orderBy: { id: "asc" } } } } },
  });
  sections = chart.sections.map((section) => ({
    id: section.id,
    name: section.name,
    rows: [...new Set(section.seats.map((seat) => seat.rowLabel))],
    seatIds: section.seats.map((seat) => seat.id),
  }));
});

after(async () => {
  await scenario.close();
});

const fan = (i: number) => fans[i] as Fan;

describe("permissions", () => {
  test("fans may not use the organizer API; other organizers may not touch an event; admins may", async () => {
    const eventId = String(await createEvent());
    assert.equal(errorCode(await as(fan(0), MY_EVENTS)), "FORBIDDEN");
    assert.equal(errorCode(await as(fan(0), PUBLISH, { id: eventId })), "FORBIDDEN");
    const rivalCalls: [string, Record<string, unknown>][] = [
      [UPDATE, { id: eventId, input: { name: "Mine now" } }],
      [PUBLISH, { id: eventId }],
      [DUPLICATE, { id: eventId, dates: [localIn(50)] }],
      [SET_PRICES, { id: eventId, input: { tiers: [{ name: "X", priceMinor: 1 }] } }],
      [OFF_SALE, { id: eventId, seats: ["1"] }],
      [ON_SALE, { id: eventId, seats: ["1"] }],
      [HOUSE, { id: eventId, seats: ["1"] }],
      [CANCEL, { id: eventId, reason: "Not my event" }],
      [AUDIT, { id: eventId }],
      [PROGRESS, { id: eventId }],
    ];
    for (const [query, variables] of rivalCalls) {
      assert.equal(errorCode(await as(rival, query, variables)), "FORBIDDEN", query);
    }
    assert.equal(
      errorCode(
        await as(rival, CREATE, {
          input: {
            venueId: String(venueId),
            name: "x",
            category: "x",
            performer: "x",
            startsAt: localIn(9),
            saleStartsAt: localIn(1),
          },
        }),
      ),
      "FORBIDDEN",
      "an organizer creates events only at their own venues",
    );
    // The rival sees none of it in their list; an admin sees it and may change it.
    const rivalList = must(await as<{ myEvents: { edges: { node: { id: string } }[] } }>(rival, MY_EVENTS));
    assert.ok(!rivalList.myEvents.edges.some((edge) => edge.node.id === eventId));
    must(await as(admin, UPDATE, { id: eventId, input: { name: "Renamed by an admin" } }));
    assert.equal(errorCode(await as(organizer, PUBLISH, { id: "999999" })), "NOT_FOUND");
  });
});

test("a repeated organizer mutation runs again (never a shared cache hit)", async () => {
  const id = String(await publishedEvent());
  const pause =
    "mutation ($id: ID!, $p: Boolean!) { updateQueueSettings(eventId: $id, input: { paused: $p }) { id } }";
  for (const paused of [true, false, true]) must(await as(organizer, pause, { id, p: paused }));
  const event = await db().event.findUniqueOrThrow({ where: { id: Number(id) } });
  assert.equal(event.queuePaused, true, "pause, resume, pause leaves it paused");
});

describe("validation", () => {
  test("createEvent lists every problem with its field", async () => {
    const result = await as(organizer, CREATE, {
      input: {
        venueId: String(venueId),
        name: " ",
        category: "Concert",
        startsAt: localIn(-2),
        saleStartsAt: "tomorrow",
        currency: "euro",
        holdSeconds: 5,
        maxTicketsPerAccount: 0,
      },
    });
    const fields = problemsOf(result).map((problem) => problem.field);
    for (const field of [
      "performer",
      "name",
      "currency",
      "holdSeconds",
      "maxTicketsPerAccount",
      "saleStartsAt",
      "startsAt",
    ]) {
      assert.ok(fields.includes(field), `${field} in ${fields.join(", ")}`);
    }
    assert.equal(result.errors?.[0]?.extensions?.field, fields[0]);
  });

  test("updateEvent, setPrices, duplicateEvent, cancelEvent and kills validate their input", async () => {
    const id = String(await createEvent());
    const update = await as(organizer, UPDATE, {
      id,
      input: { saleStartsAt: localIn(60), saleEndsAt: localIn(-5) },
    });
    assert.deepEqual(
      problemsOf(update)
        .map((p) => p.field)
        .sort(),
      ["saleEndsAt", "saleStartsAt"],
    );
    const prices = await as(organizer, SET_PRICES, {
      id,
      input: {
        tiers: [
          { name: "A", priceMinor: -1 },
          { name: "A", priceMinor: 10 },
        ],
        assignments: [
          { tier: "Nope", sectionId: "999999" },
          { tier: "A", sectionId: String(sections[0]?.id), row: "ZZZ" },
        ],
      },
    });
    const priceFields = problemsOf(prices).map((p) => p.field);
    for (const field of [
      "tiers.0.priceMinor",
      "tiers.1.name",
      "assignments.0.tier",
      "assignments.0.sectionId",
      "assignments.1.row",
    ]) {
      assert.ok(priceFields.includes(field), `${field} in ${priceFields.join(", ")}`);
    }
    // Too many of either is refused before anything is looked up: no per-item problem, no per-item query
    // under the event's lock.
    const oversized = await as(organizer, SET_PRICES, {
      id,
      input: {
        tiers: Array.from({ length: 101 }, (_, i) => ({ name: `T${i}`, priceMinor: 100 })),
        assignments: Array.from({ length: 501 }, () => ({ tier: "T0", sectionId: "999999", row: "ZZZ" })),
      },
    });
    assert.deepEqual(
      problemsOf(oversized).map((p) => p.field),
      ["assignments", "tiers"],
    );
    const duplicate = await as(organizer, DUPLICATE, { id, dates: ["2020-01-01T20:00", "soon"] });
    assert.deepEqual(
      problemsOf(duplicate).map((p) => p.field),
      ["dates.0", "dates.1"],
    );
    assert.equal((await as(organizer, CANCEL, { id, reason: "" })).errors?.[0]?.extensions?.field, "reason");
    assert.equal(
      (await as(organizer, OFF_SALE, { id, seats: [] })).errors?.[0]?.extensions?.field,
      "seatIds",
    );
    assert.equal(
      errorCode(await as(organizer, OFF_SALE, { id, seats: ["1"] })),
      "CONFLICT",
      "a draft has no inventory",
    );
  });
});

describe("life cycle", () => {
  test("a draft is listed, refuses to publish with every problem, publishes once priced", async () => {
    const id = await createEvent();
    const drafts = must(
      await as<{ myEvents: { edges: { node: { id: string; status: string } }[] } }>(organizer, MY_EVENTS, {
        status: "DRAFT",
      }),
    );
    assert.ok(drafts.myEvents.edges.some((edge) => edge.node.id === String(id)));

    const [first, second] = sections as [(typeof sections)[0], (typeof sections)[0]];
    assert.deepEqual(
      problemsOf(await as(organizer, PUBLISH, { id: String(id) })).map((p) => p.field),
      ["prices"],
    );
    // Section 1 whole at one tier, one row of section 2 at another: section 2's other rows are unpriced.
    must(
      await as(organizer, SET_PRICES, {
        id: String(id),
        input: {
          tiers: [
            { name: "Front", priceMinor: 9_000 },
            { name: "Back", priceMinor: 4_000 },
          ],
          assignments: [
            { tier: "Front", sectionId: String(first.id) },
            { tier: "Back", sectionId: String(second.id), row: second.rows[0] },
          ],
        },
      }),
    );
    const gaps = problemsOf(await as(organizer, PUBLISH, { id: String(id) }));
    assert.ok(
      gaps.some((p) => p.field === "prices" && p.message.includes(second.name)),
      JSON.stringify(gaps),
    );
    must(
      await as(organizer, SET_PRICES, {
        id: String(id),
        input: {
          assignments: sections
            .slice(1)
            .map((s) => ({ tier: "Back", sectionId: String(s.id) }))
            .concat([
              { tier: "Front", sectionId: String(second.id), row: second.rows[0] as string } as never,
            ]),
        },
      }),
    );
    const published = must(
      await as<{ publishEvent: { status: string } }>(organizer, PUBLISH, { id: String(id) }),
    );
    assert.equal(published.publishEvent.status, "ON_SALE");
    assert.equal(errorCode(await as(organizer, PUBLISH, { id: String(id) })), "CONFLICT");

    const event = await db().event.findUniqueOrThrow({ where: { id } });
    const chart = await db().seatingChart.findUniqueOrThrow({ where: { id: event.chartId } });
    assert.ok(chart.frozenAt, "the chart is frozen");
    const inventory = await db().eventSeat.findMany({ where: { eventId: id }, include: { priceTier: true } });
    assert.equal(
      inventory.length,
      sections.reduce((sum, s) => sum + s.seatIds.length, 0),
    );
    const rowSeat = inventory.find((seat) => seat.seatId === second.seatIds[0]);
    assert.equal(rowSeat?.priceTier.name, "Front", "a row priced over its section sells at the row's tier");
    const outbox = await db().outboxEvent.findMany({ where: { topic: "event.published" } });
    assert.ok(outbox.some((row) => (row.payload as { eventId: number }).eventId === id));

    // A new date for a published event is a postponement, announced with before and after.
    const newDate = localIn(45);
    must(await as(organizer, UPDATE, { id: String(id), input: { startsAt: newDate } }));
    const changed = await db().outboxEvent.findMany({ where: { topic: "event.changed" } });
    const change = changed
      .map(
        (row) =>
          row.payload as { eventId: number; changes: Record<string, { before: string; after: string }> },
      )
      .find((p) => p.eventId === id);
    assert.equal(change?.changes.startsAt?.after, newDate);
    assert.equal(
      problemsOf(await as(organizer, UPDATE, { id: String(id), input: { currency: "USD" } }))[0]?.field,
      "currency",
    );

    const audit = must(
      await as<{ auditLog: { edges: { node: { action: string; actorId: string } }[] } }>(organizer, AUDIT, {
        id: String(id),
      }),
    );
    const actions = audit.auditLog.edges.map((edge) => edge.node.action);
    assert.deepEqual(actions, [
      "event.postpone",
      "event.publish",
      "prices.set",
      "prices.set",
      "event.create",
    ]);
    assert.ok(audit.auditLog.edges.every((edge) => edge.node.actorId));
  });

  test("duplicateEvent makes a draft per date with the prices copied", async () => {
    const id = await publishedEvent(3_300);
    const dates = [localIn(60), localIn(61), localIn(62)];
    const copies = must(
      await as<{ duplicateEvent: { id: string; status: string }[] }>(organizer, DUPLICATE, {
        id: String(id),
        dates,
      }),
    ).duplicateEvent;
    assert.equal(copies.length, 3);
    for (const copy of copies) {
      assert.equal(copy.status, "DRAFT");
      const tiers = await db().priceTier.findMany({ where: { eventId: Number(copy.id) } });
      assert.deepEqual(
        tiers.map((tier) => [tier.name, tier.priceMinor]),
        [["Standard", 3_300]],
      );
      must(await as(organizer, PUBLISH, { id: copy.id }));
    }
  });
});

describe("transfer and waitlist settings", () => {
  const SETTINGS = `query ($id: ID!) { eventSettings(eventId: $id) {
    transfersAllowed transferCutoffHours waitlistEnabled waitlistOfferSeconds } }`;
  const TRANSFER = `mutation ($order: ID!, $tickets: [ID!]!, $email: String!) {
    transferTickets(orderId: $order, ticketIds: $tickets, toEmail: $email) { id } }`;
  const JOIN_WAITLIST = "mutation ($id: ID!) { joinWaitlist(eventId: $id, quantity: 1) { position } }";

  test("updateEvent validates them with their fields, stores them, audits them, and they are obeyed", async () => {
    const id = await publishedEvent();
    const defaults = {
      transfersAllowed: true,
      transferCutoffHours: 0,
      waitlistEnabled: true,
      waitlistOfferSeconds: 1800,
    };
    assert.deepEqual(must(await as(organizer, SETTINGS, { id: String(id) })).eventSettings, defaults);

    const bad = problemsOf(
      await as(organizer, UPDATE, {
        id: String(id),
        input: { transferCutoffHours: -1, waitlistOfferSeconds: 10 },
      }),
    );
    assert.deepEqual(
      bad.map((p) => p.field),
      ["transferCutoffHours", "waitlistOfferSeconds"],
    );
    assert.match(bad[1]?.message ?? "", /waitlistOfferSeconds must be a whole number from 300 to 86400/);
    assert.ok(
      problemsOf(
        await as(organizer, UPDATE, { id: String(id), input: { transferCutoffHours: 24 * 60 + 1 } }),
      ),
    );
    assert.equal(
      errorCode(await as(rival, UPDATE, { id: String(id), input: { transfersAllowed: false } })),
      "FORBIDDEN",
    );

    const changed = {
      transfersAllowed: false,
      transferCutoffHours: 48,
      waitlistEnabled: false,
      waitlistOfferSeconds: 900,
    };
    must(await as(organizer, UPDATE, { id: String(id), input: changed }));
    assert.deepEqual(must(await as(organizer, SETTINGS, { id: String(id) })).eventSettings, changed);

    const [entry] = await db().auditLog.findMany({
      where: { eventId: id },
      orderBy: { id: "desc" },
      take: 1,
    });
    assert.equal(entry?.action, "event.update");
    assert.deepEqual(entry?.before, defaults);
    assert.deepEqual(entry?.after, changed);
    // Ticket holders hear of the transfer rules; the waitlist's concern fans without tickets only.
    const announced = (await db().outboxEvent.findMany({ where: { topic: "event.changed" } }))
      .map((row) => row.payload as { eventId: number; changes: Record<string, unknown> })
      .filter((payload) => payload.eventId === id);
    assert.deepEqual(
      announced.map((payload) => Object.keys(payload.changes).sort()),
      [["transferCutoffHours", "transfersAllowed"]],
    );

    const seat = sections[0]?.seatIds[0] as number;
    const order = await buy(fan(0), id, [seat]);
    const gift = { order: order.id, tickets: order.tickets.map((ticket) => ticket.id), email: fan(1).email };
    assert.equal(errorCode(await as(fan(0), TRANSFER, gift)), "TRANSFER_NOT_ALLOWED");
    assert.equal(errorCode(await as(fan(1), JOIN_WAITLIST, { id: String(id) })), "WAITLIST_CLOSED");

    // Switched back on: the fan's transfer goes through.
    must(
      await as(organizer, UPDATE, {
        id: String(id),
        input: { transfersAllowed: true, transferCutoffHours: 0 },
      }),
    );
    must(await as(fan(0), TRANSFER, gift));
  });
});

describe("prices and inventory on a live event", () => {
  test("a price change keeps the price of a live hold", async () => {
    const id = await publishedEvent(5_000);
    const seats = sections[0]?.seatIds ?? [];
    const hold = must(await holdSeats(url(), fan(0), id, [seats[0] as number])).holdSeats;
    const tier = await db().priceTier.findFirstOrThrow({ where: { eventId: id } });
    must(
      await as(organizer, SET_PRICES, {
        id: String(id),
        input: { tiers: [{ id: String(tier.id), name: "Standard", priceMinor: 7_500 }] },
      }),
    );
    const order = must(await checkout(url(), fan(0), hold.id, randomUUID())).checkout;
    assert.equal(order.subtotal.amount, 5_000, "the held seat keeps the price it was held at");
    const later = must(await holdSeats(url(), fan(1), id, [seats[1] as number])).holdSeats;
    assert.equal(later.total.amount, 7_500, "a free seat sells at the new price");
  });

  test("kills and house seats refuse fans' seats, take seats off the map and put them back", async () => {
    const id = await publishedEvent();
    const [a, b, c, d] = sections[0]?.seatIds ?? [];
    must(await holdSeats(url(), fan(2), id, [a as number]));
    const refused = await as(organizer, OFF_SALE, { id: String(id), seats: [String(a), String(b)] });
    assert.equal(errorCode(refused), "SEATS_UNAVAILABLE");
    assert.deepEqual(refused.errors?.[0]?.extensions?.seatIds, [a]);
    must(await as(organizer, OFF_SALE, { id: String(id), seats: [String(b)] }));
    assert.equal(errorCode(await holdSeats(url(), fan(3), id, [b as number])), "SEATS_UNAVAILABLE");
    // Fans see a killed seat as not for sale (not held: it will not come back when a hold ends).
    const map = must(
      await as<{ seatMap: { sections: { seats: { id: string; status: string }[] }[] } }>(
        organizer,
        "query ($id: ID!) { seatMap(eventId: $id) { sections { seats { id status } } } }",
        { id: String(id) },
      ),
    ).seatMap;
    const statusOf = (seat: number | undefined) =>
      map.sections.flatMap((section) => section.seats).find((one) => one.id === String(seat))?.status;
    assert.equal(statusOf(b), "NOT_FOR_SALE");
    assert.equal(statusOf(a), "HELD");
    assert.equal(
      errorCode(await as(organizer, ON_SALE, { id: String(id), seats: [String(c)] })),
      "SEATS_UNAVAILABLE",
    );
    must(await as(organizer, ON_SALE, { id: String(id), seats: [String(b)] }));
    must(await holdSeats(url(), fan(3), id, [b as number]));

    const house = must(
      await as<{ createHouseHold: { id: string; seatIds: string[] } }>(organizer, HOUSE, {
        id: String(id),
        seats: [String(c), String(d)],
      }),
    ).createHouseHold;
    assert.deepEqual(house.seatIds, [String(c), String(d)]);
    assert.equal(errorCode(await holdSeats(url(), fan(1), id, [c as number])), "SEATS_UNAVAILABLE");
    // The organizer's holds are not fan holds of theirs: not listed as such, not released through the
    // fans' releaseHold (which writes no audit entry).
    const mine = must(await as<{ me: { holds: { id: string }[] } }>(organizer, "{ me { holds { id } } }")).me;
    assert.ok(!mine.holds.some((hold) => hold.id === house.id), "house seats are not in me.holds");
    assert.equal(
      errorCode(await as(organizer, "mutation ($id: ID!) { releaseHold(holdId: $id) }", { id: house.id })),
      "NOT_FOUND",
    );
    // Nor bought through checkout: house seats go to guests as complimentary tickets.
    assert.equal(
      errorCode(
        await as(
          organizer,
          'mutation ($id: ID!) { checkout(holdId: $id, paymentToken: "tok_visa", idempotencyKey: "house") { id } }',
          { id: house.id },
        ),
      ),
      "NOT_FOUND",
    );
    const comp = must(
      await as<{
        issueComplimentaryTickets: { status: string; total: { amount: number }; tickets: { code: string }[] };
      }>(organizer, COMPS, { hold: house.id, seats: [String(c)], email: fan(1).email }),
    ).issueComplimentaryTickets;
    assert.equal(comp.status, "CONFIRMED");
    assert.equal(comp.total.amount, 0);
    assert.ok(comp.tickets[0]?.code, "a complimentary ticket has a rotating code");
    const fanOrders = await db().order.findMany({ where: { userId: fan(1).id, eventId: id } });
    assert.equal(fanOrders.length, 1, "the guest owns the complimentary order");
    must(await as(organizer, RELEASE, { hold: house.id, seats: null }));
    must(await holdSeats(url(), fan(1), id, [d as number]));
    const actions = (await db().auditLog.findMany({ where: { eventId: id }, orderBy: { id: "asc" } })).map(
      (row) => row.action,
    );
    assert.deepEqual(actions.slice(-5), [
      "seats.off_sale",
      "seats.on_sale",
      "house_hold.create",
      "house_hold.issue_complimentary",
      "house_hold.release",
    ]);
  });
});

describe("refunds and cancellation", () => {
  test("refundOrder refunds some tickets, then the rest, each exactly once", async () => {
    const id = await publishedEvent(4_000);
    const [a, b] = sections[1]?.seatIds ?? [];
    const order = await buy(fan(0), id, [a as number, b as number]);
    const [first, second] = order.tickets as [OrderData["tickets"][0], OrderData["tickets"][0]];
    assert.equal(errorCode(await as(rival, REFUND, { order: order.id, tickets: [first.id] })), "FORBIDDEN");
    const partial = must(
      await as<{ refundOrder: { status: string; tickets: { id: string; status: string }[] } }>(
        organizer,
        REFUND,
        { order: order.id, tickets: [first.id] },
      ),
    ).refundOrder;
    assert.equal(partial.status, "CONFIRMED");
    assert.deepEqual(partial.tickets.map((t) => t.status).sort(), ["VALID", "VOID"]);
    const again = await as(organizer, REFUND, { order: order.id, tickets: [first.id] });
    assert.equal(again.errors?.[0]?.extensions?.field, "ticketIds", "a voided ticket is not refunded twice");
    const rest = must(
      await as<{ refundOrder: { status: string } }>(organizer, REFUND, { order: order.id, tickets: null }),
    ).refundOrder;
    assert.equal(rest.status, "CANCELLED");
    const given = await db().fakeGatewayRefund.findMany({ where: { reference: order.id } });
    assert.equal(
      given.reduce((sum, row) => sum + row.amountMinor, 0),
      order.total.amount,
      "the whole total, once",
    );
    const stored = await db().order.findUniqueOrThrow({ where: { id: order.id } });
    assert.equal(stored.paymentState, "REFUNDED");
    assert.equal(second.id.length > 0, true);
  });

  test("the cancellation job killed half-way and resumed refunds every order exactly once", async () => {
    const id = await publishedEvent(2_500);
    const seats = sections[2]?.seatIds ?? sections[0]?.seatIds ?? [];
    const orders: OrderData[] = [];
    for (let i = 0; i < 8; i++) orders.push(await buy(fan(i % 4), id, [seats[i] as number]));
    const held = must(await holdSeats(url(), fan(0), id, [seats[20] as number])).holdSeats;

    // The job of this server stays queued while a "crashing" run goes first.
    await scenario.api.server.jobs.stop();
    const cancelled = must(
      await as<{ cancelEvent: { totalOrders: number } }>(organizer, CANCEL, {
        id: String(id),
        reason: "The venue flooded",
      }),
    ).cancelEvent;
    assert.equal(cancelled.totalOrders, 8);
    assert.equal(
      errorCode(await holdSeats(url(), fan(1), id, [seats[30] as number])),
      "SALE_NOT_OPEN",
      "sales stop at once",
    );
    const hold = await db().hold.findUniqueOrThrow({ where: { id: held.id } });
    assert.equal(hold.state, "RELEASED", "every hold ends");

    const pool = createSqlPool(scenario.database.url, { max: 2, onIdleError: () => undefined });
    const payments = new FakeGateway(pool);
    const told: number[] = [];
    const crashing = new CancellationService(
      db(),
      new RefundsService(db(), pool, payments),
      {
        seatsChanged: (_eventId, seatIds) => void told.push(...seatIds),
        areasChanged() {},
        async pricingChanged() {},
      },
      createLogger("silent"),
    );
    let refunded = 0;
    await assert.rejects(
      crashing.runRefunds(id, {
        afterProviderRefund() {
          // Killed after the provider refunded the third order, before it was recorded.
          if (++refunded === 3) throw new Error("killed");
        },
      }),
      /killed/,
    );
    await pool.end();
    const midway = must(
      await as<{ eventCancellation: { refundedOrders: number; finishedAt: string | null } }>(
        organizer,
        PROGRESS,
        {
          id: String(id),
        },
      ),
    ).eventCancellation;
    assert.ok(midway.refundedOrders < 8, `${midway.refundedOrders} refunded before the crash`);
    assert.equal(midway.finishedAt, null);
    const pending = await db().orderRefund.findMany({ where: { eventId: id, state: "PENDING" } });
    assert.equal(pending.length, 1, "the killed run left one refund whose money moved but was not recorded");
    const freed = await db().ticket.findMany({ where: { eventId: id, status: "VOID" } });
    assert.deepEqual(
      [...told].sort((a, b) => a - b),
      freed.map((ticket) => ticket.seatId).sort((a, b) => (a ?? 0) - (b ?? 0)),
      "the live seat map is told of every seat a refund freed",
    );
    await scenario.api.server.jobs.start();
    await waitFor("the refund job to finish", async () => {
      const progress = must(
        await as<{ eventCancellation: { refundedOrders: number; finishedAt: string | null } }>(
          organizer,
          PROGRESS,
          { id: String(id) },
        ),
      ).eventCancellation;
      return progress.finishedAt !== null && progress.refundedOrders === 8;
    });
    const ids = orders.map((order) => order.id);
    const given = await db().fakeGatewayRefund.findMany({ where: { reference: { in: ids } } });
    assert.equal(given.length, 8, "one provider refund per order: none twice, none missed");
    const stored = await db().order.findMany({ where: { id: { in: ids } } });
    assert.ok(stored.every((order) => order.status === "CANCELLED" && order.paymentState === "REFUNDED"));
    const valid = await db().ticket.count({ where: { eventId: id, status: "VALID" } });
    assert.equal(valid, 0, "every ticket is void");
    const announced = await db().outboxEvent.findMany({
      where: { topic: { in: ["order.refunded", "event.cancelled"] } },
    });
    const forEvent = announced.filter((row) => (row.payload as { eventId: number }).eventId === id);
    assert.equal(forEvent.filter((row) => row.topic === "order.refunded").length, 8);
    assert.equal(forEvent.filter((row) => row.topic === "event.cancelled").length, 1);
    assert.equal(errorCode(await as(organizer, CANCEL, { id: String(id), reason: "Again" })), "CONFLICT");
  });
});
