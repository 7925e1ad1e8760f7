import type { DbOrTx, Tx } from "../../kernel/transactions.js";
import type { CheckedSection, SeatColumns } from "./chart-check.js";

// Seating charts' SQL (docs/database.md, "Venues, seating charts and what events sell"; docs/venues.md).

/**
 * Freezes the chart an event is being published with, in the publishing transaction: from then on an
 * edit of the chart makes its next version, and the published event keeps this one.
 */
export async function freezeChart(tx: DbOrTx, chartId: number): Promise<void> {
  await tx.$executeRaw`UPDATE seating_chart SET frozen_at = now() WHERE id = ${chartId} AND frozen_at IS NULL`;
}

export interface ChartVersionRow {
  id: number;
  venueId: number;
  name: string;
  version: number;
  frozenAt: Date | null;
  createdAt: Date;
  /** Events that sell this version (drafts included), and those of them not in DRAFT. */
  events: number;
  publishedEvents: number;
  sections: number;
  seats: number;
  standingCapacity: number;
}

/** Every chart version of the venues, newest version first within a name. */
export function chartVersions(db: DbOrTx, venueIds: number[]): Promise<ChartVersionRow[]> {
  return db.$queryRaw<ChartVersionRow[]>`
    SELECT c.id, c.venue_id AS "venueId", c.name, c.version, c.frozen_at AS "frozenAt", c.created_at AS "createdAt",
           (SELECT count(*)::int FROM event e WHERE e.chart_id = c.id) AS events,
           (SELECT count(*)::int FROM event e WHERE e.chart_id = c.id AND e.status <> 'DRAFT') AS "publishedEvents",
           (SELECT count(*)::int FROM section s WHERE s.chart_id = c.id) AS sections,
           (SELECT count(*)::int FROM seat st JOIN section s ON s.id = st.section_id WHERE s.chart_id = c.id) AS seats,
           (SELECT coalesce(sum(s.capacity), 0)::int FROM section s WHERE s.chart_id = c.id) AS "standingCapacity"
    FROM seating_chart c
    WHERE c.venue_id = ANY(${venueIds}::int[])
    ORDER BY c.venue_id, c.name, c.version DESC`;
}

/** One chart version with its counts; undefined when there is none. */
export async function chartVersion(db: DbOrTx, chartId: number): Promise<ChartVersionRow | undefined> {
  const venueId = await chartVenueId(db, chartId);
  if (venueId === undefined) return undefined;
  return (await chartVersions(db, [venueId])).find((row) => row.id === chartId);
}

/**
 * The newest version of the venue's chart named `name` (the one new events should sell), or undefined
 * when the venue has no chart of that name. The events module's createEvent picks charts with it.
 */
export async function newestChartVersion(
  db: DbOrTx,
  venueId: number,
  name: string,
): Promise<{ id: number; version: number; frozen: boolean } | undefined> {
  const [row] = await db.$queryRaw<{ id: number; version: number; frozen: boolean }[]>`
    SELECT id, version, frozen_at IS NOT NULL AS frozen FROM seating_chart
    WHERE venue_id = ${venueId} AND name = ${name}
    ORDER BY version DESC LIMIT 1`;
  return row;
}

/** The chart's newest version with the events using it, the venue's row locked (one save at a time). */
export async function lockNewestVersion(tx: DbOrTx, venueId: number, name: string) {
  await tx.$queryRaw`SELECT id FROM venue WHERE id = ${venueId} FOR UPDATE`;
  const [row] = await tx.$queryRaw<{ id: number; version: number; frozen: boolean; events: number }[]>`
    SELECT c.id, c.version, c.frozen_at IS NOT NULL AS frozen,
           (SELECT count(*)::int FROM event e WHERE e.chart_id = c.id) AS events
    FROM seating_chart c
    WHERE c.venue_id = ${venueId} AND c.name = ${name}
    ORDER BY c.version DESC LIMIT 1`;
  return row;
}

export async function insertChart(
  tx: DbOrTx,
  venueId: number,
  name: string,
  version: number,
): Promise<number> {
  const [row] = await tx.$queryRaw<{ id: number }[]>`
    INSERT INTO seating_chart (venue_id, name, version) VALUES (${venueId}, ${name}, ${version})
    RETURNING id`;
  if (!row) throw new Error("the chart was not inserted");
  return row.id;
}

/**
 * Seats per insert: each statement's parameters are converted by Prisma and pg on the event loop, element by
 * element (measured on a loaded machine: the longest event-loop stall of a 52,800-seat upload went from 0.5–1.8 s with 8,192 seats a statement to 0.1 s with 2,048; 1,024 measured no better), so they stay small.
 */
const SEATS_PER_STATEMENT = 2_048;

/** The seats in batches of SEATS_PER_STATEMENT, [first seat, end) each. */
function seatBatches(seatCount: number): [number, number][] {
  const batches: [number, number][] = [];
  for (let start = 0; start < seatCount; start += SEATS_PER_STATEMENT) {
    batches.push([start, Math.min(start + SEATS_PER_STATEMENT, seatCount)]);
  }
  return batches;
}

/**
 * Writes the chart's description, sections and seats (parallel arrays unnested into rows, as the seed
 * always wrote them; seats a few thousand per statement). On a chart that has them already (an unused,
 * unfrozen version being edited), sections are matched by name and seats by (section, row, number): they
 * keep their ids and are updated, new ones are added and only the ones gone are deleted. Returns the seats
 * written. Runs in the caller's transaction, which the deletion of the gone seats relies on.
 */
export async function writeChartContents(
  tx: Tx,
  chartId: number,
  descriptionJson: string,
  sections: CheckedSection[],
  seats: SeatColumns,
): Promise<number> {
  const names = sections.map((section) => section.name);
  await tx.$executeRaw`UPDATE seating_chart SET description = ${descriptionJson}::jsonb WHERE id = ${chartId}`;
  const existing = await tx.$queryRaw<{ seats: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM section WHERE chart_id = ${chartId}) AS seats`;
  await tx.$executeRaw`DELETE FROM section WHERE chart_id = ${chartId} AND name <> ALL(${names}::text[])`;
  // Out of the way of the new order (sort_order is unique per chart).
  await tx.$executeRaw`UPDATE section SET sort_order = -1 - sort_order WHERE chart_id = ${chartId}`;
  const ids = await tx.$queryRaw<{ id: number; sortOrder: number }[]>`
    INSERT INTO section (chart_id, name, kind, capacity, outline, sort_order)
    SELECT ${chartId}, name, kind::"SectionKind", capacity, outline, sort_order
    FROM unnest(${names}::text[],
                ${sections.map((section) => section.kind)}::text[],
                ${sections.map((section) => section.capacity)}::int[],
                ${sections.map((section) => (section.outline ? JSON.stringify(section.outline) : null))}::jsonb[],
                ${sections.map((_, index) => index)}::int[])
         AS s(name, kind, capacity, outline, sort_order)
    ON CONFLICT (chart_id, name) DO UPDATE
      SET kind = EXCLUDED.kind, capacity = EXCLUDED.capacity, outline = EXCLUDED.outline,
          sort_order = EXCLUDED.sort_order
    RETURNING id, sort_order AS "sortOrder"`;
  const idOf = new Map(ids.map((row) => [row.sortOrder, row.id]));
  let written = 0;
  for (const [start, end] of seatBatches(seats.section.length)) {
    const flag = (bit: number) =>
      Array.from(seats.flags.subarray(start, end), (flags) => (flags & (1 << bit)) !== 0);
    written += await tx.$executeRaw`
      INSERT INTO seat (section_id, row_label, row_rank, number, x, y, accessible, wheelchair, companion, restricted_view)
      SELECT * FROM unnest(
        ${Array.from(seats.section.subarray(start, end), (index) => idOf.get(index) as number)}::int[],
        ${seats.rowLabel.slice(start, end)}::text[], ${Array.from(seats.rowRank.subarray(start, end))}::int[],
        ${Array.from(seats.number.subarray(start, end))}::int[], ${Array.from(seats.x.subarray(start, end))}::real[],
        ${Array.from(seats.y.subarray(start, end))}::real[], ${flag(0)}::boolean[], ${flag(1)}::boolean[],
        ${flag(2)}::boolean[], ${flag(3)}::boolean[]
      )
      ON CONFLICT (section_id, row_label, number) DO UPDATE
        SET row_rank = EXCLUDED.row_rank, x = EXCLUDED.x, y = EXCLUDED.y, accessible = EXCLUDED.accessible,
            wheelchair = EXCLUDED.wheelchair, companion = EXCLUDED.companion,
            restricted_view = EXCLUDED.restricted_view`;
  }
  if (existing[0]?.seats) {
    // The seats gone from the chart are the ones this save did not write: every seat inserted or updated
    // above is a row version made by this transaction (its xmin). Deciding it here, in one statement,
    // keeps the batches small however big a section is (a batch of a whole section was one statement
    // of every seat of it, built on the event loop: seconds for a section of tens of thousands).
    await tx.$executeRaw`
      DELETE FROM seat
      WHERE section_id = ANY(${ids.map((row) => row.id)}::int[]) AND xmin <> pg_current_xact_id()::xid`;
  }
  return written;
}

/** What an export needs: the description (null for charts made before descriptions) and every seat. */
export async function chartContents(db: DbOrTx, chartId: number) {
  return db.seatingChart.findUnique({
    where: { id: chartId },
    select: {
      id: true,
      venueId: true,
      name: true,
      version: true,
      description: true,
      sections: {
        orderBy: { sortOrder: "asc" },
        select: {
          name: true,
          kind: true,
          capacity: true,
          outline: true,
          seats: {
            orderBy: [{ rowRank: "asc" }, { number: "asc" }],
            select: {
              rowLabel: true,
              rowRank: true,
              number: true,
              x: true,
              y: true,
              accessible: true,
              wheelchair: true,
              companion: true,
              restrictedView: true,
            },
          },
        },
      },
    },
  });
}

/** The venue a chart belongs to; undefined when there is no such chart. */
export async function chartVenueId(db: DbOrTx, chartId: number): Promise<number | undefined> {
  const [row] = await db.$queryRaw<
    { venueId: number }[]
  >`SELECT venue_id AS "venueId" FROM seating_chart WHERE id = ${chartId}`;
  return row?.venueId;
}
