// The venue builder's model of a chart, and its translation into the chart shape the API takes
// (docs/venues.md). Sections the builder makes are blocks: so many rows of so many seats, straight or
// curved, moved and rotated. Sections of a loaded chart that were described otherwise (rows of different
// lengths, seats drawn elsewhere) keep their rows as they are; the builder moves and turns them.

export interface BlockSection {
  key: string;
  kind: "BLOCK";
  name: string;
  x: number;
  y: number;
  rotation: number;
  rows: number;
  seatsPerRow: number;
  /** Metres between rows. */
  rowSpacing: number;
  /** Metres between seats in a row. */
  seatSpacing: number;
  /** 0: straight rows; otherwise the front row's radius (rows behind it curve round the same centre). */
  curve: number;
}

export interface StandingSection {
  key: string;
  kind: "STANDING";
  name: string;
  x: number;
  y: number;
  rotation: number;
  capacity: number;
  width: number;
  height: number;
}

/** A section of a loaded chart kept as it was described; only its name, position and rotation change. */
export interface DescribedSection {
  key: string;
  kind: "DESCRIBED";
  name: string;
  x: number;
  y: number;
  rotation: number;
  description: Record<string, unknown>;
  summary: string;
}

export type BuilderSection = BlockSection | StandingSection | DescribedSection;

export interface BuilderChart {
  name: string;
  sections: BuilderSection[];
}

let keys = 0;
export const newKey = () => `section-${++keys}`;

/** "A".."Z", then "AA".."ZZ": the row letters theatres use. */
export function rowLetters(rank: number): string {
  return String.fromCharCode(65 + (rank % 26)).repeat(Math.floor(rank / 26) + 1);
}

export function newBlock(index: number, near: { x: number; y: number }): BlockSection {
  return {
    key: newKey(),
    kind: "BLOCK",
    name: `Block ${index}`,
    x: near.x,
    y: near.y,
    rotation: 0,
    rows: 5,
    seatsPerRow: 12,
    rowSpacing: 0.9,
    seatSpacing: 0.52,
    curve: 0,
  };
}

export function newStanding(index: number, near: { x: number; y: number }): StandingSection {
  return {
    key: newKey(),
    kind: "STANDING",
    name: `Standing ${index}`,
    x: near.x,
    y: near.y,
    rotation: 0,
    capacity: 200,
    width: 10,
    height: 6,
  };
}

const placement = (section: BuilderSection) => ({
  name: section.name,
  position: { x: section.x, y: section.y },
  rotation: section.rotation,
});

/** The chart shape the API takes. */
export function toChartJson(chart: BuilderChart): Record<string, unknown> {
  return {
    name: chart.name,
    sections: chart.sections.map((section) => {
      if (section.kind === "STANDING") {
        return {
          ...placement(section),
          kind: "STANDING",
          capacity: section.capacity,
          shape: { x: -section.width / 2, y: 0, width: section.width, height: section.height },
        };
      }
      if (section.kind === "DESCRIBED") return { ...section.description, ...placement(section) };
      return {
        ...placement(section),
        seatSpacing: section.seatSpacing,
        rows: Array.from({ length: section.rows }, (_, rank) => {
          const offset = rank * section.rowSpacing;
          return section.curve > 0
            ? {
                label: rowLetters(rank),
                seats: section.seatsPerRow,
                y: section.curve + offset,
                radius: section.curve + offset,
              }
            : { label: rowLetters(rank), seats: section.seatsPerRow, y: offset };
        }),
      };
    }),
  };
}

const numberOr = (value: unknown, fallback: number) =>
  typeof value === "number" && Number.isFinite(value) ? value : fallback;

/** A chart the API exported, as the builder edits it. */
export function fromChartJson(json: unknown): BuilderChart {
  const chart = (json ?? {}) as { name?: unknown; sections?: unknown };
  const sections = Array.isArray(chart.sections) ? (chart.sections as Record<string, unknown>[]) : [];
  return {
    name: typeof chart.name === "string" ? chart.name : "Main",
    sections: sections.map((section): BuilderSection => {
      const position = (section.position ?? {}) as { x?: unknown; y?: unknown };
      const base = {
        key: newKey(),
        name: String(section.name ?? ""),
        x: numberOr(position.x, 0),
        y: numberOr(position.y, 0),
        rotation: numberOr(section.rotation, 0),
      };
      const shape = (section.shape ?? {}) as Record<string, unknown>;
      if (
        section.kind === "STANDING" &&
        typeof shape.width === "number" &&
        numberOr(shape.x, 0) === -shape.width / 2
      ) {
        return {
          ...base,
          kind: "STANDING",
          capacity: numberOr(section.capacity, 1),
          width: shape.width,
          height: numberOr(shape.height, 1),
        };
      }
      const rows = Array.isArray(section.rows) ? section.rows.length : 0;
      const seats = Array.isArray(section.seats) ? section.seats.length : 0;
      const { name: _name, position: _position, rotation: _rotation, ...description } = section;
      const summary =
        section.kind === "STANDING"
          ? `standing, ${numberOr(section.capacity, 0)} places`
          : `${rows} rows${seats ? `, ${seats} seats drawn elsewhere` : ""}`;
      return { ...base, kind: "DESCRIBED", description, summary };
    }),
  };
}

/** Where a new section goes: centred on the stage, behind everything drawn so far. */
export function nextSpot(
  chart: BuilderChart,
  stage: { x: number; y: number; width: number; height: number },
): { x: number; y: number } {
  const front = stage.y + stage.height + 2;
  const lowest = chart.sections.reduce((bottom, section) => Math.max(bottom, section.y), front - 8);
  return { x: stage.x + stage.width / 2, y: lowest + 8 };
}
