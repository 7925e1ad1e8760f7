import { setImmediate as nextLoopTurn } from "node:timers/promises";
import {
  type ChartDescription,
  DEFAULT_SEAT_SPACING,
  type GeneratedChart,
  type GeneratedSeat,
  type GeneratedSection,
  type Point,
  type RowDescription,
  type SeatDescription,
  type SectionDescription,
  type ShapeDescription,
} from "./chart-shape.js";

// The one seat generator (docs/venues.md): turns a chart description into every seat with its coordinates.
// The API's chart editing and import and the seed's venues all go through it. Pure: no database.
// The description must have passed validateChart (chart-validation.ts).

const DEGREES = Math.PI / 180;

/** A rotation by `degrees` clockwise on screen; exact for multiples of 90 (no 6e-17 where 0 is meant). */
export function rotation(degrees: number): { cos: number; sin: number } {
  const quarter = degrees / 90;
  if (Number.isInteger(quarter)) {
    const turns = ((quarter % 4) + 4) % 4;
    return [
      { cos: 1, sin: 0 },
      { cos: 0, sin: 1 },
      { cos: -1, sin: 0 },
      { cos: 0, sin: -1 },
    ][turns] as { cos: number; sin: number };
  }
  return { cos: Math.cos(degrees * DEGREES), sin: Math.sin(degrees * DEGREES) };
}

/** Maps points of a section's frame onto the chart. */
export function sectionTransform(section: Pick<SectionDescription, "position" | "rotation">) {
  const origin = section.position ?? { x: 0, y: 0 };
  const { cos, sin } = rotation(section.rotation ?? 0);
  return (x: number, y: number): Point => ({
    x: origin.x + (x * cos - y * sin),
    y: origin.y + (x * sin + y * cos),
  });
}

/** The numbers of a row's seats from the seated person's left to their right. */
export function rowNumbers(row: RowDescription): number[] {
  const start = row.numbering?.start ?? 1;
  const step = row.numbering?.step ?? 1;
  const skipped = new Set(row.skip ?? []);
  const numbers: number[] = [];
  for (let number = start; numbers.length < row.seats; number += step) {
    if (!skipped.has(number)) numbers.push(number);
  }
  return row.numbering?.direction === "RIGHT_TO_LEFT" ? numbers.reverse() : numbers;
}

/**
 * Seat positions of a row in its section's frame, from the seated person's left to their right: centred
 * on x, `spacing` apart (along the arc when curved, round a centre `radius` in front of the row).
 */
export function rowPositions(row: RowDescription, sectionSpacing: number): Point[] {
  const spacing = row.spacing ?? sectionSpacing;
  const offsetX = row.x ?? 0;
  const count = row.seats;
  const positions: Point[] = new Array(count);
  if (row.radius === undefined) {
    for (let index = 0; index < count; index++) {
      positions[index] = { x: offsetX + (index - (count - 1) / 2) * spacing, y: row.y };
    }
    return positions;
  }
  const radius = row.radius;
  const centreY = row.y - radius;
  const step = spacing / radius;
  for (let index = 0; index < count; index++) {
    const angle = (index - (count - 1) / 2) * step;
    positions[index] = { x: offsetX + radius * Math.sin(angle), y: centreY + radius * Math.cos(angle) };
  }
  return positions;
}

function flagLookup(row: RowDescription) {
  const sets = {
    accessible: new Set(row.accessible ?? []),
    wheelchair: new Set(row.wheelchair ?? []),
    companion: new Set(row.companion ?? []),
    restrictedView: new Set(row.restrictedView ?? []),
  };
  return (number: number) => ({
    accessible: sets.accessible.has(number),
    wheelchair: sets.wheelchair.has(number),
    companion: sets.companion.has(number),
    restrictedView: sets.restrictedView.has(number),
  });
}

function rowSeats(
  row: RowDescription,
  rowRank: number,
  spacing: number,
  place: (x: number, y: number) => Point,
): GeneratedSeat[] {
  const numbers = rowNumbers(row);
  const flagsOf = flagLookup(row);
  return rowPositions(row, spacing).map((local, index) => {
    const number = numbers[index] as number;
    const { x, y } = place(local.x, local.y);
    return { rowLabel: row.label, rowRank, number, x, y, ...flagsOf(number) };
  });
}

function drawnSeats(seats: SeatDescription[], place: (x: number, y: number) => Point): GeneratedSeat[] {
  const ranks = new Map<string, number>();
  return seats.map((seat) => {
    let rowRank = ranks.get(seat.row);
    if (rowRank === undefined) {
      rowRank = ranks.size;
      ranks.set(seat.row, rowRank);
    }
    const flags = new Set(seat.flags ?? []);
    return {
      rowLabel: seat.row,
      rowRank,
      number: seat.number,
      ...place(seat.x, seat.y),
      accessible: flags.has("accessible"),
      wheelchair: flags.has("wheelchair"),
      companion: flags.has("companion"),
      restrictedView: flags.has("restrictedView"),
    };
  });
}

/** The outline of a standing area's shape, in its section's frame. */
export function shapePoints(shape: ShapeDescription): Point[] {
  if ("points" in shape) return shape.points;
  const { x, y, width, height } = shape;
  return [
    { x, y },
    { x: x + width, y },
    { x: x + width, y: y + height },
    { x, y: y + height },
  ];
}

function generateSection(section: SectionDescription): GeneratedSection {
  const place = sectionTransform(section);
  if (section.kind === "STANDING") {
    return {
      name: section.name,
      kind: "STANDING",
      capacity: section.capacity,
      outline: shapePoints(section.shape).map((point) => place(point.x, point.y)),
      seats: [],
    };
  }
  const spacing = section.seatSpacing ?? DEFAULT_SEAT_SPACING;
  const seats = [
    ...(section.rows ?? []).flatMap((row, rank) => rowSeats(row, rank, spacing, place)),
    ...drawnSeats(section.seats ?? [], place),
  ];
  return { name: section.name, kind: "SEATED", capacity: null, outline: null, seats };
}

const round = (value: number) => Math.round(value * 100) / 100;

/** Rounds every coordinate to centimetres, as they are stored. */
function roundCoordinates(section: GeneratedSection): GeneratedSection {
  for (const seat of section.seats) {
    seat.x = round(seat.x);
    seat.y = round(seat.y);
  }
  const outline = section.outline?.map((point) => ({ x: round(point.x), y: round(point.y) })) ?? null;
  return { ...section, outline };
}

/**
 * Every section and seat of the chart in drawing order (a section's index is its sort order; seats by
 * row, then from the seated person's left to their right). Coordinates are rounded to centimetres unless
 * `exact` (the seed measures its layouts before placing them).
 */
export function generateChart(chart: ChartDescription, options: { exact?: boolean } = {}): GeneratedChart {
  const generated = chart.sections.map(generateSection);
  const sections = options.exact ? generated : generated.map(roundCoordinates);
  return {
    name: chart.name,
    sections,
    seatCount: sections.reduce((total, section) => total + section.seats.length, 0),
  };
}

/**
 * generateChart for requests: the same seats, made section by section with a turn of the event loop
 * every `yieldEvery` seats, so a stadium does not hold up other requests while it is laid out.
 */
export async function generateChartInTurns(
  chart: ChartDescription,
  yieldEvery = 8_192,
): Promise<GeneratedChart> {
  const sections: GeneratedSection[] = [];
  let sinceYield = 0;
  let seatCount = 0;
  for (const section of chart.sections) {
    const generated = roundCoordinates(generateSection(section));
    sections.push(generated);
    seatCount += generated.seats.length;
    sinceYield += generated.seats.length;
    if (sinceYield >= yieldEvery) {
      sinceYield = 0;
      await nextLoopTurn();
    }
  }
  return { name: chart.name, sections, seatCount };
}
