import type { SectionKind } from "../../generated/prisma/enums.js";
import type { Db } from "../../infra/prisma.js";
import { type PreparedStatement, queryPrepared, type SqlPool } from "../../infra/sql.js";
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

/** A seating chart's stage and sections, each section's seats as columns in display order. */
export interface ChartLayoutRow {
  stage: { label: string; x: number; y: number; width: number; height: number };
  sections: {
    id: number;
    name: string;
    kind: SectionKind;
    capacity: number | null;
    outline: unknown;
    /** Seats row by row (closest row first), each row by number. */
    seats: LayoutSeatTuple[];
  }[];
}

/** A seat as the layout query sends it: id, row, number, x, y, flags (1 accessible, 2 wheelchair, 4 companion). */
export type LayoutSeatTuple = [id: number, row: string, number: number, x: number, y: number, flags: number];

export const SEAT_FLAG = { accessible: 1, wheelchair: 2, companion: 4 } as const;

/**
 * One row per section with its seats as one JSON array of tuples: a 52,800-seat chart arrives as a few
 * dozen JSON texts that V8 parses natively, instead of 52,800 objects through Prisma's result mapping, which held
 * the event loop 190–360 ms on the first hold or seat map of an on-sale (docs/seat-map.md).
 */
const CHART_LAYOUT: PreparedStatement = {
  name: "seating.chart-layout",
  text: `
    SELECT v.stage_label AS "stageLabel", v.stage_x AS "stageX", v.stage_y AS "stageY",
           v.stage_width AS "stageWidth", v.stage_height AS "stageHeight",
           s.id, s.name, s.kind, s.capacity, s.outline,
           coalesce(json_agg(json_build_array(seat.id, seat.row_label, seat.number, seat.x, seat.y,
                                              seat.accessible::int + 2 * seat.wheelchair::int + 4 * seat.companion::int)
                             ORDER BY seat.row_rank, seat.number) FILTER (WHERE seat.id IS NOT NULL),
                    '[]') AS seats
    FROM seating_chart c
    JOIN venue v ON v.id = c.venue_id
    LEFT JOIN section s ON s.chart_id = c.id
    LEFT JOIN seat ON seat.section_id = s.id
    WHERE c.id = $1
    GROUP BY v.id, s.id
    ORDER BY s.sort_order`,
};

interface ChartLayoutSqlRow {
  stageLabel: string;
  stageX: number;
  stageY: number;
  stageWidth: number;
  stageHeight: number;
  id: number | null;
  name: string;
  kind: SectionKind;
  capacity: number | null;
  outline: unknown;
  seats: LayoutSeatTuple[];
}

/** The seating chart's stage (from its venue) and sections with their seats; null for an unknown chart. */
export async function chartLayout(pool: SqlPool, chartId: number): Promise<ChartLayoutRow | null> {
  const rows = await queryPrepared<ChartLayoutSqlRow>(pool, CHART_LAYOUT, [chartId]);
  const first = rows[0];
  if (!first) return null;
  const { stageLabel, stageX, stageY, stageWidth, stageHeight } = first;
  return {
    stage: { label: stageLabel, x: stageX, y: stageY, width: stageWidth, height: stageHeight },
    // A chart without sections is one row of its venue, with no section.
    sections: rows.flatMap(({ id, name, kind, capacity, outline, seats }) =>
      id === null ? [] : [{ id, name, kind, capacity, outline, seats }],
    ),
  };
}

export interface StatusRow {
  version: bigint;
  /** The event's seats, in no particular order: `codes[i]` is the status of `seatIds[i]`. */
  seatIds: Int32Array;
  codes: string;
  /** The event's standing areas on sale, in section order. */
  areas: { id: number; name: string; capacity: number; available: number }[];
}

/**
 * Seat ids as Postgres joins them (`1,2,3`). A stadium's 52,800 ids come as text and are read here in
 * one pass: as an int[] they went through the driver's generic array parser, which took most of the
 * API's CPU for a read (docs/benchmarks.md, "The seat map's status read").
 */
export function parseSeatIds(text: string): Int32Array {
  if (text.length === 0) return new Int32Array(0);
  // Every id takes at least one digit and a comma: room enough, trimmed to the count at the end.
  const ids = new Int32Array((text.length + 1) >> 1);
  let count = 0;
  let id = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === COMMA) {
      ids[count++] = id;
      id = 0;
    } else {
      id = id * 10 + (code - DIGIT_ZERO);
    }
  }
  ids[count++] = id;
  return ids.subarray(0, count);
}

const COMMA = 44;
const DIGIT_ZERO = 48;

/**
 * The event's seat map version with every seat's id and status code (S, X, H, A), in one statement, so
 * the version and the statuses come from the same database snapshot. The two aggregates take the rows
 * in one pass, so in the same order, which is all the reader needs (it places each seat by its id):
 * without an ORDER BY, Postgres sorts nothing, and a stadium's read takes half the time.
 */
export async function seatStatuses(db: Db, eventId: number): Promise<StatusRow | null> {
  const [row] = await db.$queryRaw<
    { version: bigint; seat_ids: string | null; codes: string | null; areas: StatusRow["areas"] }[]
  >`
    SELECT e.seat_map_version AS version,
           string_agg(es.seat_id::text, ',') AS seat_ids,
           string_agg(CASE
                        WHEN es.status = 'SOLD' THEN 'S'
                        WHEN es.status = 'HELD' AND es.held_until >= ${ORGANIZER_HOLD_UNTIL} THEN 'X'
                        WHEN es.status = 'HELD' AND es.held_until > now() THEN 'H'
                        ELSE 'A'
                      END, '') AS codes,
           (SELECT coalesce(json_agg(json_build_object('id', a.section_id, 'name', sec.name,
                                                       'capacity', a.capacity, 'available', a.available)
                                     ORDER BY sec.sort_order), '[]'::json)
            FROM event_area a JOIN section sec ON sec.id = a.section_id
            WHERE a.event_id = e.id) AS areas
    FROM event e
    LEFT JOIN event_seat es ON es.event_id = e.id
    WHERE e.id = ${eventId}
    GROUP BY e.id, e.seat_map_version`;
  if (!row) return null;
  return {
    version: row.version,
    seatIds: parseSeatIds(row.seat_ids ?? ""),
    codes: row.codes ?? "",
    areas: row.areas,
  };
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
