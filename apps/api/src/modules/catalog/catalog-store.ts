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

/**
 * Each event's seats by what a fan can do with them: a seat held by an expired hold counts as available,
 * as every write treats it (docs/holds.md).
 */
export async function eventSeatCounts(
  db: Db,
  eventIds: readonly number[],
): Promise<Map<number, { available: number; held: number; sold: number }>> {
  const rows = await db.$queryRaw<{ event_id: number; available: number; held: number; sold: number }[]>`
    SELECT event_id,
           count(*) FILTER (WHERE status = 'AVAILABLE' OR (status = 'HELD' AND held_until <= now()))::int AS available,
           count(*) FILTER (WHERE status = 'HELD' AND held_until > now())::int AS held,
           count(*) FILTER (WHERE status = 'SOLD')::int AS sold
    FROM event_seat
    WHERE event_id = ANY(${[...eventIds]}::int[])
    GROUP BY event_id`;
  return new Map(rows.map((row) => [row.event_id, row]));
}
