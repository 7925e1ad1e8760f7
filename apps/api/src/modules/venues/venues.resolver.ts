import { Arg, Authorized, Ctx, Extensions, ID, Mutation, Query, Resolver } from "type-graphql";
import { type Context, viewerOf } from "../../graphql/context.js";
import { parseIntId } from "../../kernel/ids.js";
import { chartOf, savedOf } from "./chart-answers.js";
import type { ChartProblem as Problem } from "./chart-validation.js";
import type { VenueWithCharts } from "./venues.service.js";
import {
  ChartFormat,
  ChartJson,
  type ChartSectionKind,
  ManagedVenue,
  SavedSeatingChart,
  SeatingChartPreview,
  VenueInput,
} from "./venues.types.js";

const MANAGERS = ["ORGANIZER", "ADMIN"];

const venueOf = (venue: VenueWithCharts): ManagedVenue => ({
  id: String(venue.id),
  slug: venue.slug,
  name: venue.name,
  city: venue.city,
  address: venue.address,
  timezone: venue.timezone,
  stage: {
    label: venue.stageLabel,
    x: venue.stageX,
    y: venue.stageY,
    width: venue.stageWidth,
    height: venue.stageHeight,
  },
  charts: venue.charts.map(chartOf),
});

const problemOf = (problem: Problem) => ({
  path: problem.path.join("."),
  line: problem.line ?? null,
  message: problem.message,
});

// The request body's limit (server/graphql-http.ts): a chart's text may be as long as the request.
const CHART_TEXT_LIMIT = 256 * 1024;

// Chart imports and previews carry whole charts: they cost more than a field, less than a seat map.
const CHART_COMPLEXITY = 50;

@Resolver()
export class VenuesResolver {
  @Authorized(...MANAGERS)
  @Query(() => [ManagedVenue], {
    description: "Your venues with their chart versions (every venue, for admins).",
  })
  async myVenues(@Ctx() ctx: Context): Promise<ManagedVenue[]> {
    return (await ctx.services.venues.myVenues(viewerOf(ctx))).map(venueOf);
  }

  @Authorized(...MANAGERS)
  @Query(() => ManagedVenue, { description: "One of your venues (any, for admins)." })
  async managedVenue(@Arg("venueId", () => ID) venueId: string, @Ctx() ctx: Context): Promise<ManagedVenue> {
    return venueOf(await ctx.services.venues.venue(viewerOf(ctx), parseIntId(venueId, "venueId")));
  }

  @Authorized(...MANAGERS)
  @Mutation(() => ManagedVenue, {
    description: "A new venue of yours: name, city, address, time zone, stage.",
  })
  async createVenue(
    @Arg("input", () => VenueInput) input: VenueInput,
    @Ctx() ctx: Context,
  ): Promise<ManagedVenue> {
    const viewer = viewerOf(ctx);
    const venue = await ctx.services.venues.createVenue(viewer, input);
    return venueOf({ ...venue, charts: [] });
  }

  @Authorized(...MANAGERS)
  @Mutation(() => ManagedVenue, { description: "Changes the fields given." })
  async updateVenue(
    @Arg("venueId", () => ID) venueId: string,
    @Arg("input", () => VenueInput) input: VenueInput,
    @Ctx() ctx: Context,
  ): Promise<ManagedVenue> {
    const viewer = viewerOf(ctx);
    const id = parseIntId(venueId, "venueId");
    await ctx.services.venues.updateVenue(viewer, id, input);
    return venueOf(await ctx.services.venues.venue(viewer, id));
  }

  @Authorized(...MANAGERS)
  @Extensions({ complexity: CHART_COMPLEXITY })
  @Mutation(() => SavedSeatingChart, {
    description:
      "Saves a whole chart (the shape of docs/venues.md). A version that is frozen or used by an event is kept: " +
      "the save makes the next version.",
  })
  async saveSeatingChart(
    @Arg("venueId", () => ID) venueId: string,
    @Arg("chart", () => ChartJson) chart: Record<string, unknown>,
    @Ctx() ctx: Context,
  ): Promise<SavedSeatingChart> {
    return savedOf(await ctx.services.venues.saveChart(viewerOf(ctx), parseIntId(venueId, "venueId"), chart));
  }

  @Authorized(...MANAGERS)
  // The chart's text is as long as the request may be, not a field's usual 2,000 characters.
  @Extensions({ complexity: CHART_COMPLEXITY, maxStringArgumentLength: CHART_TEXT_LIMIT })
  @Mutation(() => SavedSeatingChart, {
    description:
      "Imports a chart from JSON (saveSeatingChart's shape) or CSV (section,row,number,x,y,flags): validated " +
      "whole, every problem listed with its line, nothing written unless all is well.",
  })
  async importSeatingChart(
    @Arg("venueId", () => ID) venueId: string,
    @Arg("format", () => ChartFormat) format: ChartFormat,
    @Arg("data") data: string,
    @Ctx() ctx: Context,
    @Arg("name", () => String, { nullable: true, description: "The chart's name (CSV: Main when missing)." })
    name?: string | null,
  ): Promise<SavedSeatingChart> {
    const venues = ctx.services.venues;
    return savedOf(
      await venues.importChart(viewerOf(ctx), parseIntId(venueId, "venueId"), format, data, name),
    );
  }

  @Authorized(...MANAGERS)
  @Extensions({ complexity: CHART_COMPLEXITY })
  @Query(() => SeatingChartPreview, {
    description: "The seats a chart generates, or its problems; saves nothing.",
  })
  async seatingChartPreview(
    @Arg("chart", () => ChartJson) chart: Record<string, unknown>,
    @Ctx() ctx: Context,
  ): Promise<SeatingChartPreview> {
    const preview = await ctx.services.venues.previewChart(viewerOf(ctx), chart);
    const sections = preview.generated?.sections ?? [];
    let bounds: SeatingChartPreview["bounds"] = null;
    const extend = (x: number, y: number) => {
      bounds = bounds
        ? {
            minX: Math.min(bounds.minX, x),
            minY: Math.min(bounds.minY, y),
            maxX: Math.max(bounds.maxX, x),
            maxY: Math.max(bounds.maxY, y),
          }
        : { minX: x, minY: y, maxX: x, maxY: y };
    };
    for (const section of sections) {
      for (const seat of section.seats) extend(seat.x, seat.y);
      for (const point of section.outline ?? []) extend(point.x, point.y);
    }
    return {
      sections: sections.map((section) => ({
        ...section,
        kind: section.kind as ChartSectionKind,
        seats: section.seats.map((seat) => ({ ...seat, row: seat.rowLabel })),
      })),
      seatCount: preview.generated?.seatCount ?? 0,
      bounds,
      problems: preview.problems.map(problemOf),
      moreProblems: preview.moreProblems,
    };
  }

  @Authorized(...MANAGERS)
  @Extensions({ complexity: CHART_COMPLEXITY })
  @Query(() => String, { description: "A chart version as JSON (the shape the API takes) or CSV." })
  exportSeatingChart(
    @Arg("chartId", () => ID) chartId: string,
    @Arg("format", () => ChartFormat, { defaultValue: ChartFormat.JSON }) format: ChartFormat,
    @Ctx() ctx: Context,
  ): Promise<string> {
    return ctx.services.venues.exportChart(viewerOf(ctx), parseIntId(chartId, "chartId"), format);
  }
}
