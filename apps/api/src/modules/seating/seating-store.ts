import type { Db } from "../../infra/prisma.js";
import { type AreaAvailable, type ChangedSeatStatus, ORGANIZER_HOLD_UNTIL } from "./seat-changes.js";

// Every SQL statement of the seating module: the venue layout, an event's pricing and seat statuses,
// and the versioned seat changes behind live deltas.

/** A published (not draft) event's seating chart and which tier each section sells at; null when there is none. */
export function eventPricing(db: Db, eventId: number) {
  return db.event.findFirst({
    where: { id: eventId, status: { not: "DRAFT" } },
    select: { chartId: true, pricings: { select: { sectionId: true, priceTierId: true } } },
  });
}

/** The seating chart with its venue (the stage), sections and seats, in display order. */
export function chartLayout(db: Db, chartId: number) {
  return db.seatingChart.findUniqueOrThrow({
    where: { id: chartId },
    include: {
      venue: true,
      sections: {
        orderBy: { sortOrder: "asc" },
        include: {
          seats: {
            orderBy: [{ rowRank: "asc" }, { number: "asc" }],
            select: {
              id: true,
              rowLabel: true,
              number: true,
              x: true,
              y: true,
              accessible: true,
              wheelchair: true,
              companion: true,
            },
          },
        },
      },
    },
  });
}

export interface StatusRow {
  version: bigint;
  seat_ids: number[] | null;
  codes: string | null;
  /** The event's standing areas on sale, in section order. */
  areas: { id: number; name: string; capacity: number; available: number }[];
}

/**
 * The event's seat map version with every seat's status code (S, H, A) in seat id order, in one
 * statement, so the version and the statuses come from the same database snapshot.
 */
export async function seatStatuses(db: Db, eventId: number): Promise<StatusRow | null> {
  const [row] = await db.$queryRaw<StatusRow[]>`
    SELECT e.seat_map_version AS version,
           array_agg(es.seat_id ORDER BY es.seat_id) AS seat_ids,
           string_agg(CASE
                        WHEN es.status = 'SOLD' THEN 'S'
                        WHEN es.status = 'HELD' AND es.held_until >= ${ORGANIZER_HOLD_UNTIL} THEN 'X'
                        WHEN es.status = 'HELD' AND es.held_until > now() THEN 'H'
                        ELSE 'A'
                      END, '' ORDER BY es.seat_id) AS codes,
           (SELECT coalesce(json_agg(json_build_object('id', a.section_id, 'name', sec.name,
                                                       'capacity', a.capacity, 'available', a.available)
                                     ORDER BY sec.sort_order), '[]'::json)
            FROM event_area a JOIN section sec ON sec.id = a.section_id
            WHERE a.event_id = e.id) AS areas
    FROM event e
    LEFT JOIN event_seat es ON es.event_id = e.id
    WHERE e.id = ${eventId}
    GROUP BY e.id, e.seat_map_version`;
  return row ?? null;
}

/**
 * Takes the event's next seat map version and reads the changed seats' statuses in one transaction.
 * The row lock orders deltas across instances, and the statuses are read by a statement that starts
 * after the lock was granted, so a later version never carries older statuses than an earlier one.
 */
export async function bumpVersionWithChanges(
  db: Db,
  eventId: number,
  seatIds: number[],
  areaIds: number[] = [],
): Promise<{
  version: number;
  changes: { seatId: number; status: ChangedSeatStatus }[];
  areas: AreaAvailable[];
} | null> {
  const [bumped, changes, areas] = await db.$transaction([
    db.$queryRaw<{ version: bigint }[]>`
      UPDATE event SET seat_map_version = seat_map_version + 1
      WHERE id = ${eventId}
      RETURNING seat_map_version AS version`,
    db.$queryRaw<{ seatId: number; status: ChangedSeatStatus }[]>`
      SELECT seat_id AS "seatId",
             CASE
               WHEN status = 'SOLD' THEN 'SOLD'
               WHEN status = 'HELD' AND held_until >= ${ORGANIZER_HOLD_UNTIL} THEN 'NOT_FOR_SALE'
               WHEN status = 'HELD' AND held_until > now() THEN 'HELD'
               ELSE 'AVAILABLE'
             END AS status
      FROM event_seat
      WHERE event_id = ${eventId} AND seat_id = ANY(${seatIds}::int[])
      ORDER BY seat_id`,
    db.$queryRaw<AreaAvailable[]>`
      SELECT section_id AS "areaId", available FROM event_area
      WHERE event_id = ${eventId} AND section_id = ANY(${areaIds}::int[])
      ORDER BY section_id`,
  ]);
  const [row] = bumped;
  return row ? { version: Number(row.version), changes, areas } : null;
}
