import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { asFan, createFanAccounts, errorCode, type Fan, logIn, standingArea } from "./support/holds.js";
import {
  CANCEL_ORDER,
  checkout,
  holdPlaces,
  holdSeats,
  MY_ORDERS,
  must,
  ORDER,
  type OrderData,
  type OrdersScenario,
  ordersScenario,
  VERIFY_TICKET,
} from "./support/orders.js";
import { waitFor } from "./support/wait.js";

// Transfers (docs/transfers.md) and the waitlist (docs/waitlist.md), against real Postgres and Redis,
// one server for both.

const TRANSFER_FIELDS = "id state orderId eventId toEmail ticketIds ticketCount newOrderId fromName";
const TRANSFER = `mutation ($orderId: ID!, $ticketIds: [ID!]!, $toEmail: String!) {
  transferTickets(orderId: $orderId, ticketIds: $ticketIds, toEmail: $toEmail) { ${TRANSFER_FIELDS} } }`;
const ACCEPT = `mutation ($id: ID!) { acceptTransfer(transferId: $id) { ${TRANSFER_FIELDS} } }`;
const CANCEL_TRANSFER = `mutation ($id: ID!) { cancelTransfer(transferId: $id) { ${TRANSFER_FIELDS} } }`;
const GET_TRANSFER = `query ($id: ID!) { transfer(id: $id) { ${TRANSFER_FIELDS} event { id name } } }`;
const ENTRY_FIELDS = "id eventId quantity state position holdId offerExpiresAt";
const JOIN = `mutation ($eventId: ID!, $quantity: Int!, $tier: ID) {
  joinWaitlist(eventId: $eventId, quantity: $quantity, priceTierId: $tier) { ${ENTRY_FIELDS} } }`;
const JOIN_AREA = `mutation ($eventId: ID!, $quantity: Int!, $tier: ID, $areaId: ID) {
  joinWaitlist(eventId: $eventId, quantity: $quantity, priceTierId: $tier, areaId: $areaId) { ${ENTRY_FIELDS} areaId } }`;
const MY_WAITLISTS = `{ myWaitlists { ${ENTRY_FIELDS} event { id } } }`;

interface TransferData {
  id: string;
  state: string;
  orderId: string;
  ticketIds: string[];
  ticketCount: number;
  newOrderId: string | null;
}
interface EntryData {
  id: string;
  state: string;
  position: number | null;
  holdId: string | null;
  offerExpiresAt: string | null;
}

let scenario: OrdersScenario;
let fans: Fan[];
let organizer: Fan;

/**
 * A fresh event of the organizer's, with `seats` seats on sale (the rest of the venue not for sale): plain
 * seats, which best available (and so a waitlist offer) gives to anyone, unlike wheelchair spaces and
 * their companion seats.
 */
async function eventWith(settings: { maxTicketsPerAccount?: number } = {}, seats?: number) {
  const event = await scenario.freshEvent(settings);
  const { db } = scenario.database;
  await db.event.update({ where: { id: event.id }, data: { organizerId: organizer.id } });
  if (seats === undefined) return event;
  const plain = await db.seat.findMany({
    where: { id: { in: event.seatIds }, wheelchair: false, companion: false },
    orderBy: { id: "asc" },
    take: seats,
    select: { id: true },
  });
  const seatIds = plain.map((seat) => seat.id);
  await db.eventSeat.deleteMany({ where: { eventId: event.id, seatId: { notIn: seatIds } } });
  return { ...event, seatIds };
}

async function buy(fan: Fan, eventId: number, seatIds: number[]): Promise<OrderData> {
  const hold = must(await holdSeats(scenario.api.url, fan, eventId, seatIds)).holdSeats;
  return must(await checkout(scenario.api.url, fan, hold.id, randomUUID())).checkout;
}

async function orderOf(fan: Fan, orderId: string): Promise<OrderData> {
  return must(await asFan<{ order: OrderData }>(scenario.api.url, fan, ORDER, { id: orderId })).order;
}

async function verify(code: string): Promise<string> {
  const result = await asFan<{ verifyTicket: { result: string } }>(
    scenario.api.url,
    organizer,
    VERIFY_TICKET,
    {
      code,
    },
  );
  return must(result).verifyTicket.result;
}

function transfer(fan: Fan, orderId: string, ticketIds: string[], toEmail: string) {
  return asFan<{ transferTickets: TransferData }>(scenario.api.url, fan, TRANSFER, {
    orderId,
    ticketIds,
    toEmail,
  });
}

function accept(fan: Fan, id: string) {
  return asFan<{ acceptTransfer: TransferData }>(scenario.api.url, fan, ACCEPT, { id });
}

async function outboxPayloads(topic: string): Promise<Record<string, unknown>[]> {
  const rows = await scenario.database.db.outboxEvent.findMany({ where: { topic }, orderBy: { id: "asc" } });
  return rows.map((row) => row.payload as Record<string, unknown>);
}

before(async () => {
  scenario = await ordersScenario("transfers", 5, { WAITLIST_SCAN_INTERVAL_MS: "100" });
  fans = scenario.fans;
  const [staff] = await createFanAccounts(scenario.database.db, 1, "transfer-organizer");
  assert.ok(staff);
  await scenario.database.db.user.update({ where: { id: staff.id }, data: { role: "ORGANIZER" } });
  organizer = { ...staff, cookie: await logIn(scenario.api.url, staff.email) };
});

after(() => scenario.close());

describe("transfers", () => {
  test("standing tickets pass on too: new codes, the old ones INVALID, the area's places unchanged, the recipient's limit counts them", async () => {
    const [sender, recipient] = fans as [Fan, Fan];
    const { db } = scenario.database;
    const event = await eventWith({ maxTicketsPerAccount: 3 });
    const areaId = await standingArea(db, event.id, "Transfer floor", 10);
    const placesLeft = async () =>
      (
        await db.$queryRaw<{ available: number }[]>`
          SELECT available FROM event_area WHERE event_id = ${event.id} AND section_id = ${areaId}`
      )[0]?.available;
    const hold = must(await holdPlaces(scenario.api.url, sender, event.id, areaId, 2)).holdGeneralAdmission;
    const order = must(await checkout(scenario.api.url, sender, hold.id, randomUUID())).checkout;
    assert.equal(order.tickets.length, 2);
    assert.equal(await placesLeft(), 8);

    const offered = must(
      await transfer(
        sender,
        order.id,
        order.tickets.map((t) => t.id),
        recipient.email,
      ),
    ).transferTickets;
    const accepted = must(await accept(recipient, offered.id)).acceptTransfer;
    assert.equal(accepted.state, "ACCEPTED");
    assert.ok(accepted.newOrderId);
    for (const ticket of order.tickets) assert.equal(await verify(ticket.code), "INVALID");
    const theirs = await orderOf(recipient, accepted.newOrderId);
    assert.deepEqual(
      theirs.tickets.map((t) => [t.status, t.seat, t.place.kind, t.place.sectionId]),
      theirs.tickets.map(() => ["VALID", null, "STANDING", String(areaId)]),
    );
    assert.equal(await verify((theirs.tickets[0] as { code: string }).code), "VALID", "the new code admits");
    assert.equal(await placesLeft(), 8, "one place given back and one taken for each ticket");
    assert.equal(
      errorCode(await holdPlaces(scenario.api.url, recipient, event.id, areaId, 2)),
      "LIMIT_EXCEEDED",
      "the two places received count in the recipient's limit of 3",
    );
  });

  test("accepting re-issues the tickets with new codes; the sender's codes scan INVALID at once", async () => {
    const [sender, recipient, stranger] = fans as [Fan, Fan, Fan];
    const event = await eventWith();
    const order = await buy(sender, event.id, event.seatIds.slice(0, 3));
    const [first, second, kept] = order.tickets as [
      OrderData["tickets"][number],
      OrderData["tickets"][number],
      OrderData["tickets"][number],
    ];

    const offered = must(
      await transfer(sender, order.id, [first.id, second.id], recipient.email.toUpperCase()),
    ).transferTickets;
    assert.equal(offered.state, "PENDING");
    assert.equal(offered.ticketCount, 2);
    const [announced] = (await outboxPayloads("transfer.offered")).filter((p) => p.transferId === offered.id);
    assert.deepEqual(announced, {
      transferId: offered.id,
      orderId: order.id,
      eventId: event.id,
      fromUserId: sender.id,
      toEmail: recipient.email,
      ticketIds: [first.id, second.id],
    });
    assert.equal(
      errorCode(await transfer(sender, order.id, [first.id], stranger.email)),
      "BAD_USER_INPUT",
      "already pending",
    );
    assert.equal(
      errorCode(await asFan(scenario.api.url, stranger, GET_TRANSFER, { id: offered.id })),
      "NOT_FOUND",
    );
    assert.equal(errorCode(await accept(stranger, offered.id)), "NOT_FOUND", "only the addressee may accept");

    const accepted = must(await accept(recipient, offered.id)).acceptTransfer;
    assert.equal(accepted.state, "ACCEPTED");
    assert.ok(accepted.newOrderId);
    assert.equal(await verify(second.code), "INVALID", "the sender's code died with the transfer");
    assert.equal(await verify(first.code), "INVALID");
    assert.equal(await verify(kept.code), "VALID", "the ticket not transferred is untouched");

    const theirs = await orderOf(recipient, accepted.newOrderId);
    assert.equal(theirs.status, "CONFIRMED");
    assert.deepEqual(theirs.tickets.map((t) => t.seat.id).sort(), [first.seat.id, second.seat.id].sort());
    assert.ok(theirs.tickets.every((t) => t.status === "VALID" && t.id !== first.id && t.id !== second.id));
    assert.equal(await verify((theirs.tickets[0] as { code: string }).code), "VALID", "the new code admits");
    const listed = must(
      await asFan<{ myOrders: { edges: { node: { id: string } }[] } }>(
        scenario.api.url,
        recipient,
        MY_ORDERS,
      ),
    );
    assert.ok(
      listed.myOrders.edges.some((edge) => edge.node.id === accepted.newOrderId),
      "in the recipient's orders",
    );
    const mine = await orderOf(sender, order.id);
    assert.deepEqual(
      mine.tickets.map((t) => t.status),
      mine.tickets.map((t) => (t.id === kept.id ? "VALID" : "VOID")),
    );
    const [moved] = (await outboxPayloads("ticket.transferred")).filter((p) => p.transferId === offered.id);
    assert.equal(moved?.toUserId, recipient.id);
    assert.equal(moved?.fromUserId, sender.id);
    assert.deepEqual(moved?.ticketIds, [first.id, second.id]);
    assert.equal(errorCode(await accept(recipient, offered.id)), "CONFLICT", "accepted once only");
    assert.equal(
      errorCode(await asFan(scenario.api.url, sender, CANCEL_ORDER, { orderId: order.id })),
      "CONFLICT",
      "the sender cannot cancel (and be refunded for) tickets passed on",
    );
    const audit = await scenario.database.db.auditLog.findMany({
      where: { eventId: event.id },
      orderBy: { id: "asc" },
    });
    assert.deepEqual(
      audit.map((entry) => [entry.action, entry.actorId]),
      [
        ["transfer.offer", sender.id],
        ["transfer.accept", recipient.id],
      ],
      "the organizer's audit log shows the chain",
    );
  });

  test("the recipient's per-account limit counts transferred tickets; the sender can cancel", async () => {
    const [sender, recipient] = fans as [Fan, Fan];
    const event = await eventWith({ maxTicketsPerAccount: 4 });
    await buy(recipient, event.id, event.seatIds.slice(0, 3));
    const order = await buy(sender, event.id, event.seatIds.slice(3, 5));
    const offered = must(
      await transfer(
        sender,
        order.id,
        order.tickets.map((t) => t.id),
        recipient.email,
      ),
    ).transferTickets;
    const refused = await accept(recipient, offered.id);
    assert.equal(errorCode(refused), "LIMIT_EXCEEDED");
    assert.equal(refused.errors?.[0]?.extensions?.limit, 4);
    const cancelled = must(
      await asFan<{ cancelTransfer: TransferData }>(scenario.api.url, sender, CANCEL_TRANSFER, {
        id: offered.id,
      }),
    ).cancelTransfer;
    assert.equal(cancelled.state, "CANCELLED");
    assert.equal(errorCode(await accept(recipient, offered.id)), "CONFLICT");
    // One ticket fits the limit.
    const one = must(
      await transfer(sender, order.id, [order.tickets[0]?.id as string], recipient.email),
    ).transferTickets;
    assert.equal(must(await accept(recipient, one.id)).acceptTransfer.state, "ACCEPTED");
  });

  test("transfers the organizer does not allow, or after the cutoff, are refused", async () => {
    const [sender, recipient] = fans as [Fan, Fan];
    const { db } = scenario.database;
    const event = await eventWith();
    const order = await buy(sender, event.id, event.seatIds.slice(0, 1));
    const ticketIds = order.tickets.map((t) => t.id);
    const pending = must(await transfer(sender, order.id, ticketIds, recipient.email)).transferTickets;

    await db.event.update({ where: { id: event.id }, data: { transfersAllowed: false } });
    assert.equal(
      errorCode(await transfer(sender, order.id, ticketIds, fans[2]?.email as string)),
      "TRANSFER_NOT_ALLOWED",
    );
    assert.equal(
      errorCode(await accept(recipient, pending.id)),
      "TRANSFER_NOT_ALLOWED",
      "checked again on accept",
    );

    // Starts in 30 days: a cutoff of 31 days has passed.
    await db.event.update({
      where: { id: event.id },
      data: { transfersAllowed: true, transferCutoffHours: 31 * 24 },
    });
    const late = await accept(recipient, pending.id);
    assert.equal(errorCode(late), "TRANSFER_NOT_ALLOWED");
    assert.ok(late.errors?.[0]?.extensions?.transferableUntil);
    assert.equal(errorCode(await transfer(sender, order.id, ticketIds, "x@y")), "BAD_USER_INPUT");
  });
});

describe("waitlist", () => {
  test("a sold-out standing area has a line too: returned places are offered as a standing hold, bought as standing tickets", async () => {
    const [seller, first, second, , stranger] = fans as [Fan, Fan, Fan, Fan, Fan];
    const { db } = scenario.database;
    const event = await eventWith({}, 2);
    const eventId = String(event.id);
    const areaId = await standingArea(db, event.id, "Waitlist pit", 3);
    const join = (fan: Fan, variables: Record<string, unknown>) =>
      asFan<{ joinWaitlist: EntryData & { areaId: string | null } }>(scenario.api.url, fan, JOIN_AREA, {
        eventId,
        quantity: 1,
        ...variables,
      });
    assert.equal(errorCode(await join(first, { areaId })), "NOT_SOLD_OUT", "the area has places");
    const hold = must(await holdPlaces(scenario.api.url, seller, event.id, areaId, 3)).holdGeneralAdmission;
    const sold = must(await checkout(scenario.api.url, seller, hold.id, randomUUID())).checkout;

    const tier = (await db.priceTier.findFirstOrThrow({ where: { eventId: event.id } })).id;
    assert.equal(errorCode(await join(stranger, { areaId, tier })), "BAD_USER_INPUT", "a tier or an area");
    assert.equal(errorCode(await join(stranger, { areaId: "99999999" })), "BAD_USER_INPUT", "not an area");
    const place = must(await join(first, { areaId, quantity: 2 })).joinWaitlist;
    assert.deepEqual([place.state, place.position, place.areaId], ["WAITING", 1, String(areaId)]);
    must(await join(second, { areaId }));

    // The three places come back: the first fan gets the two asked for, the second the last one.
    must(await asFan(scenario.api.url, seller, CANCEL_ORDER, { orderId: sold.id }));
    const offer = await waitFor("the standing offer", async () => {
      const entry = await db.waitlistEntry.findUniqueOrThrow({ where: { id: place.id } });
      return entry.state === "OFFERED" && entry;
    });
    assert.ok(offer.holdId);
    const offered = await db.hold.findUniqueOrThrow({ where: { id: offer.holdId } });
    assert.deepEqual(
      [offered.userId, offered.areaId, offered.areaQuantity, offered.seatIds],
      [first.id, areaId, 2, []],
    );
    const order = must(await checkout(scenario.api.url, first, offer.holdId, randomUUID())).checkout;
    assert.deepEqual(
      order.tickets.map((ticket) => [ticket.seat, ticket.place.kind, ticket.place.sectionId]),
      [
        [null, "STANDING", String(areaId)],
        [null, "STANDING", String(areaId)],
      ],
    );
    const next = await waitFor("the second fan's offer of the last place", async () => {
      const entry = await db.waitlistEntry.findFirstOrThrow({
        where: { eventId: event.id, userId: second.id },
      });
      return entry.state === "OFFERED" && entry;
    });
    assert.ok(next.holdId);
    await waitFor("the first place claimed", async () => {
      const entry = await db.waitlistEntry.findUniqueOrThrow({ where: { id: place.id } });
      return entry.state === "CLAIMED";
    });
  });

  test("an offer goes to the first fan, lapses, and passes to the next; places are first come, first served", async () => {
    const [seller, first, second, third] = fans as [Fan, Fan, Fan, Fan];
    const { db } = scenario.database;
    const event = await eventWith({}, 2);
    const eventId = String(event.id);
    assert.equal(
      errorCode(await asFan(scenario.api.url, first, JOIN, { eventId, quantity: 1 })),
      "NOT_SOLD_OUT",
      "seats are on sale",
    );
    const [one] = event.seatIds as [number, number];
    const returned = await buy(seller, event.id, [one]);
    await buy(seller, event.id, [event.seatIds[1] as number]);

    const places: EntryData[] = [];
    for (const fan of [first, second, third]) {
      places.push(
        must(await asFan<{ joinWaitlist: EntryData }>(scenario.api.url, fan, JOIN, { eventId, quantity: 1 }))
          .joinWaitlist,
      );
    }
    assert.deepEqual(
      places.map((p) => p.position),
      [1, 2, 3],
    );
    assert.equal(errorCode(await asFan(scenario.api.url, first, JOIN, { eventId, quantity: 1 })), "CONFLICT");
    assert.equal(
      errorCode(await asFan(scenario.api.url, fans[4] as Fan, JOIN, { eventId, quantity: 99 })),
      "BAD_USER_INPUT",
    );
    await db.event.update({ where: { id: event.id }, data: { waitlistOfferSeconds: 2 } });

    // The first fan listens for the live notice.
    const notices: EntryData[] = [];
    const client = createClient({
      url: scenario.api.url.replace(/^http/, "ws"),
      webSocketImpl: class extends WebSocket {
        constructor(address: string, protocols?: string | string[]) {
          super(address, protocols, { headers: { cookie: first.cookie } });
        }
      },
      retryAttempts: 0,
    });
    const subscribed = new Promise<void>((resolve) => {
      client.on("connected", () => resolve());
    });
    client.subscribe<{ waitlistOfferReceived: EntryData }>(
      { query: `subscription { waitlistOfferReceived { ${ENTRY_FIELDS} } }` },
      {
        next: (result) => result.data && notices.push(result.data.waitlistOfferReceived),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    await subscribed;
    await new Promise((resolve) => setTimeout(resolve, 100));

    must(await asFan(scenario.api.url, seller, CANCEL_ORDER, { orderId: returned.id }));
    const placeOf = async (fan: Fan) =>
      must(await asFan<{ myWaitlists: EntryData[] }>(scenario.api.url, fan, MY_WAITLISTS)).myWaitlists.find(
        (entry) => entry.id === places[[first, second, third].indexOf(fan)]?.id,
      ) as EntryData;

    const offer = await waitFor("the first fan's offer", async () => {
      const place = await placeOf(first);
      return place.state === "OFFERED" && place;
    });
    assert.ok(offer.holdId && offer.offerExpiresAt);
    const hold = await db.hold.findUniqueOrThrow({ where: { id: offer.holdId } });
    assert.equal(hold.userId, first.id);
    assert.deepEqual(hold.seatIds, [one], "the returned seat is held for the first fan");
    assert.equal((await placeOf(second)).position, 1, "the second fan is next");
    assert.equal((await placeOf(third)).position, 2);
    const [announced] = (await outboxPayloads("waitlist.offered")).filter((p) => p.offerId === offer.id);
    assert.deepEqual(Object.keys(announced ?? {}).sort(), [
      "eventId",
      "expiresAt",
      "holdId",
      "offerId",
      "quantity",
      "userId",
    ]);
    await waitFor("the live notice", () => notices.find((n) => n.id === offer.id && n.state === "OFFERED"));
    await client.dispose();
    // Offers made from now on last long enough to check out.
    await db.event.update({ where: { id: event.id }, data: { waitlistOfferSeconds: 60 } });

    // The first fan lets it lapse: the seat passes to the second.
    const next = await waitFor(
      "the second fan's offer",
      async () => {
        const place = await placeOf(second);
        return place.state === "OFFERED" && place;
      },
      6_000,
    );
    assert.equal((await placeOf(first)).state, "LAPSED");
    assert.equal((await placeOf(third)).position, 1);
    const passed = await db.hold.findUniqueOrThrow({ where: { id: next.holdId as string } });
    assert.deepEqual([passed.userId, passed.seatIds], [second.id, [one]]);

    // The second fan buys the held seat: the offer is claimed.
    must(await checkout(scenario.api.url, second, next.holdId as string, randomUUID()));
    await waitFor("the claim", async () => (await placeOf(second)).state === "CLAIMED");
    const counts = must(
      await asFan<{ eventWaitlist: Record<string, number> }>(
        scenario.api.url,
        organizer,
        `query ($id: ID!) { eventWaitlist(eventId: $id) { waiting waitingSeats offered claimed lapsed left } }`,
        { id: eventId },
      ),
    ).eventWaitlist;
    assert.deepEqual(counts, { waiting: 1, waitingSeats: 1, offered: 0, claimed: 1, lapsed: 1, left: 0 });
    assert.equal(
      must(
        await asFan<{ leaveWaitlist: boolean }>(
          scenario.api.url,
          third,
          `mutation ($e: ID!) { leaveWaitlist(eventId: $e) }`,
          { e: eventId },
        ),
      ).leaveWaitlist,
      true,
    );
  });
});
