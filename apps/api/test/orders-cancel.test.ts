import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient } from "graphql-ws";
import { Redis } from "ioredis";
import pg from "pg";
import WebSocket from "ws";
import { type TestDatabase } from "./support/database.js";
import { asFan, errorCode, type Fan } from "./support/holds.js";
import {
  assertOrderInvariants,
  CANCEL_ORDER,
  checkout,
  eventPicker,
  holdSeats,
  ledger,
  must,
  type OrderData,
  type OrdersScenario,
  ordersScenario,
} from "./support/orders.js";
import { testRedisPrefix } from "./support/redis-prefix.js";
import { gql, type TestServer } from "./support/server.js";
import { waitFor } from "./support/wait.js";

const prefix = testRedisPrefix("cancel");
let database: TestDatabase;
let api: TestServer;
let redis: Redis;
let fans: Fan[];
let freshEvent: ReturnType<typeof eventPicker>;

let scenario: OrdersScenario;

before(async () => {
  scenario = await ordersScenario("cancel", 3, { REDIS_KEY_PREFIX: prefix });
  ({ database, api, fans, freshEvent } = scenario);
  redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
});

after(async () => {
  await scenario.close();
  redis.disconnect();
});

const fan = (i: number) => fans[i] as Fan;

async function buy(who: Fan, eventId: number, seatIds: number[]): Promise<OrderData> {
  const hold = must(await holdSeats(api.url, who, eventId, seatIds)).holdSeats;
  return must(await checkout(api.url, who, hold.id, randomUUID())).checkout;
}

const cancel = (who: Fan, orderId: string) =>
  asFan<{ cancelOrder: OrderData }>(api.url, who, CANCEL_ORDER, { orderId });

type Change = { seatId: string; status: string };

/** Every seat-map change of the event seen by an anonymous graphql-ws subscriber. */
async function watchSeatMap(eventId: number) {
  const changes: Change[] = [];
  const client = createClient({
    url: api.url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
  });
  const unsubscribe = client.subscribe<{ seatMapChanged: { changes: Change[] } }>(
    {
      query: "subscription ($id: ID!) { seatMapChanged(eventId: $id) { changes { seatId status } } }",
      variables: { id: String(eventId) },
    },
    {
      next: (result) => changes.push(...(result.data?.seatMapChanged.changes ?? [])),
      error: () => undefined,
      complete: () => undefined,
    },
  );
  const channel = `${prefix}SEAT_MAP_CHANGED:{ev:${eventId}}`;
  await waitFor("the seat map subscription", async () => {
    const [, count] = (await redis.pubsub("NUMSUB", channel)) as [string, number];
    return count >= 1;
  });
  return {
    changes,
    async dispose() {
      unsubscribe();
      await client.dispose();
    },
  };
}

describe("cancelOrder", () => {
  test("refunds, voids the tickets, puts the seats back on sale and publishes the change", async () => {
    const event = await freshEvent();
    const seatIds = event.seatIds.slice(0, 2);
    const watcher = await watchSeatMap(event.id);
    try {
      const order = await buy(fan(0), event.id, seatIds);
      const seen = (seatId: number, status: string) =>
        watcher.changes.some((change) => change.seatId === String(seatId) && change.status === status);
      await waitFor("a delta with the seats sold", () => seatIds.every((seatId) => seen(seatId, "SOLD")));
      assert.equal(errorCode(await cancel(fan(1), order.id)), "FORBIDDEN");
      const cancelled = must(await cancel(fan(0), order.id)).cancelOrder;
      assert.equal(cancelled.status, "CANCELLED");
      assert.ok(cancelled.cancelledAt);
      assert.equal(cancelled.canCancel, false);
      assert.ok(cancelled.tickets.every((ticket) => ticket.status === "VOID"));

      const stored = await database.db.order.findUniqueOrThrow({
        where: { id: order.id },
        include: { payments: true },
      });
      assert.equal(stored.paymentState, "REFUNDED");
      assert.ok(
        stored.payments.some((payment) => payment.operation === "refund" && payment.state === "REFUNDED"),
      );
      assert.deepEqual(await ledger(database.db, [order.id]), [{ reference: order.id, state: "REFUNDED" }]);
      const seats = await database.db.eventSeat.findMany({
        where: { eventId: event.id, seatId: { in: seatIds } },
      });
      assert.ok(seats.every((seat) => seat.status === "AVAILABLE" && seat.orderId === null));
      await waitFor("a delta with the seats available again", () =>
        seatIds.every((seatId) => seen(seatId, "AVAILABLE")),
      );
      const outbox = await database.db.outboxEvent.findMany({ where: { topic: "order.cancelled" } });
      assert.ok(outbox.some((row) => (row.payload as { orderId?: string }).orderId === order.id));

      // Another fan can hold the seats at once: the converted hold's Redis locks are gone.
      must(await holdSeats(api.url, fan(1), event.id, seatIds));
      const again = must(await cancel(fan(0), order.id)).cancelOrder;
      assert.deepEqual([again.status, again.cancelledAt], ["CANCELLED", cancelled.cancelledAt], "idempotent");
      assert.deepEqual(await ledger(database.db, [order.id]), [{ reference: order.id, state: "REFUNDED" }]);
      await assertOrderInvariants(database.db);
    } finally {
      await watcher.dispose();
    }
  });

  test("is refused after the event's cutoff and for orders that did not go through", async () => {
    const event = await freshEvent();
    const order = await buy(fan(0), event.id, event.seatIds.slice(0, 1));
    await database.db.event.update({
      where: { id: event.id },
      data: { startsAt: new Date(Date.now() + 3 * 3_600_000), cancelCutoffHours: 4 },
    });
    const late = await cancel(fan(0), order.id);
    assert.equal(errorCode(late), "BAD_USER_INPUT");
    assert.match(late.errors?.[0]?.message ?? "", /Cancellation closed/);
    const shown = must(
      await asFan<{ order: { canCancel: boolean; cancellableUntil: string } }>(
        api.url,
        fan(0),
        "query ($id: ID!) { order(id: $id) { canCancel cancellableUntil } }",
        { id: order.id },
      ),
    ).order;
    assert.equal(shown.canCancel, false);
    assert.ok(new Date(shown.cancellableUntil) < new Date());

    const event2 = await freshEvent();
    const hold = must(await holdSeats(api.url, fan(0), event2.id, event2.seatIds.slice(0, 1))).holdSeats;
    const declined = await checkout(api.url, fan(0), hold.id, randomUUID(), "tok_declined");
    const failedId = declined.errors?.[0]?.extensions?.orderId as string;
    assert.equal(errorCode(await cancel(fan(0), failedId)), "BAD_USER_INPUT");
    assert.equal(errorCode(await cancel(fan(0), randomUUID())), "NOT_FOUND");
    assert.equal(errorCode(await gql(api.url, CANCEL_ORDER, { orderId: order.id })), "UNAUTHENTICATED");
  });

  test("a refund the provider fails is recorded and completed by payment recovery", async () => {
    const event = await freshEvent();
    const order = await buy(fan(0), event.id, event.seatIds.slice(0, 1));
    const payments = api.server.payments;
    const refund = payments.refund.bind(payments);
    payments.refund = async () => {
      throw new Error("provider unavailable");
    };
    try {
      assert.equal(must(await cancel(fan(0), order.id)).cancelOrder.status, "CANCELLED");
    } finally {
      payments.refund = refund;
    }
    const owed = await database.db.order.findUniqueOrThrow({ where: { id: order.id } });
    assert.deepEqual(
      [owed.status, owed.paymentState],
      ["CANCELLED", "CAPTURED"],
      "the refund is owed, on record",
    );
    const result = await api.server.paymentRecovery.runNow(0);
    assert.equal(result.returned, 1);
    assert.deepEqual(await ledger(database.db, [order.id]), [{ reference: order.id, state: "REFUNDED" }]);
    await assertOrderInvariants(database.db);
  });
});

describe("sold out", () => {
  test("the last seats sold flip the event to SOLD_OUT; a cancellation flips it back", async () => {
    const event = await freshEvent();
    const seatIds = event.seatIds.slice(0, 2);
    // A tiny event: only two seats for sale.
    await database.db.eventSeat.deleteMany({ where: { eventId: event.id, seatId: { notIn: seatIds } } });
    const [holdA, holdB] = await Promise.all([
      holdSeats(api.url, fan(0), event.id, seatIds.slice(0, 1)),
      holdSeats(api.url, fan(1), event.id, seatIds.slice(1)),
    ]);
    const [orderA] = await Promise.all([
      checkout(api.url, fan(0), must(holdA).holdSeats.id, randomUUID()),
      checkout(api.url, fan(1), must(holdB).holdSeats.id, randomUUID()),
    ]).then((results) => results.map((result) => must(result).checkout));
    const status = async () =>
      (await database.db.event.findUniqueOrThrow({ where: { id: event.id } })).status;
    assert.equal(await status(), "SOLD_OUT", "two concurrent last sales still flip the event");
    // Refused by the fast path, whose locks outlive the sale; the event's new status reaches the hold
    // path's settings cache within a second (docs/holds.md), then the answer is SALE_NOT_OPEN.
    assert.equal(
      errorCode(await holdSeats(api.url, fan(2), event.id, seatIds.slice(0, 1))),
      "SEATS_UNAVAILABLE",
    );

    must(await cancel(fan(0), (orderA as OrderData).id));
    assert.equal(await status(), "ON_SALE");
    const availability = must(
      await gql<{ event: { availability: { available: number; sold: number } } }>(
        api.url,
        "query ($id: ID!) { event(id: $id) { availability { available sold } } }",
        { id: String(event.id) },
      ),
    ).event.availability;
    assert.deepEqual(availability, { available: 1, sold: 1 });
    must(await holdSeats(api.url, fan(2), event.id, seatIds.slice(0, 1)));
  });
});

// Found by `pnpm drill` (long mode): the sold-out flag is refreshed after the cancellation commits, under
// the event row's lock, which everyone's seat-map updates contend for; when that wait passed Prisma's
// transaction timeout the fan was told INTERNAL_SERVER_ERROR about a cancellation that had happened.
test("a cancellation that cannot refresh the sold-out flag in time still answers CANCELLED", async () => {
  const event = await freshEvent();
  const order = await buy(fan(0), event.id, event.seatIds.slice(0, 1));
  const blocker = new pg.Client({ connectionString: database.url });
  await blocker.connect();
  try {
    await blocker.query("BEGIN");
    await blocker.query("SELECT id FROM event WHERE id = $1 FOR UPDATE", [event.id]);
    const answer = cancel(fan(0), order.id);
    // Past Prisma's 5 s transaction timeout; a query it gave up on still waits for the row in Postgres.
    await sleep(6_000);
    await blocker.query("ROLLBACK");
    const result = await answer;
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    assert.equal(result.data?.cancelOrder.status, "CANCELLED");
  } finally {
    await blocker.end();
  }
});
