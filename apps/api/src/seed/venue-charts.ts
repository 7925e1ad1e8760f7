// The seeded venues' seating charts, described the way organizers describe theirs (docs/venues.md) and
// laid out by the venues module's generator, the API's one path. Units are metres; y grows downwards
// like a canvas. Each venue is shifted so that everything (seats and stage) starts at a small margin
// from (0, 0).
import { generateChart } from "../modules/venues/chart-generator.js";
import type {
  ChartDescription,
  Point,
  RowDescription,
  SeatedSectionDescription,
  SectionDescription,
} from "../modules/venues/chart-shape.js";

/** The stage (or field) rectangle; x/y is its top-left corner. */
export interface StageArea {
  label: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A seeded venue's drawing: its stage, its charts ("Main" first) and the pricing zone of each section. */
export interface VenueCharts {
  stage: StageArea;
  charts: ChartDescription[];
  /** Section name → pricing zone: events price zones, not individual sections (see catalog.ts). */
  zones: Map<string, string>;
}

interface ZonedSection {
  section: SeatedSectionDescription;
  zone: string;
}

/** Centre-to-centre distance of neighbouring seats in a row. */
const SEAT_PITCH = 0.52;
/** Gap left between neighbouring blocks of seats. */
const AISLE_WIDTH = 1.2;
const LAYOUT_MARGIN = 2;
const DEGREES = Math.PI / 180;

/** "A".."Z", then "AA".."ZZ", "AAA"..: the doubled letters theatres use past Z. */
export function rowLetters(rank: number): string {
  const letter = String.fromCharCode(65 + (rank % 26));
  return letter.repeat(Math.floor(rank / 26) + 1);
}

// Step-free places are at aisle ends of the front row, and of the back row (the concourse side)
// in deep sections. Each is a wheelchair space with a companion seat beside it, towards the middle of
// the row (docs/standing.md, Accessible seats): 6 in a ~300-seat theatre, 20 to 26 in a hall of
// 2,100 to 2,600 and 272 in the 52,800-seat stadium (about 2%, 1% and 0.5%, in line with the usual
// guidance for venues of those sizes).
function withAccessibleSeats(rows: RowDescription[]): RowDescription[] {
  const backRank = rows.length - 1;
  return rows.map((row, rank) => {
    const accessible = rank === 0 || (backRank >= 9 && rank === backRank);
    if (!accessible || row.seats === 0) return row;
    const ends = row.seats === 1 ? [1] : [1, row.seats];
    // A short row keeps its step-free ends but has no room for a space and its companion at each end.
    if (row.seats < 4) return { ...row, accessible: ends };
    return { ...row, accessible: ends, wheelchair: ends, companion: [2, row.seats - 1] };
  });
}

function section(
  name: string,
  zone: string,
  placement: Pick<SectionDescription, "position" | "rotation">,
  rows: RowDescription[],
): ZonedSection {
  return { section: { name, ...placement, rows: withAccessibleSeats(rows) }, zone };
}

/** A row curving round its section's origin, `radius` away from it. */
const arcRow = (label: string, seats: number, radius: number): RowDescription => ({
  label,
  seats,
  y: radius,
  radius,
});

/** As many seats as fit on an arc between two angles, leaving half an aisle free at each end. */
const seatsBetween = (radius: number, fromAngle: number, toAngle: number) =>
  Math.max(0, Math.floor(((toAngle - fromAngle) * radius - AISLE_WIDTH) / SEAT_PITCH));

/** Shifts the drawing so that its stage and seats start `LAYOUT_MARGIN` from (0, 0). */
function placed(stage: StageArea, zoned: ZonedSection[], extra: Record<string, SectionDescription[]> = {}) {
  const sections = zoned.map((entry) => entry.section);
  let minX = stage.x;
  let minY = stage.y;
  for (const generated of generateChart({ name: "Main", sections }, { exact: true }).sections) {
    for (const seat of generated.seats) {
      minX = Math.min(minX, seat.x);
      minY = Math.min(minY, seat.y);
    }
  }
  const dx = LAYOUT_MARGIN - minX;
  const dy = LAYOUT_MARGIN - minY;
  const round = (value: number) => Math.round(value * 100) / 100;
  const shift = <T extends SectionDescription>(described: T): T => {
    const position = described.position ?? { x: 0, y: 0 };
    return { ...described, position: { x: position.x + dx, y: position.y + dy } };
  };
  return {
    stage: { ...stage, x: round(stage.x + dx), y: round(stage.y + dy) },
    charts: [
      { name: "Main", sections: sections.map(shift) },
      ...Object.entries(extra).map(([name, chartSections]) => ({ name, sections: chartSections.map(shift) })),
    ],
    zones: new Map(zoned.map((entry) => [entry.section.name, entry.zone])),
  };
}

// ---------------------------------------------------------------------------------------------
// Theatres and halls: rows are arcs around a focus point behind the stage.

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
export function theatreCharts(options: TheatreOptions = STANDARD_THEATRE): VenueCharts {
  const stage: StageArea = { label: "STAGE", x: -5, y: -6, width: 10, height: 6 };
  const focus = { position: { x: 0, y: -8 } };
  const stallsPitch = 0.9;
  const stallsFirstRadius = 10;
  // Each row further back holds one seat more, as the auditorium widens.
  const stalls = Array.from({ length: options.stallsRows }, (_, rank) =>
    arcRow(rowLetters(rank), options.stallsFrontRowSeats + rank, stallsFirstRadius + rank * stallsPitch),
  );
  // The circle overhangs the back of the stalls; on a flat map it is drawn just behind them.
  const circleFirstRadius = stallsFirstRadius + options.stallsRows * stallsPitch + 2.5;
  const circle = Array.from({ length: options.circleRows }, (_, rank) =>
    arcRow(rowLetters(rank), options.circleFrontRowSeats + rank, circleFirstRadius + rank * 0.95),
  );
  return placed(stage, [
    section("Stalls", "stalls", focus, stalls),
    section("Circle", "circle", focus, circle),
  ]);
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

/** Points of an arc round `centre`, angle 0 pointing down (away from the stage), as a polygon's edge. */
function arcOutline(
  centre: Point,
  radius: number,
  fromAngle: number,
  toAngle: number,
  steps: number,
): Point[] {
  return Array.from({ length: steps + 1 }, (_, step) => {
    const angle = fromAngle + ((toAngle - fromAngle) * step) / steps;
    return { x: centre.x + radius * Math.sin(angle), y: centre.y + radius * Math.cos(angle) };
  });
}

/**
 * A fan-shaped concert hall: stalls and a balcony, each split by two aisles into left, centre and
 * right blocks, plus a small choir gallery behind the stage (sold only when no choir uses it). With
 * `standingFloor`, a second chart "Standing Floor" replaces the stalls with a standing area.
 */
export function hallCharts(
  options: HallOptions = STANDARD_HALL,
  standingFloor?: { capacity: number },
): VenueCharts {
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
      // A block is the centred fan of seats turned to the middle of its angles.
      const middle = (block.from + block.to) / 2;
      const rowsOfBlock = Array.from({ length: rows }, (_, rank) => {
        const radius = firstRadius + rank * pitch;
        return arcRow(rowLetters(rank), seatsBetween(radius, block.from, block.to), radius);
      });
      const placement = { position: focus, rotation: -middle / DEGREES };
      return section(`${levelName} ${block.side}`, `${zonePrefix}-${block.zone}`, placement, rowsOfBlock);
    });
  // Choir seats face the audience from behind the stage, curving around its centre.
  const stageCentre = { x: 0, y: stage.y + stage.height / 2 };
  const choir = Array.from({ length: options.choirRows }, (_, rank) => {
    const radius = 7.5 + rank * 0.9;
    return arcRow(rowLetters(rank), seatsBetween(radius, -40 * DEGREES, 40 * DEGREES), radius);
  });
  const stalls = level("Stalls", "stalls", options.stallsRows, stallsFirstRadius, stallsPitch);
  const rest = [
    ...level("Balcony", "balcony", options.balconyRows, balconyFirstRadius, 1),
    section("Choir", "choir", { position: stageCentre, rotation: 180 }, choir),
  ];
  const extra: Record<string, SectionDescription[]> = {};
  if (standingFloor) {
    const backRadius = stallsFirstRadius + (options.stallsRows - 1) * stallsPitch + 0.5;
    const floor: SectionDescription = {
      name: "Standing Floor",
      kind: "STANDING",
      capacity: standingFloor.capacity,
      position: focus,
      shape: {
        points: [
          ...arcOutline({ x: 0, y: 0 }, stallsFirstRadius - 0.5, -halfSpan, halfSpan, 8),
          ...arcOutline({ x: 0, y: 0 }, backRadius, halfSpan, -halfSpan, 8),
        ],
      },
    };
    extra["Standing Floor"] = [floor, ...rest.map((entry) => entry.section)];
  }
  return placed(stage, [...stalls, ...rest], extra);
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

/**
 * The eight pieces of the bowl's front row, clockwise on screen from the top-left end of the top stand:
 * straight stands (from, to, and the rotation that turns a section's rows to face the field) and
 * corners (their centre and the angle they start at).
 */
type BowlPiece =
  | { kind: "side" | "end"; from: Point; to: Point; rotation: number }
  | { kind: "corner"; centre: Point; startAngle: number };

function bowlPieces(): BowlPiece[] {
  const radius = FRONT_CORNER_RADIUS;
  const hx = HALF_STRAIGHT_X;
  const hy = HALF_STRAIGHT_Y;
  return [
    { kind: "side", from: { x: -hx, y: -hy - radius }, to: { x: hx, y: -hy - radius }, rotation: 180 },
    { kind: "corner", centre: { x: hx, y: -hy }, startAngle: -Math.PI / 2 },
    { kind: "end", from: { x: hx + radius, y: -hy }, to: { x: hx + radius, y: hy }, rotation: -90 },
    { kind: "corner", centre: { x: hx, y: hy }, startAngle: 0 },
    { kind: "side", from: { x: hx, y: hy + radius }, to: { x: -hx, y: hy + radius }, rotation: 0 },
    { kind: "corner", centre: { x: -hx, y: hy }, startAngle: Math.PI / 2 },
    { kind: "end", from: { x: -hx - radius, y: hy }, to: { x: -hx - radius, y: -hy }, rotation: 90 },
    { kind: "corner", centre: { x: -hx, y: -hy }, startAngle: Math.PI },
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

/** Seats that fit in a section's share of a stand, half an aisle free at each end. */
const seatsAlong = (sectionLength: number) =>
  Math.max(0, Math.floor((sectionLength - AISLE_WIDTH) / SEAT_PITCH));

/**
 * One section of a ring: a straight stand's rows run parallel to its front; a corner's rows are arcs
 * round the corner's centre. Facing the field, a person's left-to-right runs counter-clockwise on screen.
 */
function bowlSection(
  ring: StadiumRing,
  piece: BowlPiece,
  index: number,
  count: number,
): { rows: RowDescription[]; placement: Pick<SectionDescription, "position" | "rotation"> } {
  const offsets = Array.from({ length: ring.rows }, (_, rank) => ring.firstOffset + rank * ring.rowPitch);
  if (piece.kind === "corner") {
    const middle = piece.startAngle + ((index + 0.5) * (Math.PI / 2)) / count;
    const rows = offsets.map((offset, rank) => {
      const radius = FRONT_CORNER_RADIUS + offset;
      return arcRow(String(rank + 1), seatsAlong((radius * Math.PI) / 2 / count), radius);
    });
    return { rows, placement: { position: piece.centre, rotation: middle / DEGREES - 90 } };
  }
  const length = Math.hypot(piece.to.x - piece.from.x, piece.to.y - piece.from.y);
  const fraction = (index + 0.5) / count;
  const position = {
    x: piece.from.x + (piece.to.x - piece.from.x) * fraction,
    y: piece.from.y + (piece.to.y - piece.from.y) * fraction,
  };
  const seats = seatsAlong(length / count);
  const rows = offsets.map((offset, rank): RowDescription => ({ label: String(rank + 1), seats, y: offset }));
  return { rows, placement: { position, rotation: piece.rotation } };
}

/**
 * A football stadium of ~53,000 seats: a lower and an upper ring of sections all around the field.
 * Its second chart, "Concert", adds a standing area on the pitch in front of a stage at one end.
 */
export function stadiumCharts(pitchStanding = { capacity: 8_000 }): VenueCharts {
  const stage: StageArea = {
    label: "FIELD",
    x: -FIELD_LENGTH / 2,
    y: -FIELD_WIDTH / 2,
    width: FIELD_LENGTH,
    height: FIELD_WIDTH,
  };
  const sections: ZonedSection[] = [];
  for (const ring of STADIUM_RINGS) {
    let sectionNumber = ring.level * 100;
    for (const piece of bowlPieces()) {
      const count = ring.sectionsPer[piece.kind];
      for (let index = 0; index < count; index += 1) {
        sectionNumber += 1;
        const { rows, placement } = bowlSection(ring, piece, index, count);
        sections.push(
          section(`Section ${sectionNumber}`, `${ring.zonePrefix}-${piece.kind}`, placement, rows),
        );
      }
    }
  }
  // Drawn over the field, clear of the touchlines.
  const pitch: SectionDescription = {
    name: "Pitch Standing",
    kind: "STANDING",
    capacity: pitchStanding.capacity,
    shape: {
      x: -FIELD_LENGTH / 2 + 3,
      y: -FIELD_WIDTH / 2 + 3,
      width: FIELD_LENGTH - 6,
      height: FIELD_WIDTH - 6,
    },
  };
  return placed(stage, sections, { Concert: [...sections.map((entry) => entry.section), pitch] });
}
