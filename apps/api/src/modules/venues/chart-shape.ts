// The seating chart as organizers describe it (docs/venues.md, "The chart shape"): the JSON the API takes
// and exports, and the seed writes its venues with. Units are metres, y grows downwards like a canvas.
// Every section has a position and a rotation; its rows and shapes are drawn in the section's own frame,
// where the stage is up (towards -y) and a seated person's left-to-right runs along +x.

export interface Point {
  x: number;
  y: number;
}

/** Which way seat numbers run along a row, as the seated person sees it. */
export type NumberingDirection = "LEFT_TO_RIGHT" | "RIGHT_TO_LEFT";

/** Seat flags, each a list of seat numbers of the row. */
export interface RowFlags {
  accessible?: number[];
  wheelchair?: number[];
  companion?: number[];
  restrictedView?: number[];
}

/** A row the server lays out: `seats` seats centred on the section's axis, `y` metres behind its origin. */
export interface RowDescription extends RowFlags {
  label: string;
  seats: number;
  /** Distance of the row's middle from the section's origin, away from the stage. */
  y: number;
  /** Moves the row along itself (its middle sits at this x); 0 when missing. */
  x?: number;
  /** A curved row bends round a centre this far in front of it (towards the stage); straight when missing. */
  radius?: number;
  /** Centre-to-centre distance of neighbouring seats; the section's `seatSpacing` when missing. */
  spacing?: number;
  /** The first seat's number (default 1), the step between numbers (default 1) and their direction. */
  numbering?: { start?: number; step?: number; direction?: NumberingDirection };
  /** Numbers never used (no seat 13): numbering jumps over them; the seats stay where they are. */
  skip?: number[];
}

export type SeatFlag = "accessible" | "wheelchair" | "companion" | "restrictedView";
export const SEAT_FLAGS: readonly SeatFlag[] = ["accessible", "wheelchair", "companion", "restrictedView"];

/** A seat drawn elsewhere (a CSV import): where it is, in the section's frame. */
export interface SeatDescription {
  row: string;
  number: number;
  x: number;
  y: number;
  flags?: SeatFlag[];
}

interface SectionPlacement {
  name: string;
  /** Where the section's origin is on the chart; (0, 0) when missing. */
  position?: Point;
  /** Degrees, clockwise on screen, about the section's origin; 0 when missing. */
  rotation?: number;
}

export interface SeatedSectionDescription extends SectionPlacement {
  kind?: "SEATED";
  /** Default centre-to-centre distance of seats in its rows (0.52 m when missing). */
  seatSpacing?: number;
  rows?: RowDescription[];
  seats?: SeatDescription[];
}

/** A rectangle (x, y: its top-left corner) or a polygon, in the section's frame. */
export type ShapeDescription = { x: number; y: number; width: number; height: number } | { points: Point[] };

export interface StandingSectionDescription extends SectionPlacement {
  kind: "STANDING";
  capacity: number;
  shape: ShapeDescription;
}

export type SectionDescription = SeatedSectionDescription | StandingSectionDescription;

export interface ChartDescription {
  /** The chart's name at its venue ("Main", "Concert"); versions share it. */
  name: string;
  sections: SectionDescription[];
}

export const DEFAULT_SEAT_SPACING = 0.52;

// ---------------------------------------------------------------------------------------------
// What the generator makes of a description: every seat with its coordinates, in drawing order.

export interface GeneratedSeat {
  rowLabel: string;
  /** 0 = the section's first row (closest to the stage). */
  rowRank: number;
  number: number;
  x: number;
  y: number;
  accessible: boolean;
  wheelchair: boolean;
  companion: boolean;
  restrictedView: boolean;
}

export interface GeneratedSection {
  name: string;
  kind: "SEATED" | "STANDING";
  /** STANDING only. */
  capacity: number | null;
  /** STANDING only: the area's outline on the chart. */
  outline: Point[] | null;
  seats: GeneratedSeat[];
}

export interface GeneratedChart {
  name: string;
  sections: GeneratedSection[];
  seatCount: number;
}
