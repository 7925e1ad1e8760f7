import { GraphQLDateTime, GraphQLJSONObject } from "graphql-scalars";
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { Bounds, Stage } from "../seating/seating.types.js";

export enum ChartFormat {
  JSON = "JSON",
  CSV = "CSV",
}
registerEnumType(ChartFormat, {
  name: "ChartFormat",
  description: "JSON: the chart shape the API takes (docs/venues.md); CSV: section,row,number,x,y,flags.",
});

export enum ChartSectionKind {
  SEATED = "SEATED",
  STANDING = "STANDING",
}
registerEnumType(ChartSectionKind, { name: "ChartSectionKind" });

@InputType()
export class StageInput {
  @Field({ description: "STAGE, FIELD, RING…" })
  label!: string;

  @Field(() => Float, { description: "Top-left corner, in the chart's metres." })
  x!: number;

  @Field(() => Float)
  y!: number;

  @Field(() => Float)
  width!: number;

  @Field(() => Float)
  height!: number;
}

@InputType({ description: "A venue's details; on updateVenue, only the fields given change." })
export class VenueInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  city?: string | null;

  @Field(() => String, { nullable: true })
  address?: string | null;

  @Field(() => String, { nullable: true, description: "An IANA time zone, e.g. Europe/Lisbon." })
  timezone?: string | null;

  @Field(() => StageInput, {
    nullable: true,
    description: "The stage or field drawing (a default on creation).",
  })
  stage?: StageInput | null;
}

@ObjectType({ description: "One version of a venue's seating chart." })
export class SeatingChartVersion {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => GraphQLDateTime, {
    nullable: true,
    description: "Set once an event was published with it: saving the chart then makes the next version.",
  })
  frozenAt!: Date | null;

  @Field(() => GraphQLDateTime)
  createdAt!: Date;

  @Field(() => Int, { description: "Events that sell this version (drafts included)." })
  events!: number;

  @Field(() => Int, { description: "Of those, the ones published (on sale, past, cancelled)." })
  publishedEvents!: number;

  @Field(() => Int)
  sections!: number;

  @Field(() => Int)
  seats!: number;

  @Field(() => Int, { description: "Places in its standing areas." })
  standingCapacity!: number;
}

@ObjectType({ description: "A venue as its organizer (or an admin) manages it." })
export class ManagedVenue {
  @Field(() => ID)
  id!: string;

  @Field()
  slug!: string;

  @Field()
  name!: string;

  @Field()
  city!: string;

  @Field()
  address!: string;

  @Field()
  timezone!: string;

  @Field(() => Stage)
  stage!: Stage;

  @Field(() => [SeatingChartVersion], { description: "Every chart version, newest version first per name." })
  charts!: SeatingChartVersion[];
}

@ObjectType({
  description: "One thing wrong with a chart: where (path, and line of imported text) and what.",
})
export class ChartProblem {
  @Field({ description: "e.g. sections.2.rows.5.seats" })
  path!: string;

  @Field(() => Int, { nullable: true, description: "The line of the imported JSON or CSV (from 1)." })
  line!: number | null;

  @Field()
  message!: string;
}

@ObjectType({ description: "What saving or importing a chart did." })
export class SavedSeatingChart {
  @Field(() => SeatingChartVersion)
  chart!: SeatingChartVersion;

  @Field({
    description: "True when the chart's previous version is frozen or used by an event: this is a new one.",
  })
  newVersion!: boolean;

  @Field(() => Int, { nullable: true })
  previousVersion!: number | null;

  @Field({ description: "What happened, in words to show the organizer." })
  message!: string;
}

@ObjectType()
export class ChartPoint {
  @Field(() => Float)
  x!: number;

  @Field(() => Float)
  y!: number;
}

@ObjectType()
export class GeneratedSeat {
  @Field()
  row!: string;

  @Field(() => Int)
  number!: number;

  @Field(() => Float)
  x!: number;

  @Field(() => Float)
  y!: number;

  @Field()
  accessible!: boolean;

  @Field()
  wheelchair!: boolean;

  @Field()
  companion!: boolean;

  @Field()
  restrictedView!: boolean;
}

@ObjectType()
export class GeneratedSection {
  @Field()
  name!: string;

  @Field(() => ChartSectionKind)
  kind!: ChartSectionKind;

  @Field(() => Int, { nullable: true })
  capacity!: number | null;

  @Field(() => [ChartPoint], { nullable: true, description: "A standing area's outline." })
  outline!: ChartPoint[] | null;

  @Field(() => [GeneratedSeat])
  seats!: GeneratedSeat[];
}

@ObjectType({ description: "A chart as the server would generate it, or its problems (nothing is saved)." })
export class SeatingChartPreview {
  @Field(() => [GeneratedSection])
  sections!: GeneratedSection[];

  @Field(() => Int)
  seatCount!: number;

  @Field(() => Bounds, {
    nullable: true,
    description: "Around every seat and standing area; null without any.",
  })
  bounds!: Bounds | null;

  @Field(() => [ChartProblem])
  problems!: ChartProblem[];

  @Field(() => Int, { description: "Problems found beyond the ones listed." })
  moreProblems!: number;
}

export const ChartJson = GraphQLJSONObject;
