import { Directive, Field, Float, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { cacheFor, inheritCache } from "../../graphql/cache-control.js";
import { SEAT_MAP_MAX_AGE_SECONDS } from "./seat-map-json.js";

export enum SeatStatus {
  AVAILABLE = "AVAILABLE",
  HELD = "HELD",
  SOLD = "SOLD",
  NOT_FOR_SALE = "NOT_FOR_SALE",
}
registerEnumType(SeatStatus, { name: "SeatStatus" });

// A const object rather than a TS enum, so that the services' plain "SEATED" | "STANDING" fit it.
export const SectionKind = { SEATED: "SEATED", STANDING: "STANDING" } as const;
export type SectionKind = (typeof SectionKind)[keyof typeof SectionKind];
registerEnumType(SectionKind, {
  name: "SectionKind",
  description: "SEATED: numbered seats. STANDING: a standing area sold by quantity (general admission).",
});

@ObjectType({ description: "Where the stage or field is drawn, in seat coordinate units." })
@Directive(inheritCache)
export class Stage {
  @Field()
  label!: string;

  @Field(() => Float)
  x!: number;

  @Field(() => Float)
  y!: number;

  @Field(() => Float)
  width!: number;

  @Field(() => Float)
  height!: number;
}

@ObjectType({ description: "The rectangle that contains every seat and the stage." })
@Directive(inheritCache)
export class Bounds {
  @Field(() => Float)
  minX!: number;

  @Field(() => Float)
  minY!: number;

  @Field(() => Float)
  maxX!: number;

  @Field(() => Float)
  maxY!: number;
}

@ObjectType()
@Directive(inheritCache)
export class Seat {
  @Field(() => ID)
  id!: number;

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

  @Field({ description: "A wheelchair space (holdBestAvailable gives it only to accessibleSeats)." })
  wheelchair!: boolean;

  @Field({ description: "A companion seat beside a wheelchair space." })
  companion!: boolean;

  index!: number;
}

@ObjectType()
@Directive(inheritCache)
export class SeatMapSection {
  @Field(() => ID)
  id!: number;

  @Field()
  name!: string;

  @Field(() => SectionKind)
  kind!: SectionKind;

  @Field(() => Int, { nullable: true, description: "Places of a STANDING section; null for a SEATED one." })
  capacity!: number | null;

  @Field(() => ID, { nullable: true, description: "The tier this section sells at; null when not for sale." })
  priceTierId!: number | null;

  @Field(() => [Seat])
  seats!: Seat[];
}

@ObjectType({
  description:
    "An event's seat map. `statuses` has one character per seat, in the order of `sections` and their " +
    "`seats`: A available, H held, S sold, X not for sale. Apply `seatMapChanged` deltas with a higher " +
    "`version` on top of it; a gap in versions means: fetch the seat map again.",
})
@Directive(cacheFor(SEAT_MAP_MAX_AGE_SECONDS))
export class SeatMap {
  @Field(() => ID)
  eventId!: number;

  @Field(() => Int, { description: "Increases by one with every published change of this map." })
  version!: number;

  @Field()
  statuses!: string;

  @Field(() => Stage)
  stage!: Stage;

  @Field(() => Bounds)
  bounds!: Bounds;

  @Field(() => [SeatMapSection], { description: "The static layout: cheap to fetch once and keep." })
  sections!: SeatMapSection[];

  @Field(() => [SeatMapArea], {
    description: "The standing areas on sale, with their places left at this `version` (deltas update them).",
  })
  areas!: SeatMapArea[];
}

@ObjectType({ description: "A standing area on sale: a STANDING section, sold by quantity." })
export class SeatMapArea {
  @Field(() => ID, { description: "The section's id (holdGeneralAdmission's areaId)." })
  id!: number;

  @Field()
  name!: string;

  @Field(() => Int)
  capacity!: number;

  @Field(() => Int, { description: "Places neither held nor sold." })
  available!: number;

  @Field(() => [Float], {
    nullable: true,
    description:
      "Where the area is drawn: its outline as x, y pairs in seat coordinates (x1, y1, x2, y2, …).",
  })
  outline!: number[] | null;
}

@ObjectType({ description: "A standing area's places left after a change." })
export class AreaAvailability {
  @Field(() => ID)
  areaId!: number;

  @Field(() => Int)
  available!: number;
}

@ObjectType({ description: "A seat's status after a change." })
export class SeatStatusChange {
  @Field(() => ID)
  seatId!: number;

  @Field(() => SeatStatus)
  status!: SeatStatus;
}

@ObjectType({
  description:
    "The seats of an event that changed since the previous delta, with their current statuses. " +
    "`version` increases by one per delta and continues `SeatMap.version`: apply a delta whose version " +
    "is one above yours; skip older ones; after a gap, fetch the seat map again.",
})
export class SeatMapDelta {
  @Field(() => ID)
  eventId!: number;

  @Field(() => Int)
  version!: number;

  @Field(() => [SeatStatusChange])
  changes!: SeatStatusChange[];

  @Field(() => [AreaAvailability], {
    description: "Standing areas whose places left changed: the new counts.",
  })
  areas!: AreaAvailability[];
}
