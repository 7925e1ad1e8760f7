import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { seatLockKey } from "../src/modules/holds/lock-keys.js";
import { type TestDatabase } from "./support/database.js";
import { asFan, createFanAccounts, errorCode, type Fan, logIn } from "./support/holds.js";
import {
  assertOrderInvariants,
  checkout,
  eventPicker,
  holdSeats,
  ledger,
  MY_ORDERS,
  must,
  ORDER,
  type OrdersScenario,
  ordersScenario,
} from "./support/orders.js";
import { gql, type TestServer } from "./support/server.js";

let database: TestDatabase;
let api: TestServer;
let fans: Fan[];
let freshEvent: ReturnType<typeof eventPicker>;

let scenario: OrdersScenario;

before(async () => {
  scenario = await ordersScenario("checkout", 4);
  ({ database, api, fans, freshEvent } = scenario);
});

after(() => scenario.close());

const fan = (i: number) => fans[i] as Fan;

/** Two organizers and an admin, signed in. */
async function staff(): Promise<[organizer: Fan, otherOrganizer: Fan, admin: Fan]> {
  const accounts = await createFanAccounts(database.db, 3, `staff-${randomUUID()}`);
  const roles = ["ORGANIZER", "ORGANIZER", "ADMIN"] as const;
  const signedIn: Fan[] = [];
  for (const [i, account] of accounts.entries()) {
    await database.db.user.update({ where: { id: account.id }, data: { role: roles[i] } });
    signedIn.push({ ...account, cookie: await logIn(api.url, account.email) });
  }
  return signedIn as [Fan, Fan, Fan];
}

async function heldSeats(who: Fan, eventId: number, seatIds: number[]) {
  return must(await holdSeats(api.url, who, eventId, seatIds)).holdSeats;
}

describe("checkout", () => {
  test("turns a live hold into a confirmed order: seats sold, tickets issued, charged once, event announced", async () => {
    const event = await freshEvent();
    await database.db.event.update({ where: { id: event.id }, data: { feePerTicketMinor: 250 } });
    const seatIds = event.seatIds.slice(0, 3);
    const hold = await heldSeats(fan(0), event.id, seatIds);

    const order = must(await checkout(api.url, fan(0), hold.id, randomUUID())).checkout;
    assert.equal(order.status, "CONFIRMED");
    assert.equal(order.eventId, String(event.id));
    assert.deepEqual(order.subtotal, hold.total, "the hold's prices are the prices charged");
    assert.deepEqual(order.fees, { amount: 750, currency: hold.total.currency });
    assert.equal(order.total.amount, hold.total.amount + 750);
    assert.equal(order.canCancel, true);
    assert.deepEqual(order.tickets.map((ticket) => Number(ticket.seat.id)).sort(), [...seatIds].sort());
    for (const ticket of order.tickets) {
      assert.equal(ticket.status, "VALID");
      assert.match(ticket.code, /^[A-Za-z0-9_-]{100,}$/);
      assert.ok(new Date(ticket.codeExpiresAt) > new Date());
      const held = hold.seats.find((seat) => seat.id === ticket.seat.id);
      assert.equal(ticket.price.amount, held?.price.amount);
    }

    const seats = await database.db.eventSeat.findMany({
      where: { eventId: event.id, seatId: { in: seatIds } },
    });
    assert.ok(seats.every((seat) => seat.status === "SOLD" && seat.orderId === order.id));
    const stored = await database.db.order.findUniqueOrThrow({
      where: { id: order.id },
      include: { payments: true },
    });
    assert.equal(stored.paymentState, "CAPTURED");
    assert.deepEqual(
      stored.payments.map((payment) => `${payment.operation}:${payment.state}`).sort(),
      ["authorize:AUTHORIZED", "authorize:AUTHORIZING", "capture:CAPTURED"],
      "each step of the payment is on record",
    );
    assert.deepEqual(await ledger(database.db, [order.id]), [{ reference: order.id, state: "CAPTURED" }]);
    const heldRow = await database.db.hold.findUniqueOrThrow({ where: { id: hold.id } });
    assert.equal(heldRow.state, "CONVERTED");
    const outbox = await database.db.outboxEvent.findMany({ where: { topic: "order.confirmed" } });
    const announced = outbox.find((row) => (row.payload as { orderId?: string }).orderId === order.id);
    assert.ok(announced, "an order.confirmed outbox event is written with the order");
    assert.deepEqual((announced.payload as { seatIds: number[] }).seatIds.sort(), [...seatIds].sort());

    const availability = await gql<{ event: { availability: { sold: number } } }>(
      api.url,
      "query ($id: ID!) { event(id: $id) { availability { sold } } }",
      { id: String(event.id) },
    );
    assert.equal(must(availability).event.availability.sold, 3, "the catalog counts the seats as sold");
    await assertOrderInvariants(database.db);
  });

  test("the same idempotency key returns the same order; other arguments with it are refused", async () => {
    const event = await freshEvent();
    const hold = await heldSeats(fan(0), event.id, event.seatIds.slice(0, 2));
    const key = randomUUID();
    const first = must(await checkout(api.url, fan(0), hold.id, key)).checkout;
    const again = must(await checkout(api.url, fan(0), hold.id, key)).checkout;
    assert.equal(again.id, first.id);
    assert.equal(again.status, "CONFIRMED");
    assert.deepEqual(await ledger(database.db, [first.id]), [{ reference: first.id, state: "CAPTURED" }]);

    const otherToken = await checkout(api.url, fan(0), hold.id, key, "tok_declined");
    assert.equal(errorCode(otherToken), "BAD_USER_INPUT");
    const otherHold = await heldSeats(fan(0), event.id, event.seatIds.slice(2, 3));
    assert.equal(errorCode(await checkout(api.url, fan(0), otherHold.id, key)), "BAD_USER_INPUT");
    assert.equal(errorCode(await checkout(api.url, fan(0), otherHold.id, "k".repeat(256))), "BAD_USER_INPUT");
    assert.equal(errorCode(await checkout(api.url, fan(0), otherHold.id, "")), "BAD_USER_INPUT");
    // A key is per account: another fan's identical key is a different checkout.
    const theirs = await heldSeats(fan(1), event.id, event.seatIds.slice(3, 4));
    assert.equal(must(await checkout(api.url, fan(1), theirs.id, key)).checkout.status, "CONFIRMED");
  });

  test("20 parallel checkouts of one hold with one key: one order, one charge", async () => {
    const event = await freshEvent();
    const hold = await heldSeats(fan(0), event.id, event.seatIds.slice(0, 4));
    const key = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => checkout(api.url, fan(0), hold.id, key)),
    );
    const orders = results.map((result) => must(result).checkout);
    assert.equal(new Set(orders.map((order) => order.id)).size, 1, "every answer is the same order");
    assert.ok(
      orders.every((order) => order.status === "CONFIRMED"),
      "duplicates wait for the first to settle",
    );
    const stored = await database.db.order.findMany({ where: { holdId: hold.id } });
    assert.equal(stored.length, 1);
    assert.deepEqual(await ledger(database.db, [stored[0]?.id as string]), [
      { reference: stored[0]?.id, state: "CAPTURED" },
    ]);
    await assertOrderInvariants(database.db);
  });

  test("20 parallel checkouts of one hold with different keys: one order, the rest refused", async () => {
    const event = await freshEvent();
    const hold = await heldSeats(fan(0), event.id, event.seatIds.slice(0, 4));
    const results = await Promise.all(
      Array.from({ length: 20 }, () => checkout(api.url, fan(0), hold.id, randomUUID())),
    );
    const succeeded = results.filter((result) => !result.errors);
    assert.equal(succeeded.length, 1, JSON.stringify(results.map((result) => result.errors?.[0]?.message)));
    for (const refused of results.filter((result) => result.errors)) {
      assert.ok(
        ["BAD_USER_INPUT", "HOLD_EXPIRED"].includes(String(errorCode(refused))),
        JSON.stringify(refused.errors),
      );
    }
    const stored = await database.db.order.findMany({ where: { holdId: hold.id } });
    assert.equal(stored.length, 1, "refused attempts leave no order behind");
    const charges = await database.db.fakeGatewayCharge.count({
      where: { reference: { in: stored.map((o) => o.id) } },
    });
    assert.equal(charges, 1);
    await assertOrderInvariants(database.db);
  });

  test("a declined card keeps the hold; a retry with a new key succeeds with one charge", async () => {
    const event = await freshEvent();
    const hold = await heldSeats(fan(0), event.id, event.seatIds.slice(0, 2));
    const declinedKey = randomUUID();
    const declined = await checkout(api.url, fan(0), hold.id, declinedKey, "tok_declined");
    assert.equal(errorCode(declined), "PAYMENT_DECLINED");
    assert.equal(declined.errors?.[0]?.extensions?.reason, "DECLINED", "try another card");
    assert.match(declined.errors?.[0]?.message ?? "", /declined/);
    const failedId = declined.errors?.[0]?.extensions?.orderId as string;
    const failed = await database.db.order.findUniqueOrThrow({ where: { id: failedId } });
    assert.deepEqual([failed.status, failed.paymentState], ["FAILED", "DECLINED"]);
    assert.equal((await database.db.hold.findUniqueOrThrow({ where: { id: hold.id } })).state, "ACTIVE");

    // The declined key keeps its answer: the failed order, not a new attempt.
    const replayed = must(await checkout(api.url, fan(0), hold.id, declinedKey, "tok_declined")).checkout;
    assert.deepEqual([replayed.id, replayed.status], [failedId, "FAILED"]);

    const retried = must(await checkout(api.url, fan(0), hold.id, randomUUID())).checkout;
    assert.equal(retried.status, "CONFIRMED");
    const charges = await ledger(database.db, [failedId, retried.id]);
    assert.deepEqual(
      charges.map((charge) => charge.state).sort(),
      ["CAPTURED", "DECLINED"],
      "one charge: the declined attempt reserved nothing",
    );
    const listed = must(
      await asFan<{ myOrders: { edges: { node: { id: string } }[] } }>(api.url, fan(0), MY_ORDERS),
    );
    assert.ok(
      !listed.myOrders.edges.some((edge) => edge.node.id === failedId),
      "failed checkouts are not listed",
    );
    await assertOrderInvariants(database.db);
  });

  test("a gateway timeout after authorizing voids the authorization; the hold stays for a retry", async () => {
    const event = await freshEvent();
    const hold = await heldSeats(fan(0), event.id, event.seatIds.slice(0, 2));
    const timedOut = await checkout(api.url, fan(0), hold.id, randomUUID(), "tok_timeout");
    assert.equal(errorCode(timedOut), "PAYMENT_DECLINED");
    assert.equal(timedOut.errors?.[0]?.extensions?.reason, "PROVIDER_UNAVAILABLE", "not the card's fault");
    const orderId = timedOut.errors?.[0]?.extensions?.orderId as string;
    const failed = await database.db.order.findUniqueOrThrow({ where: { id: orderId } });
    assert.deepEqual([failed.status, failed.paymentState], ["FAILED", "VOIDED"]);
    assert.deepEqual(await ledger(database.db, [orderId]), [{ reference: orderId, state: "VOIDED" }]);
    assert.equal(must(await checkout(api.url, fan(0), hold.id, randomUUID())).checkout.status, "CONFIRMED");
    await assertOrderInvariants(database.db);
  });

  test("refuses expired, released, unknown and other fans' holds with clear codes", async () => {
    const event = await freshEvent();
    const mine = await heldSeats(fan(0), event.id, event.seatIds.slice(0, 1));
    assert.equal(errorCode(await checkout(api.url, fan(1), mine.id, randomUUID())), "FORBIDDEN");
    assert.equal(errorCode(await checkout(api.url, fan(0), randomUUID(), randomUUID())), "NOT_FOUND");
    assert.equal(errorCode(await checkout(api.url, fan(0), "not-a-hold", randomUUID())), "NOT_FOUND");
    const anonymous = await gql(
      api.url,
      `mutation { checkout(holdId: "${mine.id}", paymentToken: "tok_visa", idempotencyKey: "a") { id } }`,
    );
    assert.equal(errorCode(anonymous), "UNAUTHENTICATED");

    await database.db.$executeRaw`
      UPDATE hold SET expires_at = now() - interval '1 second' WHERE id = ${mine.id}::uuid`;
    await database.db.$executeRaw`
      UPDATE event_seat SET held_until = now() - interval '1 second' WHERE hold_id = ${mine.id}::uuid`;
    const expired = await checkout(api.url, fan(0), mine.id, randomUUID());
    assert.equal(errorCode(expired), "HOLD_EXPIRED");
    assert.match(expired.errors?.[0]?.message ?? "", /no longer reserved/);

    const released = await heldSeats(fan(0), event.id, event.seatIds.slice(1, 2));
    must(
      await asFan(api.url, fan(0), "mutation ($id: ID!) { releaseHold(holdId: $id) }", { id: released.id }),
    );
    assert.equal(errorCode(await checkout(api.url, fan(0), released.id, randomUUID())), "HOLD_EXPIRED");
    assert.equal(await database.db.order.count({ where: { holdId: { in: [mine.id, released.id] } } }), 0);
  });

  test("a hold that expires between payment and conversion is not sold: the authorization is voided", async () => {
    const event = await freshEvent();
    const hold = await heldSeats(fan(0), event.id, event.seatIds.slice(0, 2));
    // The guard, not the first check, must catch it: expire the seats only (the hold row still looks live).
    await database.db.$executeRaw`
      UPDATE event_seat SET held_until = now() - interval '1 second' WHERE hold_id = ${hold.id}::uuid`;
    const result = await checkout(api.url, fan(0), hold.id, randomUUID());
    assert.equal(errorCode(result), "HOLD_EXPIRED");
    const orderId = result.errors?.[0]?.extensions?.orderId as string;
    const order = await database.db.order.findUniqueOrThrow({ where: { id: orderId } });
    assert.deepEqual([order.status, order.paymentState], ["FAILED", "VOIDED"]);
    assert.equal(await database.db.ticket.count({ where: { orderId } }), 0);
    assert.equal(await database.db.eventSeat.count({ where: { orderId } }), 0);
    await assertOrderInvariants(database.db);
  });
});

describe("orders", () => {
  test("myOrders lists the fan's orders newest first, page by page", async () => {
    const event = await freshEvent();
    const ids: string[] = [];
    for (const seatId of event.seatIds.slice(0, 3)) {
      const hold = await heldSeats(fan(2), event.id, [seatId]);
      ids.push(must(await checkout(api.url, fan(2), hold.id, randomUUID())).checkout.id);
    }
    type Page = {
      myOrders: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string };
        edges: { node: { id: string } }[];
      };
    };
    const first = must(await asFan<Page>(api.url, fan(2), MY_ORDERS, { first: 2 })).myOrders;
    assert.equal(first.totalCount, 3);
    assert.equal(first.pageInfo.hasNextPage, true);
    const second = must(
      await asFan<Page>(api.url, fan(2), MY_ORDERS, { first: 2, after: first.pageInfo.endCursor }),
    ).myOrders;
    assert.equal(second.pageInfo.hasNextPage, false);
    assert.deepEqual(
      [...first.edges, ...second.edges].map((edge) => edge.node.id),
      [...ids].reverse(),
    );
    assert.equal(errorCode(await asFan(api.url, fan(2), MY_ORDERS, { after: "garbage" })), "BAD_USER_INPUT");
    assert.equal(errorCode(await gql(api.url, MY_ORDERS)), "UNAUTHENTICATED");
  });

  test("order(id) is for the buyer, the event's organizer and admins", async () => {
    const event = await freshEvent();
    const hold = await heldSeats(fan(0), event.id, event.seatIds.slice(0, 1));
    const order = must(await checkout(api.url, fan(0), hold.id, randomUUID())).checkout;
    type Found = { order: { id: string; event: { id: string; feePerTicket: { amount: number } } } };
    const own = must(await asFan<Found>(api.url, fan(0), ORDER, { id: order.id }));
    assert.equal(own.order.event.id, String(event.id));
    assert.equal(errorCode(await asFan(api.url, fan(1), ORDER, { id: order.id })), "FORBIDDEN");
    assert.equal(errorCode(await asFan(api.url, fan(0), ORDER, { id: randomUUID() })), "NOT_FOUND");

    const [organizer, otherOrganizer, admin] = await staff();
    await database.db.event.update({ where: { id: event.id }, data: { organizerId: organizer.id } });
    assert.equal(must(await asFan<Found>(api.url, organizer, ORDER, { id: order.id })).order.id, order.id);
    assert.equal(must(await asFan<Found>(api.url, admin, ORDER, { id: order.id })).order.id, order.id);
    assert.equal(errorCode(await asFan(api.url, otherOrganizer, ORDER, { id: order.id })), "FORBIDDEN");
  });
});

describe("a sold seat", () => {
  test("is refused with SEATS_UNAVAILABLE when its Redis lock is gone, never with an internal error", async () => {
    const event = await freshEvent();
    const seatIds = event.seatIds.slice(0, 2);
    const hold = await heldSeats(fan(0), event.id, seatIds);
    must(await checkout(api.url, fan(0), hold.id, randomUUID()));
    // The converted hold's Redis locks end when the hold would have expired (or in a Redis restart):
    // from then on Postgres alone turns away holds on the sold seats.
    await api.server.redis.del(...seatIds.map((seatId) => seatLockKey(event.id, seatId)));
    const again = await holdSeats(api.url, fan(1), event.id, seatIds);
    assert.equal(errorCode(again), "SEATS_UNAVAILABLE", JSON.stringify(again.errors));
    assert.deepEqual(again.errors?.[0]?.extensions?.seatIds, seatIds.map(String));
    await assertOrderInvariants(database.db);
  });
});
