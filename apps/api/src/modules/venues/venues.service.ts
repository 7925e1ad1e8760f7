import type { Db } from "../../infra/prisma.js";
import { AppError, ErrorCode, notFound } from "../../kernel/errors.js";
import type { Viewer } from "../../kernel/viewer.js";
import { recordAudit } from "../events/audit-store.js";
import { mayManage, requireVenueManager } from "../events/event-access.js";
import type { ChartFormat, CheckedChart } from "./chart-check.js";
import { checkChartOffLoop } from "./chart-checker.js";
import type { ChartDescription, GeneratedChart, SectionDescription } from "./chart-shape.js";
import {
  type ChartVersionRow,
  chartContents,
  chartVenueId,
  chartVersion,
  chartVersions,
  insertChart,
  lockNewestVersion,
  newestChartVersion,
  writeChartContents,
} from "./chart-store.js";
import { chartToCsv } from "./chart-text.js";
import { CHART_LIMITS, type ChartProblem, OUT_OF_BOUNDS, validateChart } from "./chart-validation.js";
import {
  insertVenue,
  slugsLike,
  updateVenueRow,
  type VenueFields,
  type VenueRow,
  venueById,
  venuesOf,
} from "./venue-store.js";

// Venues and their seating charts (docs/venues.md): organizers create and edit venues, and save or import
// charts, which are validated whole and written in one transaction. A chart version that an event uses
// is never rewritten: saving makes the next version, and events keep theirs.

export interface StageInput {
  label: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface VenueInput {
  name?: string | null;
  city?: string | null;
  address?: string | null;
  timezone?: string | null;
  stage?: StageInput | null;
  /** The seed's fixed slugs; made from the name and city otherwise. */
  slug?: string;
}

export type { ChartFormat };

export interface SavedChart {
  chart: ChartVersionRow;
  /** True when the save made a new version because the previous one is frozen or used by an event. */
  newVersion: boolean;
  previousVersion: number | null;
  message: string;
  insertedSeats: number;
}

export interface VenueWithCharts extends VenueRow {
  charts: ChartVersionRow[];
}

const DEFAULT_STAGE: StageInput = { label: "STAGE", x: 0, y: 0, width: 10, height: 5 };
const CHART_TRANSACTION = { maxWait: 3_000, timeout: 60_000 } as const;

/** A validation error naming the field at fault, with every problem of a chart listed in `problems`. */
function invalid(
  field: string,
  problems: { path: string; line?: number; message: string }[],
  more = 0,
): AppError {
  const first = problems[0];
  const where = (problem: { path: string; line?: number }) =>
    problem.line !== undefined ? `line ${problem.line}` : problem.path || field;
  const count = problems.length + more;
  const message =
    count === 1 && first
      ? `${where(first)}: ${first.message}`
      : `${count} problems, the first: ${first ? `${where(first)}: ${first.message}` : ""}`;
  return new AppError(ErrorCode.BAD_USER_INPUT, message, { field, problems, moreProblems: more });
}

const problemsOf = (problems: ChartProblem[]) =>
  problems.map((problem) => ({
    path: problem.path.join("."),
    message: problem.message,
    ...(problem.line === undefined ? {} : { line: problem.line }),
  }));

function isTimeZone(zone: string): boolean {
  if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The venue's fields from the input, every problem listed; `required` on creation. */
function venueFields(input: VenueInput, required: boolean): Partial<VenueFields> {
  const problems: { path: string; message: string }[] = [];
  const fields: Partial<VenueFields> = {};
  const text = (key: "name" | "city" | "address", what: string, max: number) => {
    const value = input[key];
    if (value === undefined || value === null) {
      if (required) problems.push({ path: key, message: `${what} is missing` });
      return;
    }
    const trimmed = value.trim();
    if (trimmed === "") problems.push({ path: key, message: `${what} is missing` });
    else if (trimmed.length > max)
      problems.push({ path: key, message: `${what} is longer than ${max} characters` });
    else fields[key] = trimmed;
  };
  text("name", "The name", 100);
  text("city", "The city", 100);
  text("address", "The address", 300);
  if (input.timezone !== undefined && input.timezone !== null) {
    if (isTimeZone(input.timezone)) fields.timezone = input.timezone;
    else
      problems.push({
        path: "timezone",
        message: `"${input.timezone}" is not an IANA time zone (e.g. Europe/Lisbon)`,
      });
  } else if (required) problems.push({ path: "timezone", message: "The time zone is missing" });
  const stage = input.stage ?? (required ? DEFAULT_STAGE : undefined);
  if (stage) {
    const label = stage.label.trim();
    if (label === "" || label.length > 30)
      problems.push({ path: "stage.label", message: "The stage's label must have 1 to 30 characters" });
    for (const key of ["x", "y"] as const) {
      if (!Number.isFinite(stage[key]))
        problems.push({ path: `stage.${key}`, message: `The stage's ${key} must be a number` });
      else if (Math.abs(stage[key]) > CHART_LIMITS.coordinate)
        problems.push({ path: `stage.${key}`, message: `The stage's ${key} is ${OUT_OF_BOUNDS}` });
    }
    for (const key of ["width", "height"] as const) {
      if (!(Number.isFinite(stage[key]) && stage[key] > 0)) {
        problems.push({ path: `stage.${key}`, message: `The stage's ${key} must be more than 0` });
      } else if (stage[key] > 2 * CHART_LIMITS.coordinate) {
        problems.push({
          path: `stage.${key}`,
          message: `The stage's ${key} is over ${2 * CHART_LIMITS.coordinate} m`,
        });
      }
    }
    Object.assign(fields, {
      stageLabel: label,
      stageX: stage.x,
      stageY: stage.y,
      stageWidth: stage.width,
      stageHeight: stage.height,
    });
  }
  if (problems.length > 0) throw invalid(problems[0]?.path ?? "input", problems);
  return fields;
}

function slugBase(name: string, city: string): string {
  const slug = `${name} ${city}`
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  return slug || "venue";
}

function requireOrganizer(viewer: Viewer): void {
  if (viewer.role !== "ORGANIZER" && viewer.role !== "ADMIN") {
    throw new AppError(ErrorCode.FORBIDDEN, "Only organizers and admins manage venues");
  }
}

/** A chart description from what is stored (or, for charts made before descriptions, from its seats). */
function describedChart(contents: NonNullable<Awaited<ReturnType<typeof chartContents>>>): ChartDescription {
  if (contents.description) return contents.description as unknown as ChartDescription;
  return {
    name: contents.name,
    sections: contents.sections.map((section): SectionDescription => {
      if (section.kind === "STANDING") {
        const points = (section.outline as { x: number; y: number }[] | null) ?? [];
        return { name: section.name, kind: "STANDING", capacity: section.capacity ?? 1, shape: { points } };
      }
      return {
        name: section.name,
        seats: section.seats.map((seat) => {
          const flags = (["accessible", "wheelchair", "companion", "restrictedView"] as const).filter(
            (flag) => seat[flag],
          );
          return {
            row: seat.rowLabel,
            number: seat.number,
            x: seat.x,
            y: seat.y,
            ...(flags.length ? { flags } : {}),
          };
        }),
      };
    }),
  };
}

export class VenuesService {
  constructor(private readonly db: Db) {}

  async createVenue(viewer: Viewer, input: VenueInput): Promise<VenueRow> {
    requireOrganizer(viewer);
    const fields = venueFields(input, true) as VenueFields;
    return this.db.$transaction(async (tx) => {
      let slug = input.slug;
      if (!slug) {
        const base = slugBase(fields.name, fields.city);
        const taken = await slugsLike(tx, base);
        slug = base;
        for (let suffix = 2; taken.has(slug); suffix++) slug = `${base}-${suffix}`;
      }
      const venue = await insertVenue(tx, slug, viewer.userId, fields);
      await recordAudit(tx, {
        venueId: venue.id,
        actorId: viewer.userId,
        action: "venue.create",
        after: { ...fields },
      });
      return venue;
    });
  }

  async updateVenue(viewer: Viewer, venueId: number, input: VenueInput): Promise<VenueRow> {
    await requireVenueManager(this.db, viewer, venueId);
    const fields = venueFields(input, false);
    return this.db.$transaction(async (tx) => {
      const before = await venueById(tx, venueId);
      if (!before) throw notFound("Venue", String(venueId));
      const changed = Object.entries(fields).filter(
        ([key, value]) => before[key as keyof VenueFields] !== value,
      );
      if (changed.length === 0) return before;
      const venue = await updateVenueRow(tx, venueId, Object.fromEntries(changed));
      await recordAudit(tx, {
        venueId,
        actorId: viewer.userId,
        action: "venue.update",
        before: Object.fromEntries(changed.map(([key]) => [key, before[key as keyof VenueFields]])),
        after: Object.fromEntries(changed),
      });
      return venue;
    });
  }

  /** The viewer's venues (every venue for admins) with their chart versions. */
  async myVenues(viewer: Viewer): Promise<VenueWithCharts[]> {
    requireOrganizer(viewer);
    const venues = await venuesOf(this.db, viewer.role === "ADMIN" ? null : viewer.userId);
    return this.withCharts(venues);
  }

  async venue(viewer: Viewer, venueId: number): Promise<VenueWithCharts> {
    await requireVenueManager(this.db, viewer, venueId);
    const venue = await venueById(this.db, venueId);
    if (!venue) throw notFound("Venue", String(venueId));
    const [withCharts] = await this.withCharts([venue]);
    return withCharts as VenueWithCharts;
  }

  private async withCharts(venues: VenueRow[]): Promise<VenueWithCharts[]> {
    const charts = await chartVersions(
      this.db,
      venues.map((venue) => venue.id),
    );
    return venues.map((venue) => ({
      ...venue,
      charts: charts.filter((chart) => chart.venueId === venue.id),
    }));
  }

  /** Saves the whole chart (the builder, or the API's JSON): validated, generated, written at once. */
  async saveChart(viewer: Viewer, venueId: number, input: unknown): Promise<SavedChart> {
    await requireVenueManager(this.db, viewer, venueId);
    const result = await checkChartOffLoop({ kind: "object", chart: input });
    if (!result.ok) throw invalid("chart", problemsOf(result.problems), result.more);
    return this.writeChart(viewer, venueId, result.chart, "chart.save");
  }

  /**
   * Imports a chart from JSON (the shape saveChart takes) or CSV, as text (importSeatingChart) or as the
   * bytes of an upload (the import route); problems carry their lines.
   */
  async importChart(
    viewer: Viewer,
    venueId: number,
    format: ChartFormat,
    data: string | Uint8Array,
    name?: string | null,
  ): Promise<SavedChart> {
    await requireVenueManager(this.db, viewer, venueId);
    const result = await checkChartOffLoop({ kind: "text", format, data, name });
    if (!result.ok) throw invalid("data", problemsOf(result.problems), result.more);
    return this.writeChart(viewer, venueId, result.chart, "chart.import");
  }

  /** The chart's seats as they would be generated, or its problems: the builder's live preview. */
  async previewChart(
    viewer: Viewer,
    input: unknown,
  ): Promise<{ generated: GeneratedChart | null; problems: ChartProblem[]; moreProblems: number }> {
    requireOrganizer(viewer);
    const result = await validateChart(input);
    if ("problems" in result)
      return { generated: null, problems: result.problems.problems, moreProblems: result.problems.more };
    return { generated: result.generated, problems: [], moreProblems: 0 };
  }

  /** The chart version as JSON (its description) or CSV (its seats). */
  async exportChart(viewer: Viewer, chartId: number, format: ChartFormat): Promise<string> {
    const venueId = await chartVenueId(this.db, chartId);
    if (venueId === undefined) throw notFound("SeatingChart", String(chartId));
    await requireVenueManager(this.db, viewer, venueId);
    const contents = await chartContents(this.db, chartId);
    if (!contents) throw notFound("SeatingChart", String(chartId));
    if (format === "JSON") return `${JSON.stringify(describedChart(contents), null, 2)}\n`;
    return chartToCsv({
      name: contents.name,
      seatCount: 0,
      sections: contents.sections.map((section) => ({
        name: section.name,
        kind: section.kind,
        capacity: section.capacity,
        outline: null,
        seats: section.seats,
      })),
    });
  }

  /** The chart's description, for the builder to edit (the viewer must manage its venue). */
  async chartDescription(viewer: Viewer, chartId: number): Promise<ChartDescription> {
    return JSON.parse(await this.exportChart(viewer, chartId, "JSON")) as ChartDescription;
  }

  /**
   * The newest version of the venue's chart `name`: what a new event should sell (the events module's
   * createEvent). Undefined when the venue has no chart of that name.
   */
  newestChartVersion(venueId: number, name: string) {
    return newestChartVersion(this.db, venueId, name);
  }

  mayManageVenue(viewer: Viewer, venue: VenueRow): boolean {
    return mayManage(viewer, venue.organizerId);
  }

  private async writeChart(
    viewer: Viewer,
    venueId: number,
    chart: CheckedChart,
    action: "chart.save" | "chart.import",
  ): Promise<SavedChart> {
    const saved = await this.db.$transaction(async (tx) => {
      const newest = await lockNewestVersion(tx, venueId, chart.name);
      // An unused draft version is rewritten; one an event sells (or was published with) stays as it is.
      const rewrite = newest !== undefined && !newest.frozen && newest.events === 0;
      let chartId: number;
      let version: number;
      if (rewrite) {
        chartId = newest.id;
        version = newest.version;
      } else {
        version = (newest?.version ?? 0) + 1;
        chartId = await insertChart(tx, venueId, chart.name, version);
      }
      const insertedSeats = await writeChartContents(
        tx,
        chartId,
        chart.descriptionJson,
        chart.sections,
        chart.seats,
      );
      await recordAudit(tx, {
        venueId,
        actorId: viewer.userId,
        action,
        before: newest ? { chartId: newest.id, name: chart.name, version: newest.version } : undefined,
        after: {
          chartId,
          name: chart.name,
          version,
          sections: chart.sections.length,
          seats: chart.seats.number.length,
        },
      });
      const reason = newest === undefined || rewrite ? null : newest.frozen ? "frozen" : "used by an event";
      return { chartId, version, previousVersion: newest?.version ?? null, reason, insertedSeats };
    }, CHART_TRANSACTION);
    const row = await chartVersion(this.db, saved.chartId);
    if (!row) throw new Error(`chart ${saved.chartId} vanished after saving`);
    const message = saved.reason
      ? `Version ${saved.previousVersion} of "${chart.name}" is ${saved.reason}: saved as version ${saved.version}; its events keep version ${saved.previousVersion}.`
      : `Saved "${chart.name}" version ${saved.version}.`;
    return {
      chart: row,
      newVersion: saved.reason !== null,
      previousVersion: saved.previousVersion,
      message,
      insertedSeats: saved.insertedSeats,
    };
  }
}
