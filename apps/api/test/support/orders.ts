import assert from "node:assert/strict";
import type { Db } from "../../src/infra/prisma.js";
import { NOTABLE_EVENT_SLUGS, VENUE_SLUGS } from "../../src/seed/seed.js";
import { createTestDatabase, type TestDatabase } from "./database.js";
import {
  asFan,
  createFans,
  type Fan,
  HOLD_PLACES,
  HOLD_SEATS,
  type HoldData,
  MANY_CHECKOUTS,
  MANY_LOGINS,
  openEvent,
} from "./holds.js";
import { type GraphQLResult, type ServerOptions, startTestServer, type TestServer } from "./server.js";

// Shared by the checkout, order and ticket tests: their scenario, operations, fresh events and the order
// invariants.

export const ORDER_FIELDS = `id status eventId subtotal { amount currency } fees { amount currency }
  total { amount currency } createdAt cancelledAt cancellableUntil canCancel
  tickets { id status usedAt code codeExpiresAt price { amount currency } seat { id row number section sectionId price { amount } } place { kind seatId section sectionId } }`;

export const CHECKOUT = `mutation ($holdId: ID!, $paymentToken: String!, $idempotencyKey: String!) {
  checkout(holdId: $holdId, paymentToken: $paymentToken, idempotencyKey: $idempotencyKey) { ${ORDER_FIELDS} } }`;
export const CANCEL_ORDER = `mutation ($orderId: ID!) { cancelOrder(orderId: $orderId) { ${ORDER_FIELDS} } }`;
export const ORDER = `query ($id: ID!) { order(id: $id) { ${ORDER_FIELDS} event { id name feePerTicket { amount } } } }`;
export const MY_ORDERS = `query ($first: Int, $after: String) {
  myOrders(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id status createdAt } } } }`;
export const VERIFY_TICKET = `mutation ($code: String!) {
  verifyTicket(code: $code) { result message usedAt ticket { id status seat { id } } } }`;

export interface TicketData {
  id: string;
  status: string;
  usedAt: string | null;
  code: string;
  codeExpiresAt: string;
  price: { amount: number; currency: string };
  seat: {
    id: string;
    row: string;
    number: number;
    section: string;
    sectionId: string;
    price: { amount: number };
  };
  /** What the ticket admits to: a seat, or a place in a standing area (then `seat` is null). */
  place: { kind: string; seatId: string | null; section: string; sectionId: string };
}

export interface OrderData {
  id: string;
  status: string;
  eventId: string;
  subtotal: { amount: number; currency: string };
  fees: { amount: number; currency: string };
  total: { amount: number; currency: string };
  createdAt: string;
  cancelledAt: string | null;
  cancellableUntil: string;
  canCancel: boolean;
  tickets: TicketData[];
}

export function holdSeats(url: string, fan: Fan, eventId: number, seatIds: number[]) {
  return asFan<{ holdSeats: HoldData }>(url, fan, HOLD_SEATS, {
    eventId: String(eventId),
    seatIds: seatIds.map(String),
  });
}

/** Holds `quantity` places in a standing area (general admission). */
export function holdPlaces(url: string, fan: Fan, eventId: number, areaId: number, quantity: number) {
  return asFan<{ holdGeneralAdmission: { id: string } }>(url, fan, HOLD_PLACES, {
    eventId: String(eventId),
    areaId: String(areaId),
    quantity,
  });
}

export function checkout(
  url: string,
  fan: Fan,
  holdId: string,
  idempotencyKey: string,
  paymentToken = "tok_visa",
): Promise<GraphQLResult<{ checkout: OrderData }>> {
  return asFan(url, fan, CHECKOUT, { holdId, paymentToken, idempotencyKey });
}

export function must<T>(result: GraphQLResult<T>): T {
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  assert.ok(result.data);
  return result.data;
}

const THEATRES = [VENUE_SLUGS.amsterdamTheatre, VENUE_SLUGS.madridTheatre, VENUE_SLUGS.copenhagenTheatre];

/** Hands out theatre events, one per test, opened for sale with the given settings. */
export function eventPicker(db: Db) {
  const used = new Set<number>();
  return async (
    settings: Parameters<typeof openEvent>[2] = {},
  ): Promise<{ id: number; seatIds: number[] }> => {
    const event = await db.event.findFirstOrThrow({
      where: {
        venue: { slug: { in: THEATRES } },
        id: { notIn: [...used] },
        slug: { notIn: Object.values(NOTABLE_EVENT_SLUGS) },
      },
      orderBy: { id: "asc" },
    });
    used.add(event.id);
    await openEvent(db, event.id, settings);
    const seats = await db.eventSeat.findMany({
      where: { eventId: event.id },
      orderBy: { seatId: "asc" },
      select: { seatId: true },
    });
    return { id: event.id, seatIds: seats.map((seat) => seat.seatId) };
  };
}

/** The fake gateway's ledger rows for the given orders (or all). */
export function ledger(db: Db, orderIds?: string[]): Promise<{ reference: string; state: string }[]> {
  return orderIds
    ? db.fakeGatewayCharge.findMany({
        where: { reference: { in: orderIds } },
        select: { reference: true, state: true },
      })
    : db.fakeGatewayCharge.findMany({ select: { reference: true, state: true } });
}

/**
 * The exactly-once invariants, from the tables and the gateway's ledger:
 * - no authorization is left open: every charge is captured with a confirmed order, refunded with a
 *   cancelled one, or voided/declined with an order that did not go through;
 * - every sold seat is sold to a confirmed order that has one valid ticket for it, and each seat has
 *   at most one valid ticket (standing tickets have no seat: their areas' counts are standing.test's);
 * - every confirmed order's payment is captured and its total adds up.
 */
export async function assertOrderInvariants(db: Db): Promise<void> {
  const badCharges = await db.$queryRaw<{ reference: string; state: string; status: string | null }[]>`
    SELECT g.reference, g.state, o.status::text AS status FROM fake_gateway_charge g
    LEFT JOIN "order" o ON o.id::text = g.reference
    WHERE NOT (
      (g.state = 'CAPTURED' AND o.status = 'CONFIRMED' AND o.payment_state = 'CAPTURED')
      OR (g.state = 'REFUNDED' AND o.status = 'CANCELLED' AND o.payment_state = 'REFUNDED')
      OR (g.state IN ('VOIDED', 'DECLINED') AND (o.id IS NULL OR o.status IN ('FAILED', 'CANCELLED'))))`;
  assert.deepEqual(
    badCharges,
    [],
    "every authorization is captured with a confirmed order, refunded or voided",
  );
  const openOrders = await db.$queryRaw<{ id: string }[]>`
    SELECT id FROM "order"
    WHERE status = 'PENDING' OR payment_state IN ('AUTHORIZING', 'AUTHORIZED')
       OR (status = 'CONFIRMED' AND payment_state <> 'CAPTURED')`;
  assert.deepEqual(openOrders, [], "no order is left pending or half-paid");
  const soldWithoutTicket = await db.$queryRaw<{ seat_id: number }[]>`
    SELECT es.seat_id FROM event_seat es LEFT JOIN "order" o ON o.id = es.order_id
    WHERE es.status = 'SOLD' AND (o.status IS DISTINCT FROM 'CONFIRMED' OR 1 <> (
      SELECT count(*) FROM ticket t
      WHERE t.event_id = es.event_id AND t.seat_id = es.seat_id AND t.order_id = o.id AND t.status = 'VALID'))`;
  assert.deepEqual(soldWithoutTicket, [], "every sold seat has a valid ticket of its confirmed order");
  const twiceTicketed = await db.$queryRaw<{ seat_id: number }[]>`
    SELECT seat_id FROM ticket WHERE status = 'VALID' AND seat_id IS NOT NULL
    GROUP BY event_id, seat_id HAVING count(*) > 1`;
  assert.deepEqual(twiceTicketed, [], "each seat has at most one valid ticket");
  const ticketsWithoutSeat = await db.$queryRaw<{ id: string }[]>`
    SELECT t.id FROM ticket t JOIN event_seat es ON es.event_id = t.event_id AND es.seat_id = t.seat_id
    WHERE t.status = 'VALID' AND (es.status <> 'SOLD' OR es.order_id <> t.order_id)`;
  assert.deepEqual(ticketsWithoutSeat, [], "every valid ticket's seat is sold to its order");
}

/** Logins and checkouts without limits; background jobs run only when a test runs them. */
export const ORDER_TEST_ENV = {
  ...MANY_LOGINS,
  ...MANY_CHECKOUTS,
  HOLD_SWEEP_INTERVAL_MS: "3600000",
  PAYMENT_RECOVERY_INTERVAL_MS: "3600000",
  OUTBOX_RELAY_INTERVAL_MS: "3600000",
};

/** What an order test starts from: a seeded database, a server on it, signed-in fans, fresh events. */
export interface OrdersScenario {
  database: TestDatabase;
  api: TestServer;
  fans: Fan[];
  freshEvent: ReturnType<typeof eventPicker>;
  close(): Promise<void>;
}

export async function ordersScenario(
  tag: string,
  fanCount: number,
  env: Record<string, string> = {},
  options: ServerOptions = {},
): Promise<OrdersScenario> {
  const database = await createTestDatabase({ seeded: true });
  const api = await startTestServer(database.url, { ...ORDER_TEST_ENV, ...env }, options);
  const fans = await createFans(database.db, api.url, fanCount, tag);
  return {
    database,
    api,
    fans,
    freshEvent: eventPicker(database.db),
    async close() {
      await api.close();
      await database.dispose();
    },
  };
}
