import type { Db } from "../../infra/prisma.js";
import { type PreparedStatement, queryPrepared, type SqlPool } from "../../infra/sql.js";
import type { Tx } from "../../kernel/transactions.js";

// The SQL of general-admission holds (docs/standing.md): places in a standing area instead of seats. The
// guard is the SQL function place_area_holds (migration 20261207140000_standing_areas), which takes a
// batch of holds through the area's one inventory row (event_area) with one lock and one write.
//
// Lock discipline (with hold-store.ts): fans' advisory locks, then event_area rows in (event_id,
// section_id) order. A statement that ends a hold locks the hold row first and the area row after it;
// place_area_holds locks the area row first and takes hold rows only with SKIP LOCKED.

export interface NewAreaHold {
  id: string;
  userId: string;
  eventId: number;
  /** The standing section. */
  areaId: number;
  quantity: number;
  /** The caller checked the fan's admission from the waiting room (if the event has one, it must have). */
  admitted: boolean;
}

/** A hold's places in a standing area, as the hold shows and charges them. */
export interface AreaPlaces {
  areaId: number;
  area: string;
  quantity: number;
  /** Per place, in minor units. */
  price: number;
}

/** How place_area_holds answered one hold; unless "placed", it wrote nothing for it. */
export type PlaceAreaHoldResult =
  | { outcome: "placed"; expiresAt: Date; currency: string; places: AreaPlaces; available: number }
  | { outcome: "notFound" }
  | { outcome: "saleNotOpen"; status: string; saleStartsAt: Date }
  | { outcome: "notAdmitted" }
  | { outcome: "notForSale" }
  | { outcome: "limitExceeded"; used: number; limit: number }
  | { outcome: "unavailable"; available: number };

interface PlaceAreaHoldRow {
  outcome: string;
  used: number | null;
  maxTickets: number | null;
  eventStatus: string | null;
  saleStartsAt: Date | null;
  currency: string | null;
  expiresAt: Date | null;
  areaName: string | null;
  price: number | null;
  available: number | null;
}

const PLACE_AREA_HOLDS: PreparedStatement = {
  name: "holds.place-area",
  text: `
    SELECT outcome, used, max_tickets AS "maxTickets", event_status AS "eventStatus",
           sale_starts_at AS "saleStartsAt", currency, expires_at AS "expiresAt", area_name AS "areaName",
           price, available
    FROM place_area_holds($1::uuid[], $2::uuid[], $3::int[], $4::boolean[], $5::int[], $6::int[])`,
};

function placeAreaHoldResult(row: PlaceAreaHoldRow, hold: NewAreaHold): PlaceAreaHoldResult {
  switch (row.outcome) {
    case "placed": {
      const { expiresAt, currency, areaName, price, available } = row;
      if (!expiresAt || !currency || areaName === null || price === null || available === null) {
        throw new Error("place_area_holds placed a hold without its details");
      }
      const places = { areaId: hold.areaId, area: areaName, quantity: hold.quantity, price };
      return { outcome: "placed", expiresAt, currency, places, available };
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
      return { outcome: "notForSale" };
    case "limit_exceeded":
      return { outcome: "limitExceeded", used: row.used ?? 0, limit: row.maxTickets ?? 0 };
    case "unavailable":
      return { outcome: "unavailable", available: row.available ?? 0 };
    default:
      throw new Error(`place_area_holds answered an unknown outcome: ${row.outcome}`);
  }
}

function placeAreaHoldsParameters(holds: readonly NewAreaHold[]): unknown[] {
  return [
    holds.map((hold) => hold.id),
    holds.map((hold) => hold.userId),
    holds.map((hold) => hold.eventId),
    holds.map((hold) => hold.admitted),
    holds.map((hold) => hold.areaId),
    holds.map((hold) => hold.quantity),
  ];
}

/** Places a batch of general-admission holds in one transaction of its own: one round trip, one commit. */
export async function placeAreaHolds(
  pool: SqlPool,
  holds: readonly NewAreaHold[],
): Promise<PlaceAreaHoldResult[]> {
  const rows = await queryPrepared<PlaceAreaHoldRow>(pool, PLACE_AREA_HOLDS, placeAreaHoldsParameters(holds));
  return rows.map((row, index) => placeAreaHoldResult(row, holds[index] as NewAreaHold));
}

/**
 * Places one general-admission hold inside the caller's transaction (a waitlist offer, recorded with it):
 * the same guard as the batches, off the hot path.
 */
export async function placeAreaHoldIn(tx: Tx, hold: NewAreaHold): Promise<PlaceAreaHoldResult> {
  const [row] = await tx.$queryRawUnsafe<PlaceAreaHoldRow[]>(
    PLACE_AREA_HOLDS.text,
    ...placeAreaHoldsParameters([hold]),
  );
  if (!row) throw new Error("place_area_holds answered nothing");
  return placeAreaHoldResult(row, hold);
}

/** A standing hold that just ended, whose places go back to its area. */
export interface EndedAreaHold {
  eventId: number;
  areaId: number;
  quantity: number;
}

/**
 * Gives the places of ended standing holds back to their areas, locking the area rows in key order (the
 * caller holds the hold rows' locks, which come first). Returns the areas that changed.
 */
export async function returnAreaPlaces(
  tx: Tx,
  ended: readonly EndedAreaHold[],
): Promise<{ eventId: number; areaId: number }[]> {
  if (ended.length === 0) return [];
  return tx.$queryRaw<{ eventId: number; areaId: number }[]>`
    WITH back AS (
      SELECT e.event_id, e.area_id, sum(e.quantity)::int AS quantity
      FROM unnest(${ended.map((hold) => hold.eventId)}::int[], ${ended.map((hold) => hold.areaId)}::int[],
                  ${ended.map((hold) => hold.quantity)}::int[]) AS e(event_id, area_id, quantity)
      GROUP BY e.event_id, e.area_id
    ), locked AS (
      SELECT a.event_id, a.section_id FROM event_area a
      JOIN back b ON b.event_id = a.event_id AND b.area_id = a.section_id
      ORDER BY a.event_id, a.section_id
      FOR UPDATE OF a
    )
    UPDATE event_area a SET available = a.available + b.quantity
    FROM back b, locked l
    WHERE a.event_id = b.event_id AND a.section_id = b.area_id
      AND l.event_id = a.event_id AND l.section_id = a.section_id
    RETURNING a.event_id AS "eventId", a.section_id AS "areaId"`;
}

/** The places of the fan's live standing holds, soonest to expire first. */
export type LiveAreaHold = AreaPlaces & { id: string; eventId: number; expiresAt: Date; currency: string };

export function liveAreaHolds(db: Db, userId: string): Promise<LiveAreaHold[]> {
  return db.$queryRaw<LiveAreaHold[]>`
    SELECT h.id, h.event_id AS "eventId", h.expires_at AS "expiresAt", h.currency, h.area_id AS "areaId",
           sec.name AS "area", h.area_quantity AS "quantity", h.area_price AS "price"
    FROM hold h JOIN section sec ON sec.id = h.area_id
    WHERE h.user_id = ${userId}::uuid AND h.state = 'ACTIVE' AND h.expires_at > now()
      AND h.area_id IS NOT NULL AND h.kind = 'FAN'
    ORDER BY h.expires_at, h.id`;
}
