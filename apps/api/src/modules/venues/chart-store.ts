import type { DbOrTx } from "../../kernel/transactions.js";
import type { ChartDescription, GeneratedSection } from "./chart-shape.js";

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
  description: ChartDescription,
): Promise<number> {
  const [row] = await tx.$queryRaw<{ id: number }[]>`
    INSERT INTO seating_chart (venue_id, name, version, description)
    VALUES (${venueId}, ${name}, ${version}, ${JSON.stringify(description)}::jsonb)
    RETURNING id`;
  if (!row) throw new Error("the chart was not inserted");
  return row.id;
}

/** Replaces an unused, unfrozen chart's description and removes its sections (and so its seats). */
export async function clearChart(tx: DbOrTx, chartId: number, description: ChartDescription): Promise<void> {
  await tx.$executeRaw`UPDATE seating_chart SET description = ${JSON.stringify(description)}::jsonb WHERE id = ${chartId}`;
  await tx.$executeRaw`DELETE FROM section WHERE chart_id = ${chartId}`;
}

/**
 * The chart's sections and seats, each section one row and all seats in one statement (parallel arrays
 * unnested into rows, as the seed always wrote them): a 50,000-seat chart is two round trips.
 */
export async function insertChartContents(
  tx: DbOrTx,
  chartId: number,
  sections: GeneratedSection[],
): Promise<number> {
  const ids = await tx.$queryRaw<{ id: number; sortOrder: number }[]>`
    INSERT INTO section (chart_id, name, kind, capacity, outline, sort_order)
    SELECT ${chartId}, name, kind::"SectionKind", capacity, outline, sort_order
    FROM unnest(${sections.map((section) => section.name)}::text[],
                ${sections.map((section) => section.kind)}::text[],
                ${sections.map((section) => section.capacity)}::int[],
                ${sections.map((section) => (section.outline ? JSON.stringify(section.outline) : null))}::jsonb[],
                ${sections.map((_, index) => index)}::int[])
         AS s(name, kind, capacity, outline, sort_order)
    RETURNING id, sort_order AS "sortOrder"`;
  const idOf = new Map(ids.map((row) => [row.sortOrder, row.id]));
  const sectionIds: number[] = [];
  const rowLabels: string[] = [];
  const rowRanks: number[] = [];
  const numbers: number[] = [];
  const xs: number[] = [];
  const ys: number[] = [];
  const accessible: boolean[] = [];
  const wheelchair: boolean[] = [];
  const companion: boolean[] = [];
  const restrictedView: boolean[] = [];
  sections.forEach((section, index) => {
    const sectionId = idOf.get(index) as number;
    for (const seat of section.seats) {
      sectionIds.push(sectionId);
      rowLabels.push(seat.rowLabel);
      rowRanks.push(seat.rowRank);
      numbers.push(seat.number);
      xs.push(seat.x);
      ys.push(seat.y);
      accessible.push(seat.accessible);
      wheelchair.push(seat.wheelchair);
      companion.push(seat.companion);
      restrictedView.push(seat.restrictedView);
    }
  });
  if (sectionIds.length === 0) return 0;
  return tx.$executeRaw`
    INSERT INTO seat (section_id, row_label, row_rank, number, x, y, accessible, wheelchair, companion, restricted_view)
    SELECT * FROM unnest(
      ${sectionIds}::int[], ${rowLabels}::text[], ${rowRanks}::int[], ${numbers}::int[],
      ${xs}::real[], ${ys}::real[], ${accessible}::boolean[], ${wheelchair}::boolean[],
      ${companion}::boolean[], ${restrictedView}::boolean[]
    )`;
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
