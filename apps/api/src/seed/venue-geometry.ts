// Seat-map geometry for the seeded venues: pure functions, no database.
// Units are metres; y grows downwards like a canvas. Each layout is shifted so that everything
// (seats and stage) starts at a small margin from (0, 0).

export interface Point {
  x: number;
  y: number;
}

export interface SeatPlacement {
  rowLabel: string;
  /** 0 = the row closest to the stage or field. */
  rowRank: number;
  /** From 1, increasing from the seated person's left to their right. */
  number: number;
  x: number;
  y: number;
  accessible: boolean;
}

export interface SectionLayout {
  name: string;
  /** Pricing zone: events price zones, not individual sections (see catalog.ts). */
  zone: string;
  seats: SeatPlacement[];
}

/** The stage (or field) rectangle; x/y is its top-left corner. */
export interface StageArea {
  label: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface VenueLayout {
  stage: StageArea;
  /** In drawing order: a section's index is its sortOrder. */
  sections: SectionLayout[];
}

/** Centre-to-centre distance of neighbouring seats in a row. */
const SEAT_PITCH = 0.52;
/** Gap left between neighbouring blocks of seats. */
const AISLE_WIDTH = 1.2;
const LAYOUT_MARGIN = 2;
const DEGREES = Math.PI / 180;

/** Seat positions of one row, ordered from the seated person's left to their right. */
interface RowPositions {
  label: string;
  seats: Point[];
}

/** "A".."Z", then "AA".."ZZ", "AAA"..: the doubled letters theatres use past Z. */
export function rowLetters(rank: number): string {
  const letter = String.fromCharCode(65 + (rank % 26));
  return letter.repeat(Math.floor(rank / 26) + 1);
}

// Step-free places are at aisle ends of the front row, and of the back row (the concourse side)
// in deep sections.
function isAccessible(rowRank: number, backRank: number, index: number, rowLength: number): boolean {
  const aisleEnd = index === 0 || index === rowLength - 1;
  return aisleEnd && (rowRank === 0 || (backRank >= 9 && rowRank === backRank));
}

function buildSection(name: string, zone: string, rows: RowPositions[]): SectionLayout {
  const backRank = rows.length - 1;
  const seats = rows.flatMap((row, rowRank) =>
    row.seats.map((position, index) => ({
      rowLabel: row.label,
      rowRank,
      number: index + 1,
      x: position.x,
      y: position.y,
      accessible: isAccessible(rowRank, backRank, index, row.seats.length),
    })),
  );
  return { name, zone, seats };
}

// ---------------------------------------------------------------------------------------------
// Theatres and halls: rows are arcs around a focus point behind the stage.

type Facing = "up" | "down";

/**
 * Positions at the given angles on an arc around `focus`. Angle 0 points away from the stage:
 * straight down for an audience facing up at the stage, straight up for seats behind it.
 * Increasing angles run from the seated person's left to their right in both cases.
 */
function arcPositions(focus: Point, radius: number, angles: number[], facing: Facing): Point[] {
  const sign = facing === "up" ? 1 : -1;
  return angles.map((angle) => ({
    x: focus.x + sign * radius * Math.sin(angle),
    y: focus.y + sign * radius * Math.cos(angle),
  }));
}

/** `count` seats centred on the axis of the arc. */
function centredAngles(count: number, radius: number): number[] {
  const step = SEAT_PITCH / radius;
  return Array.from({ length: count }, (_, index) => (index - (count - 1) / 2) * step);
}

/** As many seats as fit between two angles, leaving half an aisle free at each end. */
function blockAngles(radius: number, fromAngle: number, toAngle: number): number[] {
  const usableLength = (toAngle - fromAngle) * radius - AISLE_WIDTH;
  const count = Math.max(0, Math.floor(usableLength / SEAT_PITCH));
  const middle = (fromAngle + toAngle) / 2;
  return centredAngles(count, radius).map((angle) => angle + middle);
}

export interface TheatreOptions {
  stallsRows: number;
  stallsFrontRowSeats: number;
  circleRows: number;
  circleFrontRowSeats: number;
}

/** ~300 seats: 258 in the stalls, 49 in the circle. */
export const STANDARD_THEATRE: TheatreOptions = {
  stallsRows: 12,
  stallsFrontRowSeats: 16,
  circleRows: 2,
  circleFrontRowSeats: 24,
};

/** A proscenium theatre: curved stalls in front of the stage and a small circle behind them. */
export function theatreLayout(options: TheatreOptions = STANDARD_THEATRE): VenueLayout {
  const stage: StageArea = { label: "STAGE", x: -5, y: -6, width: 10, height: 6 };
  const focus = { x: 0, y: -8 };
  const stallsPitch = 0.9;
  const stallsFirstRadius = 10;
  // Each row further back holds one seat more, as the auditorium widens.
  const stalls = Array.from({ length: options.stallsRows }, (_, rank): RowPositions => {
    const radius = stallsFirstRadius + rank * stallsPitch;
    const count = options.stallsFrontRowSeats + rank;
    return {
      label: rowLetters(rank),
      seats: arcPositions(focus, radius, centredAngles(count, radius), "up"),
    };
  });
  // The circle overhangs the back of the stalls; on a flat map it is drawn just behind them.
  const circleFirstRadius = stallsFirstRadius + options.stallsRows * stallsPitch + 2.5;
  const circle = Array.from({ length: options.circleRows }, (_, rank): RowPositions => {
    const radius = circleFirstRadius + rank * 0.95;
    const count = options.circleFrontRowSeats + rank;
    return {
      label: rowLetters(rank),
      seats: arcPositions(focus, radius, centredAngles(count, radius), "up"),
    };
  });
  return normalize({
    stage,
    sections: [buildSection("Stalls", "stalls", stalls), buildSection("Circle", "circle", circle)],
  });
}

export interface HallOptions {
  stallsRows: number;
  balconyRows: number;
  /** Half the opening angle of the fan of seats. */
  halfSpanDegrees: number;
  choirRows: number;
}

/** ~2,500 seats. */
export const STANDARD_HALL: HallOptions = {
  stallsRows: 28,
  balconyRows: 9,
  halfSpanDegrees: 33,
  choirRows: 4,
};

/**
 * A fan-shaped concert hall: stalls and a balcony, each split by two aisles into left, centre and
 * right blocks, plus a small choir gallery behind the stage (sold only when no choir uses it).
 */
export function hallLayout(options: HallOptions = STANDARD_HALL): VenueLayout {
  const stage: StageArea = { label: "STAGE", x: -9, y: -10, width: 18, height: 10 };
  // The focus sits well behind the stage so the front rows stay clear of its edge.
  const focus = { x: 0, y: -12 };
  const halfSpan = options.halfSpanDegrees * DEGREES;
  const blocks = [
    { side: "Left", zone: "side", from: -halfSpan, to: -halfSpan / 3 },
    { side: "Centre", zone: "centre", from: -halfSpan / 3, to: halfSpan / 3 },
    { side: "Right", zone: "side", from: halfSpan / 3, to: halfSpan },
  ];
  const stallsPitch = 0.92;
  const stallsFirstRadius = 15;
  const balconyFirstRadius = stallsFirstRadius + options.stallsRows * stallsPitch + 3.5;
  const level = (levelName: string, zonePrefix: string, rows: number, firstRadius: number, pitch: number) =>
    blocks.map((block) => {
      const rowPositions = Array.from({ length: rows }, (_, rank): RowPositions => {
        const radius = firstRadius + rank * pitch;
        return {
          label: rowLetters(rank),
          seats: arcPositions(focus, radius, blockAngles(radius, block.from, block.to), "up"),
        };
      });
      return buildSection(`${levelName} ${block.side}`, `${zonePrefix}-${block.zone}`, rowPositions);
    });
  // Choir seats face the audience from behind the stage, curving around its centre.
  const stageCentre = { x: 0, y: stage.y + stage.height / 2 };
  const choir = Array.from({ length: options.choirRows }, (_, rank): RowPositions => {
    const radius = 7.5 + rank * 0.9;
    return {
      label: rowLetters(rank),
      seats: arcPositions(stageCentre, radius, blockAngles(radius, -40 * DEGREES, 40 * DEGREES), "down"),
    };
  });
  return normalize({
    stage,
    sections: [
      ...level("Stalls", "stalls", options.stallsRows, stallsFirstRadius, stallsPitch),
      ...level("Balcony", "balcony", options.balconyRows, balconyFirstRadius, 1),
      buildSection("Choir", "choir", choir),
    ],
  });
}

// ---------------------------------------------------------------------------------------------
// Stadium: rows are offsets of a rounded rectangle around the field, so they run straight along
// the stands and curve around the corners. Section boundaries are normals of that curve, which
// keeps straight-stand sections rectangular and makes corner sections widen like wedges.

const FIELD_LENGTH = 105;
const FIELD_WIDTH = 68;
/** Space between the touchline and the front row. */
const RUN_OFF = 7;
/** Corner radius of the front row's rounded rectangle. */
const FRONT_CORNER_RADIUS = 14;
const HALF_STRAIGHT_X = FIELD_LENGTH / 2 + RUN_OFF - FRONT_CORNER_RADIUS;
const HALF_STRAIGHT_Y = FIELD_WIDTH / 2 + RUN_OFF - FRONT_CORNER_RADIUS;

type StandKind = "side" | "end" | "corner";

interface BowlSegment {
  kind: StandKind;
  length: number;
  pointAt(fraction: number): Point;
}

/**
 * The eight pieces of the bowl at `offset` metres behind the front row, clockwise on screen from
 * the top-left end of the top stand: straight, corner, straight, corner...
 */
function bowlSegments(offset: number): BowlSegment[] {
  const radius = FRONT_CORNER_RADIUS + offset;
  const hx = HALF_STRAIGHT_X;
  const hy = HALF_STRAIGHT_Y;
  const straight = (kind: StandKind, from: Point, to: Point): BowlSegment => ({
    kind,
    length: Math.hypot(to.x - from.x, to.y - from.y),
    pointAt: (fraction) => ({
      x: from.x + (to.x - from.x) * fraction,
      y: from.y + (to.y - from.y) * fraction,
    }),
  });
  const corner = (centre: Point, startAngle: number): BowlSegment => ({
    kind: "corner",
    length: (radius * Math.PI) / 2,
    pointAt: (fraction) => {
      const angle = startAngle + (fraction * Math.PI) / 2;
      return { x: centre.x + radius * Math.cos(angle), y: centre.y + radius * Math.sin(angle) };
    },
  });
  return [
    straight("side", { x: -hx, y: -hy - radius }, { x: hx, y: -hy - radius }),
    corner({ x: hx, y: -hy }, -Math.PI / 2),
    straight("end", { x: hx + radius, y: -hy }, { x: hx + radius, y: hy }),
    corner({ x: hx, y: hy }, 0),
    straight("side", { x: hx, y: hy + radius }, { x: -hx, y: hy + radius }),
    corner({ x: -hx, y: hy }, Math.PI / 2),
    straight("end", { x: -hx - radius, y: hy }, { x: -hx - radius, y: -hy }),
    corner({ x: -hx, y: -hy }, Math.PI),
  ];
}

interface StadiumRing {
  /** Hundreds digit of the ring's section numbers. */
  level: number;
  zonePrefix: string;
  /** Distance of the ring's front row behind the bowl's front row. */
  firstOffset: number;
  rows: number;
  rowPitch: number;
  sectionsPer: Record<StandKind, number>;
}

const STADIUM_RINGS: StadiumRing[] = [
  {
    level: 1,
    zonePrefix: "lower",
    firstOffset: 0,
    rows: 26,
    rowPitch: 0.8,
    sectionsPer: { side: 6, end: 4, corner: 3 },
  },
  // A concourse and hospitality level separate the rings.
  {
    level: 2,
    zonePrefix: "upper",
    firstOffset: 28,
    rows: 30,
    rowPitch: 0.85,
    sectionsPer: { side: 6, end: 4, corner: 4 },
  },
];

/** Seats of one section's row, in clockwise (screen) order. */
function bowlRowPositions(segment: BowlSegment, sectionIndex: number, sectionCount: number): Point[] {
  const sectionLength = segment.length / sectionCount;
  const count = Math.max(0, Math.floor((sectionLength - AISLE_WIDTH) / SEAT_PITCH));
  const start = sectionIndex * sectionLength + (sectionLength - count * SEAT_PITCH) / 2;
  return Array.from({ length: count }, (_, index) =>
    segment.pointAt((start + (index + 0.5) * SEAT_PITCH) / segment.length),
  );
}

/** A football stadium of ~56,000 seats: a lower and an upper ring of sections all around the field. */
export function stadiumLayout(): VenueLayout {
  const stage: StageArea = {
    label: "FIELD",
    x: -FIELD_LENGTH / 2,
    y: -FIELD_WIDTH / 2,
    width: FIELD_LENGTH,
    height: FIELD_WIDTH,
  };
  const sections: SectionLayout[] = [];
  for (const ring of STADIUM_RINGS) {
    let sectionNumber = ring.level * 100;
    const segmentKinds = bowlSegments(0).map((segment) => segment.kind);
    segmentKinds.forEach((kind, segmentIndex) => {
      const sectionCount = ring.sectionsPer[kind];
      for (let sectionIndex = 0; sectionIndex < sectionCount; sectionIndex += 1) {
        sectionNumber += 1;
        const rows = Array.from({ length: ring.rows }, (_, rank): RowPositions => {
          const segment = bowlSegments(ring.firstOffset + rank * ring.rowPitch)[segmentIndex];
          if (!segment) throw new Error(`no bowl segment ${segmentIndex}`);
          // Facing the field, a person's left-to-right runs counter-clockwise on screen.
          const seats = bowlRowPositions(segment, sectionIndex, sectionCount).reverse();
          return { label: String(rank + 1), seats };
        });
        sections.push(buildSection(`Section ${sectionNumber}`, `${ring.zonePrefix}-${kind}`, rows));
      }
    });
  }
  return normalize({ stage, sections });
}

// ---------------------------------------------------------------------------------------------

const round = (value: number) => Math.round(value * 100) / 100;

/** Shifts the layout to positive coordinates and rounds them to centimetres. */
function normalize(layout: VenueLayout): VenueLayout {
  let minX = layout.stage.x;
  let minY = layout.stage.y;
  for (const section of layout.sections) {
    for (const seat of section.seats) {
      minX = Math.min(minX, seat.x);
      minY = Math.min(minY, seat.y);
    }
  }
  const dx = LAYOUT_MARGIN - minX;
  const dy = LAYOUT_MARGIN - minY;
  return {
    stage: { ...layout.stage, x: round(layout.stage.x + dx), y: round(layout.stage.y + dy) },
    sections: layout.sections.map((section) => ({
      ...section,
      seats: section.seats.map((seat) => ({ ...seat, x: round(seat.x + dx), y: round(seat.y + dy) })),
    })),
  };
}

export function seatCount(layout: VenueLayout): number {
  return layout.sections.reduce((total, section) => total + section.seats.length, 0);
}
