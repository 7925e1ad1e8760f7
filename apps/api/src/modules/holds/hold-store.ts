import { Prisma } from "../../generated/prisma/client.js";
import type { SeatLocks } from "../../infra/seat-locks.js";
import type { SeatChangeNotifier } from "../seating/seat-changes.js";

// The SQL of the hold protocol (docs/holds.md), shared by the holds service and the sweeper.
//
// Lock discipline, which is what keeps these statements free of deadlocks:
// - a fan's advisory lock is taken first, before any row lock;
// - seat rows are locked in ascending (event_id, seat_id) order when a statement waits for them, or
//   with SKIP LOCKED (never waiting) otherwise;
// - another hold's row is only ever locked with SKIP LOCKED, except by its owner's releaseHold, which
//   then waits only for that hold's own seats.

export type Sql = Prisma.TransactionClient;

/** Free for a new hold: available, or held by a hold that has expired (swept or not). */
const SEAT_IS_FREE = Prisma.sql`(es.status = 'AVAILABLE' OR (es.status = 'HELD' AND es.held_until < now()))`;

/** A seat as a hold shows and charges it. */
export interface SeatOffer {
  seatId: number;
  row: string;
  number: number;
  sectionId: number;
  section: string;
  /** In minor units: the price a hold records is the price checkout charges. */
  price: number;
}

export interface EndedHold {
  id: string;
  eventId: number;
  seatIds: number[];
}

/** Holds that just ended (released or expired) and the seats that became available with them. */
export interface EndedHolds {
  holds: EndedHold[];
  freedSeats: { eventId: number; seatId: number }[];
}

export const NOTHING_ENDED: EndedHolds = { holds: [], freedSeats: [] };

export function seatOffers(sql: Sql, eventId: number, seatIds: readonly number[]): Promise<SeatOffer[]> {
  return sql.$queryRaw<SeatOffer[]>`
    SELECT es.seat_id AS "seatId", s.row_label AS "row", s.number, sec.id AS "sectionId",
           sec.name AS "section", pt.price_minor AS "price"
    FROM event_seat es
    JOIN seat s ON s.id = es.seat_id
    JOIN section sec ON sec.id = s.section_id
    JOIN price_tier pt ON pt.id = es.price_tier_id
    WHERE es.event_id = ${eventId} AND es.seat_id = ANY(${seatIds}::int[])`;
}

/**
 * Serialises one fan's hold requests for one event until the transaction ends, so that checking the
 * per-account limit and taking the hold it allows happen as one step.
 */
export async function lockFanForEvent(sql: Sql, userId: string, eventId: number): Promise<void> {
  await sql.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`hold-limit:${userId}:${eventId}`}, 0))`;
}

/** Seats the fan holds (active, unexpired holds) or has bought for the event. */
export async function ticketsUsed(sql: Sql, userId: string, eventId: number): Promise<number> {
  const [row] = await sql.$queryRaw<{ used: number }[]>`
    SELECT (
      (SELECT coalesce(sum(cardinality(h.seat_ids)), 0) FROM hold h
       WHERE h.user_id = ${userId}::uuid AND h.event_id = ${eventId} AND h.state = 'ACTIVE'
         AND h.expires_at > now())
      +
      (SELECT count(*) FROM event_seat es JOIN "order" o ON o.id = es.order_id
       WHERE es.event_id = ${eventId} AND es.status = 'SOLD' AND o.user_id = ${userId}::uuid)
    )::int AS used`;
  return row?.used ?? 0;
}

export interface NewHold {
  id: string;
  userId: string;
  eventId: number;
  currency: string;
  holdSeconds: number;
  seats: readonly SeatOffer[];
}

export async function insertHold(sql: Sql, hold: NewHold): Promise<Date> {
  const seatIds = hold.seats.map((seat) => seat.seatId);
  const prices = hold.seats.map((seat) => seat.price);
  const total = prices.reduce((sum, price) => sum + price, 0);
  const [row] = await sql.$queryRaw<{ expiresAt: Date }[]>`
    INSERT INTO hold (id, user_id, event_id, seat_ids, seat_prices, total_minor, currency, expires_at)
    VALUES (${hold.id}::uuid, ${hold.userId}::uuid, ${hold.eventId}, ${seatIds}::int[], ${prices}::int[],
            ${total}, ${hold.currency}, statement_timestamp() + make_interval(secs => ${hold.holdSeconds}))
    RETURNING expires_at AS "expiresAt"`;
  if (!row) throw new Error("inserting a hold returned no row");
  return row.expiresAt;
}

/**
 * The guard: gives the hold every seat that is free, in one statement, and says which it got and from
 * which expired hold. Rows are locked in seat order, so concurrent guards wait for each other instead
 * of deadlocking; a seat another transaction takes meanwhile fails the re-check and is not returned.
 */
export function claimSeats(
  sql: Sql,
  eventId: number,
  holdId: string,
  seatIds: readonly number[],
): Promise<{ seatId: number; previousHoldId: string | null }[]> {
  return sql.$queryRaw`
    WITH claimable AS (
      SELECT es.seat_id, es.hold_id AS previous_hold_id
      FROM event_seat es
      WHERE es.event_id = ${eventId} AND es.seat_id = ANY(${seatIds}::int[]) AND ${SEAT_IS_FREE}
      ORDER BY es.seat_id
      FOR UPDATE
    )
    UPDATE event_seat es
    SET status = 'HELD', hold_id = h.id, held_until = h.expires_at, version = es.version + 1
    FROM claimable c, hold h
    WHERE h.id = ${holdId}::uuid AND es.event_id = ${eventId} AND es.seat_id = c.seat_id
    RETURNING es.seat_id AS "seatId", c.previous_hold_id AS "previousHoldId"`;
}

/** Seats of the event a hold or a sale has right now (expired holds do not count). */
export async function takenSeatIds(sql: Sql, eventId: number): Promise<number[]> {
  const rows = await sql.$queryRaw<{ seatId: number }[]>`
    SELECT es.seat_id AS "seatId" FROM event_seat es
    WHERE es.event_id = ${eventId} AND (es.status = 'SOLD' OR (es.status = 'HELD' AND es.held_until >= now()))`;
  return rows.map((row) => row.seatId);
}

export interface SeatsToLock {
  eventId: number;
  /** Best first: seats are locked in this order. */
  seatIds: readonly number[];
  priceTierId: number | null;
  /** Lock at most this many. */
  limit: number;
}

/**
 * Locks up to `limit` of the seats that are still free, in the given order, skipping seats other
 * transactions have locked: callers asking at the same time each get different seats instead of
 * queueing on the same rows.
 */
export function lockFreeSeatsInOrder(sql: Sql, seats: SeatsToLock): Promise<SeatOffer[]> {
  const tierFilter =
    seats.priceTierId === null ? Prisma.empty : Prisma.sql`AND es.price_tier_id = ${seats.priceTierId}`;
  return sql.$queryRaw`
    SELECT es.seat_id AS "seatId", s.row_label AS "row", s.number, sec.id AS "sectionId",
           sec.name AS "section", pt.price_minor AS "price"
    FROM unnest(${seats.seatIds}::int[]) WITH ORDINALITY AS wanted(seat_id, rank)
    JOIN event_seat es ON es.event_id = ${seats.eventId} AND es.seat_id = wanted.seat_id
    JOIN seat s ON s.id = es.seat_id
    JOIN section sec ON sec.id = s.section_id
    JOIN price_tier pt ON pt.id = es.price_tier_id
    WHERE ${SEAT_IS_FREE} ${tierFilter}
    ORDER BY wanted.rank
    LIMIT ${seats.limit}
    FOR UPDATE OF es SKIP LOCKED`;
}

/**
 * Makes the seats of the given holds available again. `wait: false` skips seats another transaction
 * has locked (the sweeper and hold take-overs must never wait); `wait: true` locks them in seat order.
 */
async function freeSeatsOf(
  sql: Sql,
  holdIds: readonly string[],
  wait: boolean,
): Promise<EndedHolds["freedSeats"]> {
  const locking = wait ? Prisma.sql`FOR UPDATE` : Prisma.sql`FOR UPDATE SKIP LOCKED`;
  return sql.$queryRaw`
    WITH freeing AS (
      SELECT es.event_id, es.seat_id FROM event_seat es
      WHERE es.hold_id = ANY(${holdIds}::uuid[]) AND es.status = 'HELD'
      ORDER BY es.event_id, es.seat_id
      ${locking}
    )
    UPDATE event_seat es
    SET status = 'AVAILABLE', hold_id = NULL, held_until = NULL, version = es.version + 1
    FROM freeing f
    WHERE es.event_id = f.event_id AND es.seat_id = f.seat_id
    RETURNING es.event_id AS "eventId", es.seat_id AS "seatId"`;
}

/**
 * Ends expired holds: either the given ones (whose seats a new hold just took over) or the oldest
 * `batchSize` (the sweeper). Frees their remaining seats and marks a hold EXPIRED only once none of
 * its seats is still HELD, so an EXPIRED hold never owns a held seat; holds and seats that other
 * transactions have locked are left for a later sweep.
 */
export async function expireHolds(
  sql: Sql,
  scope: { holdIds: readonly string[] } | { batchSize: number },
): Promise<EndedHolds> {
  const [only, limit] =
    "holdIds" in scope
      ? [Prisma.sql`AND h.id = ANY(${scope.holdIds}::uuid[])`, Prisma.empty]
      : [Prisma.empty, Prisma.sql`LIMIT ${scope.batchSize}`];
  const locked = await sql.$queryRaw<{ id: string }[]>`
    SELECT h.id FROM hold h
    WHERE h.state = 'ACTIVE' AND h.expires_at < now() ${only}
    ORDER BY h.expires_at ${limit}
    FOR UPDATE SKIP LOCKED`;
  if (locked.length === 0) return NOTHING_ENDED;
  const holdIds = locked.map((hold) => hold.id);
  const freedSeats = await freeSeatsOf(sql, holdIds, false);
  const holds = await sql.$queryRaw<EndedHold[]>`
    UPDATE hold h SET state = 'EXPIRED', ended_at = now()
    WHERE h.id = ANY(${holdIds}::uuid[])
      AND NOT EXISTS (SELECT 1 FROM event_seat es WHERE es.hold_id = h.id AND es.status = 'HELD')
    RETURNING h.id, h.event_id AS "eventId", h.seat_ids AS "seatIds"`;
  return { holds, freedSeats };
}

/** Ends a live hold of this fan (RELEASED) and frees its seats; nothing when it has already ended. */
export async function releaseLiveHold(sql: Sql, holdId: string, userId: string): Promise<EndedHolds> {
  const holds = await sql.$queryRaw<EndedHold[]>`
    UPDATE hold h SET state = 'RELEASED', ended_at = now()
    WHERE h.id = ${holdId}::uuid AND h.user_id = ${userId}::uuid AND h.state = 'ACTIVE'
      AND h.expires_at > now()
    RETURNING h.id, h.event_id AS "eventId", h.seat_ids AS "seatIds"`;
  if (holds.length === 0) return NOTHING_ENDED;
  return { holds, freedSeats: await freeSeatsOf(sql, [holdId], true) };
}

export interface HoldEffects {
  notifier: SeatChangeNotifier;
  seatLocks: SeatLocks;
}

/** After the commit: tell the seat map which seats changed and drop the ended holds' Redis locks. */
export async function announceEnded(effects: HoldEffects, ended: EndedHolds): Promise<void> {
  const byEvent = new Map<number, number[]>();
  for (const { eventId, seatId } of ended.freedSeats) {
    const seats = byEvent.get(eventId) ?? [];
    seats.push(seatId);
    byEvent.set(eventId, seats);
  }
  for (const [eventId, seatIds] of byEvent) effects.notifier.seatsChanged(eventId, seatIds);
  await Promise.all(
    ended.holds.map((hold) => effects.seatLocks.release(hold.eventId, hold.id, hold.seatIds)),
  );
}
