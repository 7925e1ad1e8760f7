import type { WaitlistState } from "../../generated/prisma/enums.js";
import type { Db } from "../../infra/prisma.js";
import type { DbOrTx, Tx } from "../../kernel/transactions.js";

// Every SQL statement of the waitlist module (docs/waitlist.md). Places are kept by `seq` (first come,
// first served); an entry moves WAITING → OFFERED → CLAIMED | LAPSED, or to LEFT, only through
// conditional UPDATEs, so the offer job and a fan leaving can never both move it.

/** A seat that a new hold may take: available, or held by a hold that has expired. */
const FREE_SEAT = `(es.status = 'AVAILABLE' OR (es.status = 'HELD' AND es.held_until < now()))`;

/** The event as joining its waitlist checks it. */
export interface WaitlistEvent {
  id: number;
  status: string;
  saleStartsAt: Date;
  startsAt: Date;
  waitlistEnabled: boolean;
  waitlistOfferSeconds: number;
  maxTicketsPerAccount: number;
}

export async function waitlistEvent(db: DbOrTx, eventId: number): Promise<WaitlistEvent | null> {
  const [event] = await db.$queryRaw<WaitlistEvent[]>`
    SELECT e.id, e.status::text AS status, e.sale_starts_at AS "saleStartsAt", e.starts_at AS "startsAt",
           e.waitlist_enabled AS "waitlistEnabled", e.waitlist_offer_seconds AS "waitlistOfferSeconds",
           e.max_tickets_per_account AS "maxTicketsPerAccount"
    FROM event e WHERE e.id = ${eventId}`;
  return event ?? null;
}

/** Whether the event has a seat a hold could take now (of the tier, when given). */
export async function hasFreeSeat(db: DbOrTx, eventId: number, priceTierId: number | null): Promise<boolean> {
  const [row] = await db.$queryRawUnsafe<{ free: boolean }[]>(
    `SELECT EXISTS (SELECT 1 FROM event_seat es
                    WHERE es.event_id = $1::int AND ($2::int IS NULL OR es.price_tier_id = $2::int)
                      AND ${FREE_SEAT}) AS free`,
    eventId,
    priceTierId,
  );
  return row?.free === true;
}

/**
 * The places left in a standing area of the event (places of holds past their end count until the
 * sweeper returns them); null when the area is not one of the event's.
 */
export async function areaPlacesLeft(db: DbOrTx, eventId: number, areaId: number): Promise<number | null> {
  const [row] = await db.$queryRaw<{ available: number }[]>`
    SELECT available FROM event_area WHERE event_id = ${eventId}::int AND section_id = ${areaId}::int`;
  return row ? row.available : null;
}

/** Places left in the event's standing areas (only areas that have some). */
export async function freePlacesByArea(db: DbOrTx, eventId: number): Promise<Map<number, number>> {
  const rows = await db.$queryRaw<{ areaId: number; free: number }[]>`
    SELECT section_id AS "areaId", available AS free FROM event_area
    WHERE event_id = ${eventId}::int AND available > 0`;
  return new Map(rows.map((row) => [row.areaId, row.free]));
}

/** Free seats of the event by price tier (only tiers that have some). */
export async function freeSeatsByTier(db: DbOrTx, eventId: number): Promise<Map<number, number>> {
  const rows = await db.$queryRawUnsafe<{ tierId: number; free: number }[]>(
    `SELECT es.price_tier_id AS "tierId", count(*)::int AS free FROM event_seat es
     WHERE es.event_id = $1::int AND ${FREE_SEAT}
     GROUP BY es.price_tier_id`,
    eventId,
  );
  return new Map(rows.map((row) => [row.tierId, row.free]));
}

export interface NewEntry {
  id: string;
  eventId: number;
  userId: string;
  quantity: number;
  priceTierId: number | null;
  areaId: number | null;
}

/** Adds the fan at the back of the line; false when they already have a live place on it. */
export async function insertEntry(tx: Tx, entry: NewEntry): Promise<boolean> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO waitlist_entry (id, event_id, user_id, quantity, price_tier_id, area_id)
    VALUES (${entry.id}::uuid, ${entry.eventId}::int, ${entry.userId}::uuid, ${entry.quantity}::int,
            ${entry.priceTierId}::int, ${entry.areaId}::int)
    ON CONFLICT (event_id, user_id) WHERE state IN ('WAITING', 'OFFERED') DO NOTHING
    RETURNING id`;
  return rows.length === 1;
}

/** Ends the fan's live place (LEFT); the hold of an offer it had, if any. Null when there was none. */
export async function leaveEntry(
  tx: Tx,
  eventId: number,
  userId: string,
): Promise<{ holdId: string | null } | null> {
  const [row] = await tx.$queryRaw<{ holdId: string | null }[]>`
    UPDATE waitlist_entry SET state = 'LEFT', ended_at = now()
    WHERE event_id = ${eventId}::int AND user_id = ${userId}::uuid AND state IN ('WAITING', 'OFFERED')
    RETURNING hold_id AS "holdId"`;
  return row ?? null;
}

/** An entry as fans and the offer job see it; `position` only while WAITING (1 = next in line). */
export interface EntryRow {
  id: string;
  eventId: number;
  userId: string;
  quantity: number;
  priceTierId: number | null;
  /** A standing area's places asked for (then priceTierId is null). */
  areaId: number | null;
  state: WaitlistState;
  position: number | null;
  holdId: string | null;
  offerExpiresAt: Date | null;
  createdAt: Date;
  offeredAt: Date | null;
  endedAt: Date | null;
}

/** An entry's columns, all but its position. */
const ENTRY_FIELDS = `w.id, w.event_id AS "eventId", w.user_id AS "userId", w.quantity,
  w.price_tier_id AS "priceTierId", w.area_id AS "areaId", w.state, w.hold_id AS "holdId",
  w.offer_expires_at AS "offerExpiresAt", w.created_at AS "createdAt", w.offered_at AS "offeredAt",
  w.ended_at AS "endedAt"`;

const ENTRY_COLUMNS = `${ENTRY_FIELDS},
  CASE WHEN w.state = 'WAITING' THEN
    (SELECT count(*)::int + 1 FROM waitlist_entry a
     WHERE a.event_id = w.event_id AND a.state = 'WAITING' AND a.seq < w.seq)
  END AS position`;

/** How long an ended place stays in the fan's list. */
const ENDED_SHOWN_FOR = `interval '7 days'`;

/** The fan's places: live ones and those ended in the last week, newest first. */
export function entriesOfFan(db: DbOrTx, userId: string): Promise<EntryRow[]> {
  return db.$queryRawUnsafe<EntryRow[]>(
    `SELECT ${ENTRY_COLUMNS} FROM waitlist_entry w
     WHERE w.user_id = $1::uuid AND (w.ended_at IS NULL OR w.ended_at > now() - ${ENDED_SHOWN_FOR})
     ORDER BY w.created_at DESC, w.id`,
    userId,
  );
}

export async function entryById(db: DbOrTx, id: string): Promise<EntryRow | null> {
  const [row] = await db.$queryRawUnsafe<EntryRow[]>(
    `SELECT ${ENTRY_COLUMNS} FROM waitlist_entry w WHERE w.id = $1::uuid`,
    id,
  );
  return row ?? null;
}

/** The first `limit` fans still waiting for the event, in line order. */
export function waitingEntries(db: DbOrTx, eventId: number, limit: number): Promise<EntryRow[]> {
  return db.$queryRawUnsafe<EntryRow[]>(
    // In line order, so no position is counted (the job needs none).
    `SELECT ${ENTRY_FIELDS}, NULL::int AS position
     FROM waitlist_entry w WHERE w.event_id = $1::int AND w.state = 'WAITING'
     ORDER BY w.seq LIMIT $2::int`,
    eventId,
    limit,
  );
}

/**
 * Settles the event's offers that are over: CLAIMED when their hold was checked out, LAPSED when it
 * ended otherwise (expired, released) or the offer's time is up. Their seats need nothing: a hold past
 * its end is free for the next hold (holds/hold-store.ts), and the sweeper ends it.
 */
export function settleOffers(
  db: Db,
  eventId: number,
): Promise<{ id: string; userId: string; state: WaitlistState }[]> {
  return db.$queryRaw`
    UPDATE waitlist_entry w
    SET state = CASE WHEN h.state = 'CONVERTED' THEN 'CLAIMED'::"WaitlistState" ELSE 'LAPSED'::"WaitlistState" END,
        ended_at = now()
    FROM hold h
    WHERE w.event_id = ${eventId}::int AND w.state = 'OFFERED' AND h.id = w.hold_id
      AND (h.state <> 'ACTIVE' OR w.offer_expires_at <= now())
    RETURNING w.id, w.user_id AS "userId", w.state`;
}

/** Ends a waiting place that can never be served as asked (over the per-account limit). */
export async function lapseWaiting(db: Db, entryId: string): Promise<void> {
  await db.$executeRaw`
    UPDATE waitlist_entry SET state = 'LAPSED', ended_at = now()
    WHERE id = ${entryId}::uuid AND state = 'WAITING'`;
}

/**
 * Turns a waiting place into an offer of the hold placed for it, and announces it (outbox:
 * `waitlist.offered`), inside the hold's transaction. False when the fan left meanwhile (the caller
 * rolls the hold back).
 */
export async function recordOffer(
  tx: Tx,
  offer: { entryId: string; holdId: string; expiresAt: Date },
): Promise<boolean> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    WITH offered AS (
      UPDATE waitlist_entry
      SET state = 'OFFERED', hold_id = ${offer.holdId}::uuid, offer_expires_at = ${offer.expiresAt},
          offered_at = now()
      WHERE id = ${offer.entryId}::uuid AND state = 'WAITING'
      RETURNING id, user_id, event_id, quantity, offer_expires_at
    ), announced AS (
      INSERT INTO outbox_event (topic, payload)
      SELECT 'waitlist.offered', jsonb_build_object(
        'offerId', o.id, 'userId', o.user_id, 'eventId', o.event_id, 'holdId', ${offer.holdId}::uuid,
        'quantity', o.quantity, 'expiresAt', o.offer_expires_at)
      FROM offered o
    )
    SELECT id FROM offered`;
  return rows.length === 1;
}

/**
 * Events whose waitlist has work: an offer to settle (its time is up or its hold ended), fans waiting for
 * seats while a seat is free, or fans waiting for a standing area's places while it has some. Free seats
 * are found through the (event_id, status, held_until) index, one probe per event with waiting fans.
 */
export async function eventsWithWaitlistWork(db: Db): Promise<number[]> {
  const rows = await db.$queryRawUnsafe<{ eventId: number }[]>(
    `WITH waiting AS (SELECT DISTINCT event_id FROM waitlist_entry WHERE state = 'WAITING' AND area_id IS NULL)
     SELECT w.event_id AS "eventId" FROM waiting w
     WHERE (SELECT 1 FROM event_seat es WHERE es.event_id = w.event_id AND es.status = 'AVAILABLE' LIMIT 1) IS NOT NULL
        OR (SELECT 1 FROM event_seat es WHERE es.event_id = w.event_id AND es.status = 'HELD'
              AND es.held_until < now() ORDER BY es.held_until LIMIT 1) IS NOT NULL
     UNION
     SELECT w.event_id FROM waitlist_entry w
     JOIN event_area a ON a.event_id = w.event_id AND a.section_id = w.area_id
     WHERE w.state = 'WAITING' AND a.available > 0
     UNION
     SELECT w.event_id FROM waitlist_entry w JOIN hold h ON h.id = w.hold_id
     WHERE w.state = 'OFFERED' AND (w.offer_expires_at <= now() OR h.state <> 'ACTIVE')`,
  );
  return rows.map((row) => row.eventId);
}

/** The organizer's figures: places by state, and the seats the waiting fans ask for. */
export interface WaitlistCounts {
  waiting: number;
  waitingSeats: number;
  offered: number;
  claimed: number;
  lapsed: number;
  left: number;
}

export async function waitlistCounts(db: DbOrTx, eventId: number): Promise<WaitlistCounts> {
  const [row] = await db.$queryRaw<WaitlistCounts[]>`
    SELECT count(*) FILTER (WHERE state = 'WAITING')::int AS waiting,
           coalesce(sum(quantity) FILTER (WHERE state = 'WAITING'), 0)::int AS "waitingSeats",
           count(*) FILTER (WHERE state = 'OFFERED')::int AS offered,
           count(*) FILTER (WHERE state = 'CLAIMED')::int AS claimed,
           count(*) FILTER (WHERE state = 'LAPSED')::int AS lapsed,
           count(*) FILTER (WHERE state = 'LEFT')::int AS "left"
    FROM waitlist_entry WHERE event_id = ${eventId}::int`;
  return row ?? { waiting: 0, waitingSeats: 0, offered: 0, claimed: 0, lapsed: 0, left: 0 };
}
