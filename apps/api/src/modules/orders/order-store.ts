import { Prisma } from "../../generated/prisma/client.js";
import type { OrderStatus, PaymentState, TicketStatus } from "../../generated/prisma/enums.js";
import type { Db } from "../../infra/prisma.js";
import { type PreparedStatement, queryPrepared, type SqlPool } from "../../infra/sql.js";
import type { DbOrTx, Tx } from "../../kernel/transactions.js";
import type { AreaPlaces } from "../holds/area-hold-store.js";
import type { SeatOffer } from "../holds/hold-store.js";

// Every SQL statement of the orders module (docs/orders.md): checkout, order lists, cancellation,
// tickets and payment recovery; the services and the recovery job hold none. Orders change state only through conditional UPDATEs (`WHERE status = …`), so
// a request and the recovery job racing on one order can never both move it.

/** An order as stored, with what its views need. */
export interface OrderRow {
  id: string;
  userId: string;
  eventId: number;
  holdId: string;
  status: OrderStatus;
  paymentState: PaymentState;
  subtotalMinor: number;
  feesMinor: number;
  totalMinor: number;
  currency: string;
  requestHash: string;
  createdAt: Date;
  cancelledAt: Date | null;
  cancellableUntil: Date;
}

const ORDER_COLUMNS = Prisma.sql`
  o.id, o.user_id AS "userId", o.event_id AS "eventId", o.hold_id AS "holdId", o.status,
  o.payment_state AS "paymentState", o.subtotal_minor AS "subtotalMinor", o.fees_minor AS "feesMinor",
  o.total_minor AS "totalMinor", o.currency, o.request_hash AS "requestHash", o.created_at AS "createdAt",
  o.cancelled_at AS "cancelledAt",
  e.starts_at - make_interval(hours => e.cancel_cutoff_hours) AS "cancellableUntil"`;

export function ordersById(db: DbOrTx, ids: readonly string[]): Promise<OrderRow[]> {
  return db.$queryRaw<OrderRow[]>`
    SELECT ${ORDER_COLUMNS} FROM "order" o JOIN event e ON e.id = o.event_id
    WHERE o.id = ANY(${ids}::uuid[])`;
}

/** A seat of a hold, as its ticket shows it: what the hold offered, at the price it recorded. */
export type HeldSeat = SeatOffer;

/** A hold as checkout reads it, with the event's fee and cancellation cutoff. */
export interface HoldForCheckout {
  id: string;
  userId: string;
  eventId: number;
  state: "ACTIVE" | "RELEASED" | "EXPIRED" | "CONVERTED";
  live: boolean;
  expiresAt: Date;
  seatIds: number[];
  seatPrices: number[];
  /** In the hold's order. */
  seats: HeldSeat[];
  totalMinor: number;
  /** The event's per-ticket fee times the seats. */
  feesMinor: number;
  currency: string;
  cancellableUntil: Date;
  /** The order that checked this hold out or is doing so, if any. */
  liveOrderId: string | null;
  /** A standing hold's places (null for a hold of seats). */
  standing: AreaPlaces | null;
}

export interface BeginCheckout {
  userId: string;
  holdId: string;
  idempotencyKey: string;
  requestHash: string;
  /** The ids the order and its first payment row get if this call records them. */
  orderId: string;
  paymentId: string;
  provider: string;
}

/**
 * What the first step of checkout found and did: the caller's order for the idempotency key if the key
 * was used before; else the hold (null when there is none) and, when it could check it out, the new
 * order's creation time (the order is recorded, PENDING, before the provider is called).
 */
export type CheckoutStart =
  | { kind: "keyUsed"; keyOrderId: string }
  | { kind: "hold"; hold: HoldForCheckout | null; createdAt: Date | null };

interface CheckoutBeginRow {
  key_order_id: string | null;
  hold_user_id: string | null;
  event_id: number;
  state: HoldForCheckout["state"];
  live: boolean;
  expires_at: Date;
  seat_ids: number[];
  seat_prices: number[];
  seats: HeldSeat[];
  total_minor: number;
  fees_minor: number;
  currency: string;
  cancellable_until: Date;
  live_order_id: string | null;
  created_at: Date | null;
  area_id: number | null;
  area_name: string | null;
  area_quantity: number;
  area_price: number | null;
}

// The SQL function checkout_begin (migration 20261124240000_checkout_fast_path): the key, the hold and
// the order insert in one round trip.
const CHECKOUT_BEGIN: PreparedStatement = {
  name: "orders.begin",
  text: "SELECT * FROM checkout_begin($1::uuid, $2::uuid, $3, $4, $5::uuid, $6::uuid, $7)",
};

export async function beginCheckout(pool: SqlPool, begin: BeginCheckout): Promise<CheckoutStart> {
  const [row] = await queryPrepared<CheckoutBeginRow>(pool, CHECKOUT_BEGIN, [
    begin.userId,
    begin.holdId,
    begin.idempotencyKey,
    begin.requestHash,
    begin.orderId,
    begin.paymentId,
    begin.provider,
  ]);
  if (!row) throw new Error("checkout_begin returned no row");
  if (row.key_order_id) return { kind: "keyUsed", keyOrderId: row.key_order_id };
  if (!row.hold_user_id) return { kind: "hold", hold: null, createdAt: null };
  const hold: HoldForCheckout = {
    id: begin.holdId,
    userId: row.hold_user_id,
    eventId: row.event_id,
    state: row.state,
    live: row.live,
    expiresAt: row.expires_at,
    seatIds: row.seat_ids,
    seatPrices: row.seat_prices,
    seats: row.seats,
    totalMinor: row.total_minor,
    feesMinor: row.fees_minor,
    currency: row.currency,
    cancellableUntil: row.cancellable_until,
    liveOrderId: row.live_order_id,
    standing:
      row.area_id === null
        ? null
        : {
            areaId: row.area_id,
            area: row.area_name ?? "",
            quantity: row.area_quantity,
            price: row.area_price ?? 0,
          },
  };
  return { kind: "hold", hold, createdAt: row.created_at };
}

export interface PaymentStep {
  /** The order moves only from one of these payment states… */
  from: PaymentState[];
  /** …and, when given, only from one of these statuses. */
  fromStatus?: OrderStatus[];
  to: PaymentState;
  status?: OrderStatus;
  provider: string;
  operation: "authorize" | "capture" | "void" | "refund";
  providerRef?: string | null;
  error?: string | null;
  paymentId: string;
}

const RECORD_PAYMENT_STEP: PreparedStatement = {
  name: "orders.payment-step",
  text: `
    WITH moved AS (
      UPDATE "order"
      SET payment_state = $4::"PaymentState", status = coalesce($5::"OrderStatus", status), updated_at = now()
      WHERE id = $1::uuid AND payment_state = ANY($2::"PaymentState"[])
        AND ($3::"OrderStatus"[] IS NULL OR status = ANY($3::"OrderStatus"[]))
      RETURNING id, total_minor, currency
    ), logged AS (
      INSERT INTO payment (id, order_id, provider, operation, amount_minor, currency, state, provider_ref, error)
      SELECT $6::uuid, id, $7, $8, total_minor, currency, $4::"PaymentState", $9, $10
      FROM moved
    )
    SELECT id FROM moved`,
};

/**
 * Moves the order's payment state (and maybe its status) and logs the provider operation in the
 * payment table, in one statement. False when the order was not in a `from` state (someone else moved it).
 */
export async function recordPaymentStep(pool: SqlPool, orderId: string, step: PaymentStep): Promise<boolean> {
  const rows = await queryPrepared(pool, RECORD_PAYMENT_STEP, [
    orderId,
    step.from,
    step.fromStatus ?? null,
    step.to,
    step.status ?? null,
    step.paymentId,
    step.provider,
    step.operation,
    step.providerRef ?? null,
    step.error ?? null,
  ]);
  return rows.length === 1;
}

const PAYMENT_STATE: PreparedStatement = {
  name: "orders.payment-state",
  text: `SELECT status, payment_state AS "paymentState" FROM "order" WHERE id = $1::uuid`,
};

/** An order's status and payment state; null when there is no such order. */
export async function paymentStateOf(
  pool: SqlPool,
  orderId: string,
): Promise<{ status: OrderStatus; paymentState: PaymentState } | null> {
  const [row] = await queryPrepared<{ status: OrderStatus; paymentState: PaymentState }>(
    pool,
    PAYMENT_STATE,
    [orderId],
  );
  return row ?? null;
}

/**
 * True when the event has a seat matching `condition`. Written so that Postgres walks the
 * (event_id, status, held_until) index and stops at the first match: an EXISTS with an OR of statuses
 * is planned as a scan of the whole event (15 ms for a stadium, measured), once per checkout.
 */
function anySeatText(eventId: string, condition: string): string {
  return `((SELECT es.seat_id FROM event_seat es WHERE es.event_id = ${eventId} AND ${condition}
            ORDER BY es.held_until LIMIT 1) IS NOT NULL)`;
}

/** True when one of the event's ($3) standing areas has places neither held nor sold. */
const ANY_AREA_PLACE_TEXT =
  "EXISTS (SELECT 1 FROM event_area a WHERE a.event_id = $3::int AND a.available > 0)";

export interface Conversion {
  orderId: string;
  hold: HoldForCheckout;
  /** One per place: a seat (seatId) or a standing place (areaId). */
  tickets: {
    id: string;
    seatId: number | null;
    areaId: number | null;
    priceMinor: number;
    secretHex: string;
  }[];
  provider: string;
  providerRef: string;
  paymentId: string;
}

export class ConversionRefused extends Error {
  constructor(readonly reason: "seats" | "order") {
    super(reason === "seats" ? "the hold no longer holds its seats" : "the order is no longer pending");
    this.name = "ConversionRefused";
  }
}

// The guard of checkout (DESIGN.md §3) and the sale, in one statement (so one implicit transaction):
// locks the order and checks it is still PENDING, locks the hold's places and checks they are still its
// own, unexpired; only when both hold (`gate`) does it sell the places to the order, confirm it, convert
// the hold, issue the tickets, log the authorization and write the `order.confirmed` outbox event.
// Otherwise it changes nothing.
//
// The order and a standing hold are locked by their key alone and their state is checked in `gate`: a
// plan that found them by state instead (the cached generic plan did: `order` by status, `hold` by
// expiry) read every pending order or live hold on each checkout.
//
// A hold has seats or standing places, never both, and each kind has a statement of its own: a
// statement-level trigger runs even for an UPDATE that changes no row, so one statement for both kinds
// ran the seats' sales trigger for every standing checkout and the areas' for every seated one.
//
// Parameters: $1 order, $2 hold, $3 event, $4 seat per ticket, $5 ticket ids, $6 prices, $7 secrets (hex),
// $8 payment id, $9 provider, $10 provider's reference, $11 area per ticket, and for standing places
// $12 how many.
const PENDING_ORDER_CTE = `pending AS (
      SELECT status = 'PENDING' AS ok FROM "order" WHERE id = $1::uuid FOR UPDATE
    )`;

// In seat order, like every statement that waits for seat rows (holds/hold-store.ts).
const SEAT_CTES = `mine AS (
      SELECT es.event_id, es.seat_id FROM event_seat es
      WHERE es.hold_id = $2::uuid AND es.status = 'HELD' AND es.held_until > now()
      ORDER BY es.event_id, es.seat_id
      FOR UPDATE
    ), gate AS (
      SELECT coalesce((SELECT ok FROM pending), false)
             AND (SELECT count(*) FROM mine) = cardinality(array_remove($4::int[], NULL)) AS ok
    ), sold AS (
      UPDATE event_seat es
      SET status = 'SOLD', order_id = $1::uuid, held_until = NULL, version = es.version + 1
      FROM mine, gate
      WHERE gate.ok AND es.event_id = mine.event_id AND es.seat_id = mine.seat_id
    )`;

// The hold's row stands for its places: locked so that the sweeper cannot take them back meanwhile. They
// pass to the tickets: the area gets them back here and the tickets' trigger takes them again (migration
// 20261207140000_standing_areas), in this statement.
const STANDING_CTES = `standing AS (
      SELECT h.event_id, h.area_id, h.area_quantity,
             h.state = 'ACTIVE' AND h.expires_at > now() AND h.area_quantity = $12::int AS live
      FROM hold h WHERE h.id = $2::uuid
      FOR UPDATE
    ), gate AS (
      SELECT coalesce((SELECT ok FROM pending), false) AND coalesce((SELECT live FROM standing), false) AS ok
    ), handed_over AS (
      UPDATE event_area a SET available = a.available + s.area_quantity
      FROM standing s, gate
      WHERE gate.ok AND a.event_id = s.event_id AND a.section_id = s.area_id
    )`;

const SALE_CTES = `confirmed AS (
      UPDATE "order" o SET status = 'CONFIRMED', payment_state = 'AUTHORIZED', updated_at = now()
      FROM gate
      WHERE gate.ok AND o.id = $1::uuid
      RETURNING o.id, o.user_id, o.event_id, o.hold_id, o.total_minor, o.currency
    ), converted AS (
      UPDATE hold h SET state = 'CONVERTED', ended_at = now()
      FROM gate
      WHERE gate.ok AND h.id = $2::uuid
    ), issued AS (
      INSERT INTO ticket (id, order_id, event_id, seat_id, area_id, price_minor, secret)
      SELECT t.id, c.id, c.event_id, t.seat_id, t.area_id, t.price, decode(t.secret, 'hex')
      FROM confirmed c,
           unnest($5::uuid[], $4::int[], $11::int[], $6::int[], $7::text[]) AS t(id, seat_id, area_id, price, secret)
    ), logged AS (
      INSERT INTO payment (id, order_id, provider, operation, amount_minor, currency, state, provider_ref)
      SELECT $8::uuid, id, $9, 'authorize', total_minor, currency, 'AUTHORIZED', $10
      FROM confirmed
    ), announced AS (
      INSERT INTO outbox_event (topic, payload)
      SELECT 'order.confirmed', jsonb_build_object(
        'orderId', c.id, 'userId', c.user_id, 'eventId', c.event_id, 'holdId', c.hold_id,
        'total', jsonb_build_object('amount', c.total_minor, 'currency', c.currency),
        'seatIds', to_jsonb(array_remove($4::int[], NULL)), 'ticketIds', to_jsonb($5::uuid[]))
      FROM confirmed c
    )`;

// The statement's snapshot does not see its own changes: this hold's seats still count as held.
const SEATS_LEFT_TEXT = `${anySeatText("$3::int", "es.status = 'AVAILABLE'")}
           OR ${anySeatText("$3::int", "es.status = 'HELD' AND es.held_until <= now()")}
           OR ${ANY_AREA_PLACE_TEXT} AS "seatsLeft"`;

const CONVERT_SEATS: PreparedStatement = {
  name: "orders.convert-seats",
  text: `
    WITH ${PENDING_ORDER_CTE}, ${SEAT_CTES}, ${SALE_CTES}
    SELECT (SELECT ok FROM gate) AS ok, (SELECT count(*) FROM mine)::int AS "placesHeld",
           ${SEATS_LEFT_TEXT}`,
};

const CONVERT_STANDING: PreparedStatement = {
  name: "orders.convert-standing",
  text: `
    WITH ${PENDING_ORDER_CTE}, ${STANDING_CTES}, ${SALE_CTES}
    SELECT (SELECT ok FROM gate) AS ok, (SELECT count(*) FROM standing WHERE live)::int AS "placesHeld",
           ${SEATS_LEFT_TEXT}`,
};

/**
 * Runs the guarded conversion (CONVERT_SEATS or CONVERT_STANDING). When it is refused it changes nothing
 * and throws ConversionRefused: the places went (the hold ran out) or the order did (the recovery job
 * gave up on it).
 */
export async function convertHold(pool: SqlPool, conversion: Conversion): Promise<{ seatsLeft: boolean }> {
  const { hold, orderId, tickets } = conversion;
  const places = hold.standing ? 1 : hold.seatIds.length;
  const values: unknown[] = [
    orderId,
    hold.id,
    hold.eventId,
    tickets.map((ticket) => ticket.seatId),
    tickets.map((ticket) => ticket.id),
    tickets.map((ticket) => ticket.priceMinor),
    tickets.map((ticket) => ticket.secretHex),
    conversion.paymentId,
    conversion.provider,
    conversion.providerRef,
    tickets.map((ticket) => ticket.areaId),
  ];
  const [outcome] = await queryPrepared<{ ok: boolean; placesHeld: number; seatsLeft: boolean }>(
    pool,
    hold.standing ? CONVERT_STANDING : CONVERT_SEATS,
    hold.standing ? [...values, hold.standing.quantity] : values,
  );
  if (!outcome?.ok) {
    throw new ConversionRefused((outcome?.placesHeld ?? 0) < places ? "seats" : "order");
  }
  return { seatsLeft: outcome.seatsLeft };
}

/**
 * Sets an on-sale event SOLD_OUT when no seat is free or held, and back to ON_SALE when one is. Runs
 * after the sale or cancellation committed, under the event row's lock: each run reads every change
 * committed before it, so the last run after the last change leaves the right status.
 *
 * A sale needs it only when its conversion saw no free seat (available, or held by an expired hold):
 * while one is free the event cannot sell out without a later hold and checkout of that seat, whose
 * conversion then sees what is left. Concurrent last sales see each other's seats as held, so each
 * of them runs it, and the last to commit reads the final state.
 */
export async function refreshSoldOut(db: Db, eventId: number): Promise<void> {
  await db.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ id: number }[]>`
      SELECT id FROM event WHERE id = ${eventId} AND status IN ('ON_SALE', 'SOLD_OUT') FOR UPDATE`;
    if (locked.length === 0) return;
    await tx.$executeRawUnsafe(
      `UPDATE event SET status = CASE
         WHEN ${anySeatText("$1::int", "es.status = 'AVAILABLE'")} OR ${anySeatText("$1::int", "es.status = 'HELD'")}
           OR EXISTS (SELECT 1 FROM event_area a WHERE a.event_id = $1::int
                      AND (a.available > 0 OR EXISTS (SELECT 1 FROM hold h WHERE h.event_id = $1::int
                           AND h.area_id = a.section_id AND h.state = 'ACTIVE')))
         THEN 'ON_SALE'::"EventStatus" ELSE 'SOLD_OUT'::"EventStatus" END
       WHERE id = $1::int`,
      eventId,
    );
  });
}

// --- Cancellation (orders.service.ts) ---

/** An order locked for cancellation, with whether its event's cancellation cutoff is still ahead. */
export type OrderToCancel = Pick<
  OrderRow,
  "id" | "userId" | "status" | "eventId" | "holdId" | "cancellableUntil"
> & {
  inTime: boolean;
  /** Some of its tickets were passed on (docs/transfers.md): a refund of the whole order would include them. */
  transferredOut: boolean;
};

export async function lockOrderForCancel(tx: Tx, orderId: string): Promise<OrderToCancel | null> {
  const [order] = await tx.$queryRaw<OrderToCancel[]>`
    SELECT o.id, o.user_id AS "userId", o.status, o.event_id AS "eventId", o.hold_id AS "holdId",
           e.starts_at - make_interval(hours => e.cancel_cutoff_hours) AS "cancellableUntil",
           e.starts_at - make_interval(hours => e.cancel_cutoff_hours) > now() AS "inTime",
           EXISTS (SELECT 1 FROM ticket_transfer tt WHERE tt.order_id = o.id AND tt.state = 'ACCEPTED')
             AS "transferredOut"
    FROM "order" o JOIN event e ON e.id = o.event_id
    WHERE o.id = ${orderId}::uuid
    FOR UPDATE OF o`;
  return order ?? null;
}

/** Puts the order's sold seats back on sale (in seat order, like every seat lock); their ids. */
export async function releaseSoldSeats(tx: Tx, orderId: string): Promise<number[]> {
  const freed = await tx.$queryRaw<{ seatId: number }[]>`
    WITH released AS (
      SELECT event_id, seat_id FROM event_seat
      WHERE order_id = ${orderId}::uuid AND status = 'SOLD'
      ORDER BY event_id, seat_id
      FOR UPDATE
    )
    UPDATE event_seat es
    SET status = 'AVAILABLE', order_id = NULL, hold_id = NULL, held_until = NULL, version = es.version + 1
    FROM released r
    WHERE es.event_id = r.event_id AND es.seat_id = r.seat_id
    RETURNING es.seat_id AS "seatId"`;
  return freed.map((seat) => seat.seatId);
}

/**
 * Voids the order's tickets, marks it CANCELLED and writes the `order.cancelled` outbox event. Voided
 * standing tickets give their places back (the tickets' trigger); returns those areas.
 */
export async function recordCancellation(
  tx: Tx,
  cancellation: { orderId: string; userId: string; eventId: number; seatIds: number[] },
): Promise<number[]> {
  const { orderId, userId, eventId, seatIds } = cancellation;
  const voided = await tx.$queryRaw<{ areaId: number }[]>`
    UPDATE ticket SET status = 'VOID' WHERE order_id = ${orderId}::uuid AND status = 'VALID'
    RETURNING area_id AS "areaId"`;
  await tx.$executeRaw`
    WITH announced AS (
      INSERT INTO outbox_event (topic, payload)
      VALUES ('order.cancelled', jsonb_build_object('orderId', ${orderId}::uuid, 'userId', ${userId}::uuid,
              'eventId', ${eventId}::int, 'seatIds', to_jsonb(${seatIds}::int[])))
    )
    UPDATE "order" SET status = 'CANCELLED', cancelled_at = now(), updated_at = now()
    WHERE id = ${orderId}::uuid`;
  return [...new Set(voided.flatMap((ticket) => (ticket.areaId === null ? [] : [ticket.areaId])))];
}

// --- Order lists (orders.service.ts) ---

/** One page of a buyer's orders (failed ones are not shown), newest first, plus one to tell if more follow. */
export async function orderPageIds(
  db: Db,
  userId: string,
  limit: number,
  after: { createdAt: Date; id: string } | null,
): Promise<string[]> {
  const afterCursor = after
    ? Prisma.sql`AND (created_at, id) < (${after.createdAt}, ${after.id}::uuid)`
    : Prisma.empty;
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT id FROM "order"
    WHERE user_id = ${userId}::uuid AND status <> 'FAILED' ${afterCursor}
    ORDER BY created_at DESC, id DESC
    LIMIT ${limit}`;
  return rows.map((row) => row.id);
}

export async function countOrders(db: Db, userId: string): Promise<number> {
  const [count] = await db.$queryRaw<{ total: number }[]>`
    SELECT count(*)::int AS total FROM "order" WHERE user_id = ${userId}::uuid AND status <> 'FAILED'`;
  return count?.total ?? 0;
}

/** Events by id, for the orders that show them. */
export function eventsById(db: Db, ids: readonly number[]) {
  return db.event.findMany({ where: { id: { in: [...ids] } } });
}

/** Whether the event's static codes (printed, emailed, Wallet) admit; null when there is no such event. */
export async function staticCodesEnabled(db: DbOrTx, eventId: number): Promise<boolean | null> {
  const event = await db.event.findUnique({ where: { id: eventId }, select: { staticCodesEnabled: true } });
  return event?.staticCodesEnabled ?? null;
}

/** Turns the event's static codes on or off, and says what they were (null: no such event). */
export async function setStaticCodesEnabled(
  tx: Tx,
  eventId: number,
  enabled: boolean,
): Promise<boolean | null> {
  const [old] = await tx.$queryRaw<{ before: boolean }[]>`
    UPDATE event e SET static_codes_enabled = ${enabled}
    FROM (SELECT id, static_codes_enabled AS before FROM event WHERE id = ${eventId} FOR UPDATE) old
    WHERE e.id = old.id
    RETURNING old.before`;
  return old?.before ?? null;
}

// --- Tickets (tickets.service.ts and the order views) ---

export interface TicketRow {
  id: string;
  orderId: string;
  eventId: number;
  status: TicketStatus;
  usedAt: Date | null;
  priceMinor: number;
  currency: string;
  secret: Uint8Array;
  /** Null for a standing ticket, as are row and number. */
  seatId: number | null;
  row: string | null;
  number: number | null;
  sectionId: number;
  section: string;
}

const TICKET_COLUMNS = Prisma.sql`t.id, t.order_id AS "orderId", t.event_id AS "eventId", t.status,
  t.used_at AS "usedAt", t.price_minor AS "priceMinor", o.currency, t.secret, s.id AS "seatId",
  s.row_label AS "row", s.number, sec.id AS "sectionId", sec.name AS "section"`;

/** A ticket's section: its seat's, or its standing area. */
const TICKET_PLACE_JOINS = Prisma.sql`LEFT JOIN seat s ON s.id = t.seat_id
  JOIN section sec ON sec.id = coalesce(s.section_id, t.area_id)`;

/** Tickets by their own ids or by their orders' ids, in seat order within each order. */
export function ticketRows(db: Db, ids: readonly string[], by: "id" | "order_id"): Promise<TicketRow[]> {
  const column = by === "id" ? Prisma.sql`t.id` : Prisma.sql`t.order_id`;
  return db.$queryRaw<TicketRow[]>`
    SELECT ${TICKET_COLUMNS}
    FROM ticket t JOIN "order" o ON o.id = t.order_id ${TICKET_PLACE_JOINS}
    WHERE ${column} = ANY(${ids}::uuid[])
    ORDER BY t.order_id, sec.sort_order, s.row_rank, s.number, t.id`;
}

/**
 * A gate scan's first use: the time it was recorded, or null when the ticket is void or was used. The
 * first scan also announces it in the same statement (outbox: `ticket.checked_in` webhooks).
 */
export async function markTicketUsed(db: Db, ticketId: string): Promise<Date | null> {
  const [used] = await db.$queryRaw<{ usedAt: Date }[]>`
    WITH used AS (
      UPDATE ticket SET used_at = now()
      WHERE id = ${ticketId}::uuid AND status = 'VALID' AND used_at IS NULL
      RETURNING id, order_id, event_id, used_at
    ), announced AS (
      INSERT INTO outbox_event (topic, payload)
      SELECT 'ticket.checked_in', jsonb_build_object('ticketId', id, 'orderId', order_id, 'eventId', event_id,
                                                     'checkedInAt', used_at)
      FROM used
    )
    SELECT used_at AS "usedAt" FROM used`;
  return used?.usedAt ?? null;
}

// --- Payment recovery (payment-recovery.ts) ---

/** An order that a checkout or cancellation left half-settled. */
export interface StaleOrder {
  id: string;
  status: OrderStatus;
}

/**
 * Claims up to `limit` orders whose payment was left half-done for `staleAfterMs` or more; touching
 * `updated_at` keeps a second recovery run (on another instance) from taking the same ones at once.
 */
export function claimStaleOrders(db: Db, staleAfterMs: number, limit: number): Promise<StaleOrder[]> {
  return db.$queryRaw<StaleOrder[]>`
    UPDATE "order" o SET updated_at = now()
    WHERE o.id IN (
      SELECT id FROM "order"
      WHERE ((status IN ('PENDING', 'FAILED') AND payment_state IN ('AUTHORIZING', 'AUTHORIZED'))
          OR (status = 'CONFIRMED' AND payment_state = 'AUTHORIZED')
          OR (status = 'CANCELLED' AND payment_state IN ('AUTHORIZED', 'CAPTURED')))
        AND updated_at <= now() - make_interval(secs => ${staleAfterMs / 1000})
      ORDER BY updated_at
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING o.id, o.status`;
}

/** Fails an order that is still PENDING (so a conversion still running is turned away). */
export async function failPendingOrder(db: Db, orderId: string): Promise<void> {
  await db.$executeRaw`
    UPDATE "order" SET status = 'FAILED', updated_at = now()
    WHERE id = ${orderId}::uuid AND status = 'PENDING'`;
}

// --- Complimentary tickets (complimentary.service.ts) ---

export interface ComplimentaryIssue {
  eventId: number;
  /** The organizer's house hold the seats come from. */
  houseHoldId: string;
  seatIds: number[];
  /** Who the order is for. */
  userId: string;
  orderId: string;
  /** The hold the order converts (a new one: an order needs its own hold). */
  holdId: string;
  tickets: { id: string; seatId: number; secretHex: string }[];
}

/**
 * Issues complimentary tickets from house seats in one statement: the seats (still held by the house
 * hold, locked in seat order) are sold to a new CONFIRMED order of price zero (payment NONE) with its
 * tickets, through a new converted hold, and `order.confirmed` is announced. Changes nothing and
 * answers false unless every seat was still held by the house hold.
 */
export async function issueComplimentary(tx: Tx, issue: ComplimentaryIssue): Promise<boolean> {
  const seatIds = issue.tickets.map((ticket) => ticket.seatId);
  const [row] = await tx.$queryRaw<{ ok: boolean }[]>`
    WITH seats AS (
      SELECT es.event_id, es.seat_id FROM event_seat es
      WHERE es.event_id = ${issue.eventId} AND es.hold_id = ${issue.houseHoldId}::uuid AND es.status = 'HELD'
        AND es.seat_id = ANY(${seatIds}::int[])
      ORDER BY es.seat_id
      FOR UPDATE
    ), gate AS (
      SELECT (SELECT count(*) FROM seats) = cardinality(${seatIds}::int[]) AS ok
    ), event_row AS (
      SELECT currency FROM event WHERE id = ${issue.eventId}
    ), hold_row AS (
      INSERT INTO hold (id, user_id, event_id, state, kind, label, seat_ids, seat_prices, total_minor, currency,
                        expires_at, ended_at)
      SELECT ${issue.holdId}::uuid, ${issue.userId}::uuid, ${issue.eventId}, 'CONVERTED', 'HOUSE', 'Complimentary',
             ${seatIds}::int[], array_fill(0, ARRAY[cardinality(${seatIds}::int[])]), 0, e.currency, now(), now()
      FROM gate, event_row e WHERE gate.ok
    ), order_row AS (
      INSERT INTO "order" (id, user_id, event_id, hold_id, status, origin, payment_state, subtotal_minor,
                           fees_minor, total_minor, currency, idempotency_key, request_hash, updated_at)
      SELECT ${issue.orderId}::uuid, ${issue.userId}::uuid, ${issue.eventId}, ${issue.holdId}::uuid, 'CONFIRMED',
             'COMPLIMENTARY', 'NONE', 0, 0, 0, e.currency, 'complimentary:' || ${issue.orderId}, 'complimentary', now()
      FROM gate, event_row e WHERE gate.ok
      RETURNING id, currency
    ), sold AS (
      UPDATE event_seat es
      SET status = 'SOLD', order_id = ${issue.orderId}::uuid, hold_id = ${issue.holdId}::uuid, held_until = NULL,
          version = es.version + 1
      FROM seats, gate
      WHERE gate.ok AND es.event_id = seats.event_id AND es.seat_id = seats.seat_id
    ), issued AS (
      INSERT INTO ticket (id, order_id, event_id, seat_id, price_minor, secret)
      SELECT t.id, o.id, ${issue.eventId}, t.seat_id, 0, decode(t.secret, 'hex')
      FROM order_row o,
           unnest(${issue.tickets.map((t) => t.id)}::uuid[], ${seatIds}::int[],
                  ${issue.tickets.map((t) => t.secretHex)}::text[]) AS t(id, seat_id, secret)
    ), announced AS (
      INSERT INTO outbox_event (topic, payload)
      SELECT 'order.confirmed', jsonb_build_object(
        'orderId', o.id, 'userId', ${issue.userId}::uuid, 'eventId', ${issue.eventId}::int,
        'holdId', ${issue.holdId}::uuid, 'total', jsonb_build_object('amount', 0, 'currency', o.currency),
        'seatIds', to_jsonb(${seatIds}::int[]), 'ticketIds', to_jsonb(${issue.tickets.map((t) => t.id)}::uuid[]),
        'complimentary', true)
      FROM order_row o
    )
    SELECT ok FROM gate`;
  return row?.ok === true;
}
