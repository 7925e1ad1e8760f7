import type { Db } from "../../infra/prisma.js";

// The catalog's raw SQL (the rest of its reads are Prisma queries on one table each).

/** Seats per venue in its largest seating chart, for the venues asked (a venue without seats is absent). */
export async function venueSeatCounts(db: Db, venueIds: readonly number[]): Promise<Map<number, number>> {
  const rows = await db.$queryRaw<{ venue_id: number; seats: number }[]>`
    SELECT venue_id, max(seats)::int AS seats
    FROM (
      SELECT chart.venue_id, count(*) AS seats
      FROM seat
      JOIN section ON section.id = seat.section_id
      JOIN seating_chart chart ON chart.id = section.chart_id
      WHERE chart.venue_id = ANY(${[...venueIds]}::int[])
      GROUP BY chart.id
    ) per_chart
    GROUP BY venue_id`;
  return new Map(rows.map((row) => [row.venue_id, row.seats]));
}

export interface SeatCounts {
  available: number;
  held: number;
  sold: number;
  /** Wheelchair spaces free (docs/standing.md). */
  accessibleAvailable: number;
  /** Places left in the event's standing areas. */
  standingAvailable: number;
}

/**
 * Each event's seats by what a fan can do with them: a seat held by an expired hold counts as available,
 * as every write treats it (docs/holds.md); the organizer's kills and house seats (held until
 * organizer_hold_until()) are not for sale, as the seat map shows them, so in none of the counts.
 */
export async function eventSeatCounts(db: Db, eventIds: readonly number[]): Promise<Map<number, SeatCounts>> {
  const rows = await db.$queryRaw<(SeatCounts & { event_id: number })[]>`
    SELECT event_id,
           count(*) FILTER (WHERE status = 'AVAILABLE' OR (status = 'HELD' AND held_until <= now()))::int AS available,
           count(*) FILTER (WHERE status = 'HELD' AND held_until > now() AND held_until < organizer_hold_until())::int AS held,
           count(*) FILTER (WHERE status = 'SOLD')::int AS sold,
           count(*) FILTER (WHERE (status = 'AVAILABLE' OR (status = 'HELD' AND held_until <= now()))
                              AND seat_id IN (SELECT s.id FROM seat s WHERE s.wheelchair))::int AS "accessibleAvailable",
           (SELECT coalesce(sum(a.available), 0)::int FROM event_area a
            WHERE a.event_id = event_seat.event_id) AS "standingAvailable"
    FROM event_seat
    WHERE event_id = ANY(${[...eventIds]}::int[])
    GROUP BY event_id`;
  return new Map(rows.map((row) => [row.event_id, row]));
}
