// Writes venues and their seating charts through the venues service, the API's own path (createVenue,
// saveSeatingChart), as the demo organizer. Idempotent: a venue is matched on its slug and a chart on
// (venue, name); existing ones are kept as they are.
import type { Db } from "../infra/prisma.js";
import type { Viewer } from "../kernel/viewer.js";
import { VenuesService } from "../modules/venues/venues.service.js";
import type { VenueSpec } from "./venues.js";

export interface SeededSection {
  id: number;
  name: string;
  zone: string;
}

export interface SeededVenue {
  id: number;
  /** The "Main" chart: the one the seeded events sell. */
  chartId: number;
  /** Every chart of the venue by name ("Main", "Concert"…). */
  charts: Map<string, number>;
  spec: VenueSpec;
  /** The Main chart's sections with their pricing zones. */
  sections: SeededSection[];
  /** Seats inserted by this run (0 when the venue was already complete). */
  insertedSeats: number;
}

/** The venue as the demo organizer's. */
export async function writeVenue(db: Db, spec: VenueSpec, organizerId: string): Promise<SeededVenue> {
  const venues = new VenuesService(db);
  const organizer: Viewer = { userId: organizerId, role: "ORGANIZER" };
  const described = spec.charts();
  const existing = await db.venue.findUnique({ where: { slug: spec.slug }, select: { id: true } });
  const venueId =
    existing?.id ??
    (
      await venues.createVenue(organizer, {
        slug: spec.slug,
        name: spec.name,
        city: spec.city,
        address: spec.address,
        timezone: spec.timezone,
        stage: described.stage,
      })
    ).id;

  const charts = new Map<string, number>();
  let insertedSeats = 0;
  for (const chart of described.charts) {
    let newest = await venues.newestChartVersion(venueId, chart.name);
    if (!newest) {
      const saved = await venues.saveChart(organizer, venueId, chart);
      insertedSeats += saved.insertedSeats;
      newest = await venues.newestChartVersion(venueId, chart.name);
    }
    if (newest) charts.set(chart.name, newest.id);
  }
  const chartId = charts.get("Main");
  if (chartId === undefined) throw new Error(`${spec.slug} has no Main chart`);

  const rows = await db.section.findMany({ where: { chartId }, select: { id: true, name: true } });
  const sectionIds = new Map(rows.map((row) => [row.name, row.id]));
  const sections = [...described.zones].map(([name, zone]): SeededSection => {
    const id = sectionIds.get(name);
    if (id === undefined) throw new Error(`section ${name} of ${spec.slug} was not created`);
    return { id, name, zone };
  });
  return { id: venueId, chartId, charts, spec, sections, insertedSeats };
}
