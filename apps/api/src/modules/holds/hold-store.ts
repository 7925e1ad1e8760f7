import { Prisma } from "../../generated/prisma/client.js";
import type { Db } from "../../infra/prisma.js";
import { type PreparedStatement, queryPrepared, type SqlPool } from "../../infra/sql.js";
import type { Tx } from "../../kernel/transactions.js";
import type { SeatChangeNotifier } from "../seating/seat-changes.js";
import { returnAreaPlaces } from "./area-hold-store.js";
import { holdLimitLockKey } from "./lock-keys.js";
import type { SeatLocks } from "./seat-locks.js";

// The SQL of the hold protocol (docs/holds.md), shared by the holds service and the sweeper. The guard
// itself is the SQL function place_holds (its current body: docs/database.md).
//
// Lock discipline (the key spaces and their order: lock-keys.ts), which keeps these statements free of
// deadlocks:
// - fans' advisory locks are taken first, before any row lock (a batch takes several, in key order);
// - seat rows are locked in ascending (event_id, seat_id) order when a statement waits for them, or
//   with SKIP LOCKED (never waiting) otherwise;
// - another hold's row is only ever locked with SKIP LOCKED, except by its owner's releaseHold, which
//   then waits only for that hold's own seats.

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
  /** A standing hold's area and places (null and 0 for a hold of seats). */
  areaId: number | null;
  areaQuantity: number;
}

/** Holds that just ended (released or expired) and the seats and areas that got places back with them. */
export interface EndedHolds {
  holds: EndedHold[];
  freedSeats: { eventId: number; seatId: number }[];
  freedAreas: { eventId: number; areaId: number }[];
}

export const NOTHING_ENDED: EndedHolds = { holds: [], freedSeats: [], freedAreas: [] };

const ENDED_HOLD_COLUMNS = Prisma.sql`h.id, h.event_id AS "eventId", h.seat_ids AS "seatIds",
  h.area_id AS "areaId", h.area_quantity AS "areaQuantity"`;

/** Gives the places of the ended standing holds among `holds` back to their areas. */
function returnPlacesOf(tx: Tx, holds: readonly EndedHold[]) {
  return returnAreaPlaces(
    tx,
    holds.flatMap(({ eventId, areaId, areaQuantity }) =>
      areaId === null ? [] : [{ eventId, areaId, quantity: areaQuantity }],
    ),
  );
}

/**
 * An event as the hold path checks it before the guard (which reads the limit, currency and prices from
 * Postgres itself).
 */
export interface HoldableEvent {
  id: number;
  status: string;
  saleStartsAt: Date;
  /** When sales end (null: when the show starts). */
  saleEndsAt: Date | null;
  startsAt: Date;
  queueEnabled: boolean;
  holdSeconds: number;
  /** When unsold wheelchair and companion seats go on general sale (null: not before the show). */
  accessibleReleaseAt: Date | null;
}

const HOLDABLE_EVENT: PreparedStatement = {
  name: "holds.event",
  text: `
    SELECT e.id, e.status, e.sale_starts_at AS "saleStartsAt", e.sale_ends_at AS "saleEndsAt",
           e.starts_at AS "startsAt",
           e.queue_enabled AS "queueEnabled", e.hold_seconds AS "holdSeconds",
           e.accessible_release_at AS "accessibleReleaseAt"
    FROM event e WHERE e.id = $1`,
};

/** The event as the hold path checks it, or null when there is none. */
export async function holdableEvent(pool: SqlPool, eventId: number): Promise<HoldableEvent | null> {
  const [event] = await queryPrepared<HoldableEvent>(pool, HOLDABLE_EVENT, [eventId]);
  return event ?? null;
}

/**
 * Serialises one fan's hold requests for one event until the transaction ends, so that checking the
 * per-account limit and taking the hold it allows happen as one step. place_holds takes the same lock.
 */
export async function lockFanForEvent(tx: Tx, userId: string, eventId: number): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${holdLimitLockKey(userId, eventId)})`;
}

/** Seats the fan holds (active, unexpired holds) or has bought for the event, and the event's limit now. */
export async function fanAllowance(
  tx: Tx,
  userId: string,
  eventId: number,
): Promise<{ used: number; limit: number }> {
  const [row] = await tx.$queryRaw<{ used: number; limit: number }[]>`
    SELECT tickets_used(${userId}::uuid, e.id) AS used, e.max_tickets_per_account AS "limit"
    FROM event e WHERE e.id = ${eventId}`;
  if (!row) throw new Error(`Event ${eventId} is gone`);
  return row;
}

export interface NewHold {
  id: string;
  userId: string;
  eventId: number;
  /** In the fan's order. */
  seatIds: readonly number[];
  /** The caller checked the fan's admission from the waiting room (if the event has one, it must have). */
  admitted: boolean;
}

/** How place_holds answered one hold; unless "placed", it wrote nothing for it. */
export type PlaceHoldResult =
  | {
      outcome: "placed";
      expiresAt: Date;
      currency: string;
      seats: SeatOffer[];
      /** Expired holds whose seats the hold took over: the caller ends them. */
      takenOverHoldIds: string[];
    }
  | { outcome: "notFound" }
  | { outcome: "saleNotOpen"; status: string; saleStartsAt: Date }
  | { outcome: "notAdmitted" }
  | { outcome: "notForSale"; seatIds: number[] }
  | { outcome: "limitExceeded"; used: number; limit: number }
  | { outcome: "unavailable"; seatIds: number[] };

interface PlaceHoldRow {
  outcome: string;
  seatIds: number[] | null;
  used: number | null;
  maxTickets: number | null;
  eventStatus: string | null;
  saleStartsAt: Date | null;
  currency: string | null;
  expiresAt: Date | null;
  seatRows: string[] | null;
  seatNumbers: number[] | null;
  sectionIds: number[] | null;
  sectionNames: string[] | null;
  seatPrices: number[] | null;
  takenOverHoldIds: string[] | null;
}

// The whole guard for a batch of holds as one statement (migration 20261125120000_hold_batches): the
// event checks, the fans' advisory locks, the limit checks, the hold rows and the seat claims, each hold
// all or nothing.
const PLACE_HOLDS_SQL = `
  SELECT outcome, seat_ids AS "seatIds", used, max_tickets AS "maxTickets", event_status AS "eventStatus",
         sale_starts_at AS "saleStartsAt", currency, expires_at AS "expiresAt", seat_rows AS "seatRows",
         seat_numbers AS "seatNumbers", section_ids AS "sectionIds", section_names AS "sectionNames",
         seat_prices AS "seatPrices", taken_over_hold_ids AS "takenOverHoldIds"
  FROM place_holds($1::uuid[], $2::uuid[], $3::int[], $4::boolean[], $5::int[], $6::int[])`;

const PLACE_HOLDS: PreparedStatement = { name: "holds.place", text: PLACE_HOLDS_SQL };

function placeHoldsValues(holds: readonly NewHold[]): unknown[] {
  return [
    holds.map((hold) => hold.id),
    holds.map((hold) => hold.userId),
    holds.map((hold) => hold.eventId),
    holds.map((hold) => hold.admitted),
    holds.map((hold) => hold.seatIds.length),
    holds.flatMap((hold) => hold.seatIds),
  ];
}

function placeHoldResult(row: PlaceHoldRow, hold: NewHold): PlaceHoldResult {
  switch (row.outcome) {
    case "placed": {
      const { expiresAt, currency, seatRows, seatNumbers, sectionIds, sectionNames, seatPrices } = row;
      if (
        !expiresAt ||
        !currency ||
        !seatRows ||
        !seatNumbers ||
        !sectionIds ||
        !sectionNames ||
        !seatPrices
      ) {
        throw new Error("place_holds placed a hold without its details");
      }
      const seats = hold.seatIds.map((seatId, index) => ({
        seatId,
        row: seatRows[index] as string,
        number: seatNumbers[index] as number,
        sectionId: sectionIds[index] as number,
        section: sectionNames[index] as string,
        price: seatPrices[index] as number,
      }));
      return { outcome: "placed", expiresAt, currency, seats, takenOverHoldIds: row.takenOverHoldIds ?? [] };
    }
    case "not_found":
      return { outcome: "notFound" };
    case "sale_not_open":
      return {
        outcome: "saleNotOpen",
        status: row.eventStatus ?? "",
        saleStartsAt: row.saleStartsAt ?? new Date(0),
      };
    case "not_admitted":
      return { outcome: "notAdmitted" };
    case "not_for_sale":
      return { outcome: "notForSale", seatIds: row.seatIds ?? [] };
    case "limit_exceeded":
      return { outcome: "limitExceeded", used: row.used ?? 0, limit: row.maxTickets ?? 0 };
    case "unavailable":
      return { outcome: "unavailable", seatIds: row.seatIds ?? [] };
    default:
      throw new Error(`place_holds answered an unknown outcome: ${row.outcome}`);
  }
}

/** Places a batch of holds in one transaction of its own: one round trip, one commit. */
export async function placeHolds(pool: SqlPool, holds: readonly NewHold[]): Promise<PlaceHoldResult[]> {
  const rows = await queryPrepared<PlaceHoldRow>(pool, PLACE_HOLDS, placeHoldsValues(holds));
  return rows.map((row, index) => placeHoldResult(row, holds[index] as NewHold));
}

/**
 * Places one hold inside a transaction that holds the fan's advisory lock and has locked the free seats
 * it gives (the locks stack on place_holds' own).
 */
export async function placeHoldInTransaction(tx: Tx, hold: NewHold): Promise<PlaceHoldResult> {
  const [row] = await tx.$queryRawUnsafe<PlaceHoldRow[]>(PLACE_HOLDS_SQL, ...placeHoldsValues([hold]));
  if (!row) throw new Error("place_holds returned no row");
  return placeHoldResult(row, hold);
}

/**
 * Makes a hold just placed in this transaction last `seconds` from now (a waitlist offer's time instead
 * of the event's hold time), its seats with it; the new end.
 */
export async function setHoldExpiry(tx: Tx, holdId: string, seconds: number): Promise<Date> {
  const [hold] = await tx.$queryRaw<{ expiresAt: Date }[]>`
    WITH extended AS (
      UPDATE hold SET expires_at = statement_timestamp() + make_interval(secs => ${seconds}::float8)
      WHERE id = ${holdId}::uuid AND state = 'ACTIVE'
      RETURNING id, expires_at
    ), seats AS (
      UPDATE event_seat es SET held_until = extended.expires_at
      FROM extended WHERE es.hold_id = extended.id AND es.status = 'HELD'
    )
    SELECT expires_at AS "expiresAt" FROM extended`;
  if (!hold) throw new Error(`hold ${holdId} is not active`);
  return hold.expiresAt;
}

/** Seats of the event a hold or a sale has right now (expired holds do not count). */
export async function takenSeatIds(tx: Tx, eventId: number): Promise<number[]> {
  // One array, not a row per seat: a sold-out stadium's 52,800 ids came back in 48–102 ms as rows and in
  // 28–34 ms as one array (Prisma builds an object per row), while the fan's lock is held.
  const [row] = await tx.$queryRaw<{ seatIds: number[] }[]>`
    SELECT coalesce(array_agg(es.seat_id), '{}') AS "seatIds" FROM event_seat es
    WHERE es.event_id = ${eventId} AND (es.status = 'SOLD' OR (es.status = 'HELD' AND es.held_until >= now()))`;
  return row?.seatIds ?? [];
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
export function lockFreeSeatsInOrder(tx: Tx, seats: SeatsToLock): Promise<SeatOffer[]> {
  const tierFilter =
    seats.priceTierId === null ? Prisma.empty : Prisma.sql`AND es.price_tier_id = ${seats.priceTierId}`;
  return tx.$queryRaw`
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
  tx: Tx,
  holdIds: readonly string[],
  wait: boolean,
): Promise<EndedHolds["freedSeats"]> {
  const locking = wait ? Prisma.sql`FOR UPDATE` : Prisma.sql`FOR UPDATE SKIP LOCKED`;
  return tx.$queryRaw`
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
  tx: Tx,
  scope: { holdIds: readonly string[] } | { batchSize: number },
): Promise<EndedHolds> {
  const [only, limit] =
    "holdIds" in scope
      ? [Prisma.sql`AND h.id = ANY(${scope.holdIds}::uuid[])`, Prisma.empty]
      : [Prisma.empty, Prisma.sql`LIMIT ${scope.batchSize}`];
  const locked = await tx.$queryRaw<{ id: string }[]>`
    SELECT h.id FROM hold h
    WHERE h.state = 'ACTIVE' AND h.ended_at IS NULL AND h.expires_at < now() ${only}
    ORDER BY h.expires_at ${limit}
    FOR UPDATE SKIP LOCKED`;
  if (locked.length === 0) return NOTHING_ENDED;
  const holdIds = locked.map((hold) => hold.id);
  const freedSeats = await freeSeatsOf(tx, holdIds, false);
  const holds = await tx.$queryRaw<EndedHold[]>`
    UPDATE hold h SET state = 'EXPIRED', ended_at = now()
    WHERE h.id = ANY(${holdIds}::uuid[])
      AND NOT EXISTS (SELECT 1 FROM event_seat es WHERE es.hold_id = h.id AND es.status = 'HELD')
    RETURNING ${ENDED_HOLD_COLUMNS}`;
  return { holds, freedSeats, freedAreas: await returnPlacesOf(tx, holds) };
}

/**
 * Ends a live hold of this fan (RELEASED) and frees its seats; nothing when it has already ended. Never an
 * organizer's kill or house hold: those end through the events module, audited.
 */
export async function releaseLiveHold(tx: Tx, holdId: string, userId: string): Promise<EndedHolds> {
  const holds = await tx.$queryRaw<EndedHold[]>`
    UPDATE hold h SET state = 'RELEASED', ended_at = now()
    WHERE h.id = ${holdId}::uuid AND h.user_id = ${userId}::uuid AND h.state = 'ACTIVE'
      AND h.expires_at > now() AND h.kind = 'FAN'
    RETURNING ${ENDED_HOLD_COLUMNS}`;
  if (holds.length === 0) return NOTHING_ENDED;
  return {
    holds,
    freedSeats: await freeSeatsOf(tx, [holdId], true),
    freedAreas: await returnPlacesOf(tx, holds),
  };
}

/** Sets when the event's unsold accessible places go on general sale; the value it had before. */
export async function setAccessibleRelease(
  tx: Tx,
  eventId: number,
  releaseAt: Date | null,
): Promise<Date | null> {
  const [row] = await tx.$queryRaw<{ before: Date | null }[]>`
    UPDATE event e SET accessible_release_at = ${releaseAt}
    FROM (SELECT id, accessible_release_at FROM event WHERE id = ${eventId} FOR UPDATE) old
    WHERE e.id = old.id
    RETURNING old.accessible_release_at AS before`;
  return row?.before ?? null;
}

/** Whether the price tier belongs to the event. */
export async function isTierOfEvent(db: Db, priceTierId: number, eventId: number): Promise<boolean> {
  return (await db.priceTier.count({ where: { id: priceTierId, eventId } })) > 0;
}

/** The account that placed the fan's hold (null when there is no such hold, or it is an organizer's). */
export async function holdOwner(db: Db, holdId: string): Promise<string | null> {
  const hold = await db.hold.findFirst({ where: { id: holdId, kind: "FAN" }, select: { userId: true } });
  return hold?.userId ?? null;
}

/** One row per seat of the fan's live holds (active and unexpired; not an organizer's), soonest to expire first. */
export type LiveHoldSeat = SeatOffer & { id: string; eventId: number; expiresAt: Date; currency: string };

export function liveHoldSeats(db: Db, userId: string): Promise<LiveHoldSeat[]> {
  return db.$queryRaw<LiveHoldSeat[]>`
    SELECT h.id, h.event_id AS "eventId", h.expires_at AS "expiresAt", h.currency,
           p.seat_id AS "seatId", p.price, s.row_label AS "row", s.number, sec.id AS "sectionId",
           sec.name AS "section"
    FROM hold h
    CROSS JOIN LATERAL unnest(h.seat_ids, h.seat_prices) WITH ORDINALITY AS p(seat_id, price, position)
    JOIN seat s ON s.id = p.seat_id
    JOIN section sec ON sec.id = s.section_id
    WHERE h.user_id = ${userId}::uuid AND h.state = 'ACTIVE' AND h.expires_at > now() AND h.kind = 'FAN'
    ORDER BY h.expires_at, h.id, p.position`;
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
  for (const { eventId, areaId } of ended.freedAreas) effects.notifier.areasChanged(eventId, [areaId]);
  await Promise.all(
    ended.holds
      .filter((hold) => hold.seatIds.length > 0)
      .map((hold) => effects.seatLocks.release(hold.eventId, hold.id, hold.seatIds)),
  );
}
