import type { TransferState } from "../../generated/prisma/enums.js";
import type { DbOrTx, Tx } from "../../kernel/transactions.js";

// Every SQL statement of the transfers module (docs/transfers.md). A transfer moves only through
// conditional UPDATEs (`WHERE state = 'PENDING'`) on a row locked by the step that moves it.

/** When the event lets fans pass tickets on: its setting, its status and the cutoff before the start. */
export interface TransferPolicy {
  eventId: number;
  eventStatus: string;
  transfersAllowed: boolean;
  transferableUntil: Date;
  /** The cutoff is still ahead (by the database's clock). */
  inTime: boolean;
}

const POLICY_COLUMNS = `e.id AS "eventId", e.status::text AS "eventStatus", e.transfers_allowed AS "transfersAllowed",
  e.starts_at - make_interval(hours => e.transfer_cutoff_hours) AS "transferableUntil",
  e.starts_at - make_interval(hours => e.transfer_cutoff_hours) > now() AS "inTime"`;

/** The event's transfer policy (null when there is no such event). */
export async function eventTransferPolicy(db: DbOrTx, eventId: number): Promise<TransferPolicy | null> {
  const [policy] = await db.$queryRawUnsafe<TransferPolicy[]>(
    `SELECT ${POLICY_COLUMNS} FROM event e WHERE e.id = $1::int`,
    eventId,
  );
  return policy ?? null;
}

export type OrderToTransfer = TransferPolicy & { orderId: string; userId: string; status: string };

/** The order, locked until the transaction ends (so two transfers of it take turns), with its event's policy. */
export async function lockOrderForTransfer(tx: Tx, orderId: string): Promise<OrderToTransfer | null> {
  const [order] = await tx.$queryRawUnsafe<OrderToTransfer[]>(
    `SELECT o.id AS "orderId", o.user_id AS "userId", o.status::text AS status, ${POLICY_COLUMNS}
     FROM "order" o JOIN event e ON e.id = o.event_id
     WHERE o.id = $1::uuid
     FOR UPDATE OF o`,
    orderId,
  );
  return order ?? null;
}

/** A ticket of the order as a transfer sees it. */
export interface TicketForTransfer {
  id: string;
  /** A seated ticket's seat, or a standing ticket's area (an order is one or the other: one hold's). */
  seatId: number | null;
  areaId: number | null;
  priceMinor: number;
  /** VALID, not used, and (seated) its seat still sold to this order. */
  live: boolean;
  /** Already part of another pending transfer. */
  pending: boolean;
}

export function ticketsForTransfer(
  tx: Tx,
  orderId: string,
  ticketIds: readonly string[],
): Promise<TicketForTransfer[]> {
  return tx.$queryRaw<TicketForTransfer[]>`
    SELECT t.id, t.seat_id AS "seatId", t.area_id AS "areaId", t.price_minor AS "priceMinor",
           (t.status = 'VALID' AND t.used_at IS NULL
            AND (t.area_id IS NOT NULL OR (es.status = 'SOLD' AND es.order_id = t.order_id))) AS live,
           EXISTS (SELECT 1 FROM ticket_transfer tt
                   WHERE tt.order_id = t.order_id AND tt.state = 'PENDING' AND t.id = ANY(tt.ticket_ids)) AS pending
    FROM ticket t LEFT JOIN event_seat es ON es.event_id = t.event_id AND es.seat_id = t.seat_id
    WHERE t.order_id = ${orderId}::uuid AND t.id = ANY(${ticketIds}::uuid[])
    ORDER BY t.seat_id, t.id`;
}

/** The e-mail address of an account (null when there is none). */
export async function accountEmail(db: DbOrTx, userId: string): Promise<string | null> {
  const [user] = await db.$queryRaw<{ email: string }[]>`
    SELECT email FROM user_account WHERE id = ${userId}::uuid`;
  return user?.email ?? null;
}

export interface NewTransfer {
  id: string;
  orderId: string;
  eventId: number;
  fromUserId: string;
  toEmail: string;
  ticketIds: string[];
}

/** Records a pending transfer and announces it (outbox: `transfer.offered`) in one statement. */
export async function insertTransfer(tx: Tx, transfer: NewTransfer): Promise<void> {
  const { id, orderId, eventId, fromUserId, toEmail, ticketIds } = transfer;
  await tx.$executeRaw`
    WITH created AS (
      INSERT INTO ticket_transfer (id, order_id, event_id, from_user_id, to_email, ticket_ids)
      VALUES (${id}::uuid, ${orderId}::uuid, ${eventId}::int, ${fromUserId}::uuid, ${toEmail},
              ${ticketIds}::uuid[])
      RETURNING id
    )
    INSERT INTO outbox_event (topic, payload)
    SELECT 'transfer.offered', jsonb_build_object(
      'transferId', c.id, 'orderId', ${orderId}::uuid, 'eventId', ${eventId}::int,
      'fromUserId', ${fromUserId}::uuid, 'toEmail', ${toEmail}::text, 'ticketIds', to_jsonb(${ticketIds}::uuid[]))
    FROM created c`;
}

/** A transfer as stored. */
export interface TransferRow {
  id: string;
  orderId: string;
  eventId: number;
  fromUserId: string;
  fromName: string | null;
  toEmail: string;
  toUserId: string | null;
  ticketIds: string[];
  newOrderId: string | null;
  newTicketIds: string[];
  state: TransferState;
  createdAt: Date;
  acceptedAt: Date | null;
  cancelledAt: Date | null;
}

const TRANSFER_COLUMNS = `tt.id, tt.order_id AS "orderId", tt.event_id AS "eventId",
  tt.from_user_id AS "fromUserId", u.name AS "fromName", tt.to_email AS "toEmail",
  tt.to_user_id AS "toUserId", tt.ticket_ids::text[] AS "ticketIds", tt.new_order_id AS "newOrderId",
  coalesce(tt.new_ticket_ids, '{}')::text[] AS "newTicketIds", tt.state, tt.created_at AS "createdAt",
  tt.accepted_at AS "acceptedAt", tt.cancelled_at AS "cancelledAt"`;

const TRANSFER_FROM = `ticket_transfer tt JOIN user_account u ON u.id = tt.from_user_id`;

/** A transfer locked until the transaction ends, with its event's policy. */
export async function lockTransfer(
  tx: Tx,
  transferId: string,
): Promise<(TransferRow & TransferPolicy) | null> {
  const [row] = await tx.$queryRawUnsafe<(TransferRow & TransferPolicy)[]>(
    `SELECT ${TRANSFER_COLUMNS}, ${POLICY_COLUMNS}
     FROM ${TRANSFER_FROM} JOIN event e ON e.id = tt.event_id
     WHERE tt.id = $1::uuid
     FOR UPDATE OF tt`,
    transferId,
  );
  return row ?? null;
}

export function transfersById(db: DbOrTx, ids: readonly string[]): Promise<TransferRow[]> {
  return db.$queryRawUnsafe<TransferRow[]>(
    `SELECT ${TRANSFER_COLUMNS} FROM ${TRANSFER_FROM} WHERE tt.id = ANY($1::uuid[])`,
    ids,
  );
}

/** The transfers of these orders (sent from them), oldest first. */
export function transfersOfOrders(db: DbOrTx, orderIds: readonly string[]): Promise<TransferRow[]> {
  return db.$queryRawUnsafe<TransferRow[]>(
    `SELECT ${TRANSFER_COLUMNS} FROM ${TRANSFER_FROM}
     WHERE tt.order_id = ANY($1::uuid[]) ORDER BY tt.created_at, tt.id`,
    orderIds,
  );
}

/** Every transfer of an event, oldest first: the chain the organizer's audit log and exports show. */
export function transfersOfEvent(db: DbOrTx, eventId: number): Promise<TransferRow[]> {
  return db.$queryRawUnsafe<TransferRow[]>(
    `SELECT ${TRANSFER_COLUMNS} FROM ${TRANSFER_FROM}
     WHERE tt.event_id = $1::int ORDER BY tt.created_at, tt.id`,
    eventId,
  );
}

/** Pending transfers addressed to this e-mail address, newest first. */
export function pendingTransfersTo(db: DbOrTx, email: string): Promise<TransferRow[]> {
  return db.$queryRawUnsafe<TransferRow[]>(
    `SELECT ${TRANSFER_COLUMNS} FROM ${TRANSFER_FROM}
     WHERE tt.to_email = $1 AND tt.state = 'PENDING' ORDER BY tt.created_at DESC, tt.id`,
    email,
  );
}

export async function cancelPendingTransfer(tx: Tx, transferId: string): Promise<void> {
  await tx.$executeRaw`
    UPDATE ticket_transfer SET state = 'CANCELLED', cancelled_at = now()
    WHERE id = ${transferId}::uuid AND state = 'PENDING'`;
}

export interface Reissue {
  transfer: TransferRow;
  toUserId: string;
  /** The recipient's order, and the hold that records how its seats came to them (CONVERTED). */
  newOrderId: string;
  newHoldId: string;
  /** In the transfer's ticketIds' order. */
  tickets: {
    oldId: string;
    newId: string;
    seatId: number | null;
    areaId: number | null;
    priceMinor: number;
    /** The new ticket's secret. */
    secretHex: string;
    /** Replaces the old ticket's secret (thrown away). */
    burnHex: string;
  }[];
}

/**
 * The acceptance (docs/transfers.md), in one statement: voids the sender's tickets and replaces their
 * secrets (so every code they ever showed now reads INVALID, not merely VOID); records the recipient's
 * converted hold and confirmed order (nothing paid: totals 0, payment NONE); moves the seats to that
 * order (so the per-account limit counts them for the recipient; standing places count by their valid
 * tickets, and the area's places left do not change: one voided, one issued); issues new tickets with new secrets;
 * marks the transfer ACCEPTED and announces it (outbox: `ticket.transferred`). The caller has locked
 * the transfer and checked that every ticket is live.
 */
export async function reissueTickets(tx: Tx, reissue: Reissue): Promise<void> {
  const { transfer, toUserId, newOrderId, newHoldId, tickets } = reissue;
  const oldIds = tickets.map((t) => t.oldId);
  const newIds = tickets.map((t) => t.newId);
  const seatIds = tickets.map((t) => t.seatId);
  const areaIds = tickets.map((t) => t.areaId);
  const soldSeatIds = seatIds.filter((seatId) => seatId !== null);
  // Standing tickets of one order are places of one area at one price (the hold they came from).
  const standing = tickets.find((t) => t.areaId !== null);
  const prices = tickets.map((t) => t.priceMinor);
  const secrets = tickets.map((t) => t.secretHex);
  const burnt = tickets.map((t) => t.burnHex);
  const total = prices.reduce((sum, price) => sum + price, 0);
  await tx.$executeRaw`
    WITH voided AS (
      UPDATE ticket t SET status = 'VOID', secret = decode(b.secret, 'hex')
      FROM unnest(${oldIds}::uuid[], ${burnt}::text[]) AS b(id, secret)
      WHERE t.id = b.id AND t.order_id = ${transfer.orderId}::uuid AND t.status = 'VALID'
      RETURNING t.id
    ), recorded_hold AS (
      INSERT INTO hold (id, user_id, event_id, state, seat_ids, seat_prices, area_id, area_quantity, area_price,
                        total_minor, currency, expires_at, ended_at)
      SELECT ${newHoldId}::uuid, ${toUserId}::uuid, o.event_id, 'CONVERTED',
             ${standing ? [] : seatIds}::int[], ${standing ? [] : prices}::int[],
             ${standing?.areaId ?? null}::int, ${standing ? tickets.length : 0}::int,
             ${standing?.priceMinor ?? null}::int, ${total}::int, o.currency, now(), now()
      FROM "order" o WHERE o.id = ${transfer.orderId}::uuid
      RETURNING id, currency
    ), recorded_order AS (
      INSERT INTO "order" (id, user_id, event_id, hold_id, status, origin, payment_state, subtotal_minor,
                           fees_minor, total_minor, currency, idempotency_key, request_hash, updated_at)
      SELECT ${newOrderId}::uuid, ${toUserId}::uuid, ${transfer.eventId}::int, h.id, 'CONFIRMED', 'TRANSFER', 'NONE',
             0, 0, 0, h.currency, 'transfer:' || ${transfer.id}::text, 'transfer', now()
      FROM recorded_hold h
      RETURNING id
    )
    SELECT (SELECT count(*) FROM voided), (SELECT count(*) FROM recorded_order)`;
  // The seats move after the order exists (a seat's order_id is a foreign key checked per statement).
  await tx.$executeRaw`
    WITH moving AS (
      SELECT event_id, seat_id FROM event_seat
      WHERE event_id = ${transfer.eventId}::int AND seat_id = ANY(${soldSeatIds}::int[])
        AND order_id = ${transfer.orderId}::uuid AND status = 'SOLD'
      ORDER BY event_id, seat_id
      FOR UPDATE
    )
    UPDATE event_seat es SET order_id = ${newOrderId}::uuid, hold_id = ${newHoldId}::uuid, version = es.version + 1
    FROM moving m WHERE es.event_id = m.event_id AND es.seat_id = m.seat_id`;
  await tx.$executeRaw`
    WITH issued AS (
      INSERT INTO ticket (id, order_id, event_id, seat_id, area_id, price_minor, secret)
      SELECT t.id, ${newOrderId}::uuid, ${transfer.eventId}::int, t.seat_id, t.area_id, t.price, decode(t.secret, 'hex')
      FROM unnest(${newIds}::uuid[], ${seatIds}::int[], ${areaIds}::int[], ${prices}::int[], ${secrets}::text[])
           AS t(id, seat_id, area_id, price, secret)
    ), accepted AS (
      UPDATE ticket_transfer
      SET state = 'ACCEPTED', accepted_at = now(), to_user_id = ${toUserId}::uuid,
          new_order_id = ${newOrderId}::uuid, new_ticket_ids = ${newIds}::uuid[]
      WHERE id = ${transfer.id}::uuid AND state = 'PENDING'
      RETURNING id
    )
    INSERT INTO outbox_event (topic, payload)
    SELECT 'ticket.transferred', jsonb_build_object(
      'transferId', a.id, 'orderId', ${transfer.orderId}::uuid, 'eventId', ${transfer.eventId}::int,
      'fromUserId', ${transfer.fromUserId}::uuid, 'toUserId', ${toUserId}::uuid,
      'ticketIds', to_jsonb(${oldIds}::uuid[]), 'newOrderId', ${newOrderId}::uuid,
      'newTicketIds', to_jsonb(${newIds}::uuid[]))
    FROM accepted a`;
}
