// Writes venues, their seating chart (version 1 of "Main"), sections and seats. Idempotent: rows are
// matched on their natural keys (venue slug, chart (venue, name, version), section (chart, name), seat
// (section, row, number)) and existing rows are kept.
import type { Db } from "../infra/prisma.js";
import { seatCount, type VenueLayout } from "./venue-geometry.js";
import type { VenueSpec } from "./venues.js";

export interface SeededSection {
  id: number;
  name: string;
  zone: string;
}

export interface SeededVenue {
  id: number;
  chartId: number;
  spec: VenueSpec;
  sections: SeededSection[];
  /** Seats inserted by this run (0 when the venue was already complete). */
  insertedSeats: number;
}

/** The venue as the demo organizer's. */
export async function writeVenue(db: Db, spec: VenueSpec, organizerId: string): Promise<SeededVenue> {
  const layout = spec.layout();
  const fields = {
    name: spec.name,
    city: spec.city,
    address: spec.address,
    timezone: spec.timezone,
    organizerId,
    stageLabel: layout.stage.label,
    stageX: layout.stage.x,
    stageY: layout.stage.y,
    stageWidth: layout.stage.width,
    stageHeight: layout.stage.height,
  };
  const venue = await db.venue.upsert({
    where: { slug: spec.slug },
    create: { slug: spec.slug, ...fields },
    update: {},
    select: { id: true },
  });

  const chart = await db.seatingChart.upsert({
    where: { venueId_name_version: { venueId: venue.id, name: "Main", version: 1 } },
    create: { venueId: venue.id },
    update: {},
    select: { id: true },
  });

  await db.section.createMany({
    data: layout.sections.map((section, sortOrder) => ({ chartId: chart.id, name: section.name, sortOrder })),
    skipDuplicates: true,
  });
  const rows = await db.section.findMany({ where: { chartId: chart.id }, select: { id: true, name: true } });
  const sectionIds = new Map(rows.map((row) => [row.name, row.id]));
  const sections = layout.sections.map((section): SeededSection => {
    const id = sectionIds.get(section.name);
    if (id === undefined) throw new Error(`section ${section.name} of ${spec.slug} was not created`);
    return { id, name: section.name, zone: section.zone };
  });

  // Counting first makes a re-run cheap: a complete venue does not resend 50,000 seats.
  const existingSeats = await db.seat.count({ where: { section: { chartId: chart.id } } });
  const insertedSeats = existingSeats >= seatCount(layout) ? 0 : await insertSeats(db, layout, sections);
  return { id: venue.id, chartId: chart.id, spec, sections, insertedSeats };
}

/** One INSERT per venue: parallel arrays unnested into rows, in drawing order. */
async function insertSeats(db: Db, layout: VenueLayout, sections: SeededSection[]): Promise<number> {
  const sectionIds: number[] = [];
  const rowLabels: string[] = [];
  const rowRanks: number[] = [];
  const numbers: number[] = [];
  const xs: number[] = [];
  const ys: number[] = [];
  const accessible: boolean[] = [];
  layout.sections.forEach((section, index) => {
    const sectionId = sections[index]?.id;
    if (sectionId === undefined) throw new Error(`no id for section ${section.name}`);
    for (const seat of section.seats) {
      sectionIds.push(sectionId);
      rowLabels.push(seat.rowLabel);
      rowRanks.push(seat.rowRank);
      numbers.push(seat.number);
      xs.push(seat.x);
      ys.push(seat.y);
      accessible.push(seat.accessible);
    }
  });
  return db.$executeRaw`
    INSERT INTO "seat" ("section_id", "row_label", "row_rank", "number", "x", "y", "accessible")
    SELECT * FROM unnest(
      ${sectionIds}::int[], ${rowLabels}::text[], ${rowRanks}::int[], ${numbers}::int[],
      ${xs}::real[], ${ys}::real[], ${accessible}::boolean[]
    )
    ON CONFLICT ("section_id", "row_label", "number") DO NOTHING`;
}
