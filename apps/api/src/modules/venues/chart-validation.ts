import { setImmediate as nextLoopTurn } from "node:timers/promises";
import { generateChartInTurns, rowNumbers } from "./chart-generator.js";
import {
  type ChartDescription,
  type GeneratedChart,
  type RowDescription,
  SEAT_FLAGS,
  type SectionDescription,
} from "./chart-shape.js";

// Checks a chart description before anything is written (docs/venues.md, "Validation"): first its shape
// (every field), then the seats it generates (duplicates, overlapping rows). Every problem is listed with
// the path of the part at fault; the import adds the line of the JSON or CSV text it came from.

/** One thing wrong with a chart: where (a path such as `sections.2.rows.5.seats`) and what. */
export interface ChartProblem {
  path: (string | number)[];
  message: string;
  /** The line of the imported text (1-based), when the chart came from text. */
  line?: number;
}

export const CHART_LIMITS = {
  sections: 2_000,
  rowsPerSection: 500,
  seatsPerRow: 1_000,
  seats: 150_000,
  capacity: 1_000_000,
  nameLength: 100,
  labelLength: 20,
  /** Every seat and the stage lie within this many metres of the origin (coordinates are float4). */
  coordinate: 100_000,
  /** Seats closer than this (metres, centre to centre) overlap. */
  minSeatDistance: 0.25,
  /** Problems listed at most; the count says how many more there were. */
  problems: 500,
} as const;

type Path = (string | number)[];
type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isFiniteNumber = (value: unknown): value is number =>
  typeof value === "number" && Number.isFinite(value);
const isWholeNumber = (value: unknown): value is number => Number.isSafeInteger(value);

/** Collects problems, up to the limit (counting the rest). */
export class ProblemList {
  readonly problems: ChartProblem[] = [];
  more = 0;
  add(path: Path, message: string, line?: number): void {
    if (this.problems.length >= CHART_LIMITS.problems) this.more += 1;
    else this.problems.push(line === undefined ? { path, message } : { path, message, line });
  }
  get empty(): boolean {
    return this.problems.length === 0 && this.more === 0;
  }
}

class ShapeChecker {
  constructor(private readonly problems: ProblemList) {}

  text(value: unknown, path: Path, what: string, maxLength: number, optional = false): boolean {
    if (value === undefined && optional) return true;
    if (typeof value !== "string" || value.trim() === "") {
      this.problems.add(path, `${what} is missing`);
      return false;
    }
    if (value.length > maxLength) this.problems.add(path, `${what} is longer than ${maxLength} characters`);
    return true;
  }

  number(value: unknown, path: Path, what: string, check?: { positive?: boolean }): void {
    if (value === undefined) return;
    if (!isFiniteNumber(value)) this.problems.add(path, `${what} must be a number`);
    else if (check?.positive && value <= 0) this.problems.add(path, `${what} must be more than 0`);
  }

  requiredNumber(value: unknown, path: Path, what: string): void {
    if (value === undefined) this.problems.add(path, `${what} is missing`);
    else this.number(value, path, what);
  }

  whole(
    value: unknown,
    path: Path,
    what: string,
    min: number,
    max: number,
    optional = false,
  ): value is number {
    if (value === undefined && optional) return false;
    if (!isWholeNumber(value) || value < min || value > max) {
      this.problems.add(path, `${what} must be a whole number from ${min} to ${max}`);
      return false;
    }
    return true;
  }

  point(value: unknown, path: Path, what: string, optional = true): void {
    if (value === undefined && optional) return;
    if (!isObject(value) || !isFiniteNumber(value.x) || !isFiniteNumber(value.y)) {
      this.problems.add(path, `${what} must be an object with numbers x and y`);
    }
  }

  wholeList(value: unknown, path: Path, what: string): value is number[] {
    if (value === undefined) return false;
    if (!Array.isArray(value) || !value.every(isWholeNumber)) {
      this.problems.add(path, `${what} must be a list of whole numbers`);
      return false;
    }
    return true;
  }

  unknownKeys(value: Json, path: Path, known: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) this.problems.add([...path, key], `unknown field "${key}"`);
    }
  }
}

const CHART_KEYS = ["name", "sections"] as const;
const SECTION_KEYS = [
  "name",
  "kind",
  "position",
  "rotation",
  "seatSpacing",
  "rows",
  "seats",
  "capacity",
  "shape",
];
const ROW_KEYS = ["label", "seats", "y", "x", "radius", "spacing", "numbering", "skip", ...SEAT_FLAGS];
const SEAT_KEYS = ["row", "number", "x", "y", "flags"];

function checkRow(
  check: ShapeChecker,
  problems: ProblemList,
  row: unknown,
  path: Path,
  spacing: number,
): void {
  if (!isObject(row)) {
    problems.add(path, "a row must be an object");
    return;
  }
  check.unknownKeys(row, path, ROW_KEYS);
  check.text(row.label, [...path, "label"], "the row's label", CHART_LIMITS.labelLength);
  const counted = check.whole(row.seats, [...path, "seats"], "seats", 1, CHART_LIMITS.seatsPerRow);
  check.requiredNumber(row.y, [...path, "y"], "y");
  check.number(row.x, [...path, "x"], "x");
  check.number(row.radius, [...path, "radius"], "radius", { positive: true });
  check.number(row.spacing, [...path, "spacing"], "spacing", { positive: true });
  const numbering = row.numbering;
  let numberingOk = true;
  if (numbering !== undefined) {
    if (!isObject(numbering)) {
      problems.add([...path, "numbering"], "numbering must be an object with start, step and direction");
      numberingOk = false;
    } else {
      check.unknownKeys(numbering, [...path, "numbering"], ["start", "step", "direction"]);
      const start = numbering.start;
      if (start !== undefined && !check.whole(start, [...path, "numbering", "start"], "start", 1, 1_000_000))
        numberingOk = false;
      const step = numbering.step;
      if (step !== undefined && (!isWholeNumber(step) || step === 0 || Math.abs(step) > 1_000)) {
        problems.add([...path, "numbering", "step"], "step must be a whole number other than 0");
        numberingOk = false;
      }
      const direction = numbering.direction;
      if (direction !== undefined && direction !== "LEFT_TO_RIGHT" && direction !== "RIGHT_TO_LEFT") {
        problems.add([...path, "numbering", "direction"], "direction must be LEFT_TO_RIGHT or RIGHT_TO_LEFT");
      }
    }
  }
  const skipOk = row.skip === undefined || check.wholeList(row.skip, [...path, "skip"], "skip");
  if (!counted || !numberingOk || !skipOk) return;
  const described = row as unknown as RowDescription;
  const radius = isFiniteNumber(row.radius) && row.radius > 0 ? row.radius : undefined;
  const rowSpacing = isFiniteNumber(row.spacing) && row.spacing > 0 ? row.spacing : spacing;
  if (radius !== undefined && (described.seats - 1) * rowSpacing > 2 * Math.PI * radius * 0.95) {
    problems.add([...path, "radius"], `${described.seats} seats do not fit on a curve of radius ${radius}`);
  }
  // Numbers run from start by step; a negative step must not reach 0.
  const start = described.numbering?.start ?? 1;
  const step = described.numbering?.step ?? 1;
  const needed = described.seats + (described.skip?.length ?? 0);
  if (step < 0 && start + step * (needed - 1) < 1) {
    problems.add(
      [...path, "numbering"],
      `numbering from ${start} by ${step} runs below 1 for ${needed} seats`,
    );
    return;
  }
  const numbers = new Set(rowNumbers(described));
  for (const flag of SEAT_FLAGS) {
    if (!check.wholeList(row[flag], [...path, flag], flag)) continue;
    for (const number of row[flag] as number[]) {
      if (!numbers.has(number))
        problems.add(
          [...path, flag],
          `${flag} names seat ${number}, which row ${described.label} does not have`,
        );
    }
  }
}

function checkSeat(check: ShapeChecker, problems: ProblemList, seat: unknown, path: Path): void {
  if (!isObject(seat)) {
    problems.add(path, "a seat must be an object");
    return;
  }
  check.unknownKeys(seat, path, SEAT_KEYS);
  check.text(seat.row, [...path, "row"], "the seat's row", CHART_LIMITS.labelLength);
  check.whole(seat.number, [...path, "number"], "number", 1, 1_000_000);
  check.requiredNumber(seat.x, [...path, "x"], "x");
  check.requiredNumber(seat.y, [...path, "y"], "y");
  if (seat.flags !== undefined) {
    const flags = seat.flags;
    if (!Array.isArray(flags) || !flags.every((flag) => (SEAT_FLAGS as readonly unknown[]).includes(flag))) {
      problems.add([...path, "flags"], `flags must be a list of ${SEAT_FLAGS.join(", ")}`);
    }
  }
}

function checkShape(check: ShapeChecker, problems: ProblemList, shape: unknown, path: Path): void {
  if (!isObject(shape)) {
    problems.add(path, "a standing area needs a shape: {x, y, width, height} or {points: [{x, y}, …]}");
    return;
  }
  if ("points" in shape) {
    const points = shape.points;
    if (!Array.isArray(points) || points.length < 3) {
      problems.add([...path, "points"], "a polygon needs at least 3 points");
      return;
    }
    points.forEach((point, index) => {
      check.point(point, [...path, "points", index], "a point", false);
    });
    return;
  }
  check.requiredNumber(shape.x, [...path, "x"], "x");
  check.requiredNumber(shape.y, [...path, "y"], "y");
  check.number(shape.width, [...path, "width"], "width", { positive: true });
  check.number(shape.height, [...path, "height"], "height", { positive: true });
  if (shape.width === undefined) problems.add([...path, "width"], "width is missing");
  if (shape.height === undefined) problems.add([...path, "height"], "height is missing");
}

function checkSection(check: ShapeChecker, problems: ProblemList, section: unknown, path: Path): number {
  if (!isObject(section)) {
    problems.add(path, "a section must be an object");
    return 0;
  }
  check.unknownKeys(section, path, SECTION_KEYS);
  check.text(section.name, [...path, "name"], "the section's name", CHART_LIMITS.nameLength);
  check.point(section.position, [...path, "position"], "position");
  check.number(section.rotation, [...path, "rotation"], "rotation");
  if (section.kind === "STANDING") {
    check.whole(section.capacity, [...path, "capacity"], "capacity", 1, CHART_LIMITS.capacity);
    checkShape(check, problems, section.shape, [...path, "shape"]);
    if (section.rows !== undefined || section.seats !== undefined) {
      problems.add(path, "a standing section has a capacity, not rows or seats");
    }
    return 0;
  }
  if (section.kind !== undefined && section.kind !== "SEATED") {
    problems.add([...path, "kind"], "kind must be SEATED or STANDING");
    return 0;
  }
  if (section.capacity !== undefined)
    problems.add([...path, "capacity"], "only a standing section has a capacity");
  check.number(section.seatSpacing, [...path, "seatSpacing"], "seatSpacing", { positive: true });
  const spacing = isFiniteNumber(section.seatSpacing) && section.seatSpacing > 0 ? section.seatSpacing : 0.52;
  const rows = section.rows ?? [];
  const seats = section.seats ?? [];
  if (!Array.isArray(rows)) problems.add([...path, "rows"], "rows must be a list");
  if (!Array.isArray(seats)) problems.add([...path, "seats"], "seats must be a list");
  if (!Array.isArray(rows) || !Array.isArray(seats)) return 0;
  if (rows.length === 0 && seats.length === 0) problems.add(path, "a seated section needs rows or seats");
  if (rows.length > CHART_LIMITS.rowsPerSection) {
    problems.add([...path, "rows"], `a section has at most ${CHART_LIMITS.rowsPerSection} rows`);
    return 0;
  }
  const labels = new Map<string, number>();
  let seatCount = seats.length;
  rows.forEach((row, index) => {
    checkRow(check, problems, row, [...path, "rows", index], spacing);
    if (!isObject(row)) return;
    if (isWholeNumber(row.seats)) seatCount += row.seats;
    if (typeof row.label !== "string") return;
    const first = labels.get(row.label);
    if (first === undefined) labels.set(row.label, index);
    else
      problems.add(
        [...path, "rows", index, "label"],
        `row ${row.label} appears twice (rows ${first} and ${index})`,
      );
  });
  seats.forEach((seat, index) => {
    checkSeat(check, problems, seat, [...path, "seats", index]);
  });
  return seatCount;
}

/** The description's shape: every field checked, nothing generated yet. */
export function checkChartShape(input: unknown, problems: ProblemList): input is ChartDescription {
  const check = new ShapeChecker(problems);
  if (!isObject(input)) {
    problems.add([], "a chart must be an object with a name and sections");
    return false;
  }
  check.unknownKeys(input, [], CHART_KEYS);
  check.text(input.name, ["name"], "the chart's name", CHART_LIMITS.nameLength);
  const sections = input.sections;
  if (!Array.isArray(sections) || sections.length === 0) {
    problems.add(["sections"], "a chart needs at least one section");
    return false;
  }
  if (sections.length > CHART_LIMITS.sections) {
    problems.add(["sections"], `a chart has at most ${CHART_LIMITS.sections} sections`);
    return false;
  }
  const names = new Map<string, number>();
  let seats = 0;
  sections.forEach((section, index) => {
    seats += checkSection(check, problems, section, ["sections", index]);
    if (!isObject(section) || typeof section.name !== "string") return;
    const first = names.get(section.name);
    if (first === undefined) names.set(section.name, index);
    else
      problems.add(
        ["sections", index, "name"],
        `section ${section.name} appears twice (sections ${first} and ${index})`,
      );
  });
  if (seats > CHART_LIMITS.seats)
    problems.add(["sections"], `a chart has at most ${CHART_LIMITS.seats} seats (this one ${seats})`);
  return problems.empty;
}

/** Where the generated seat at `index` came from: its row, or its place in the section's `seats`. */
function seatSource(section: SectionDescription, index: number): Path {
  if (section.kind === "STANDING") return [];
  let first = 0;
  for (const [rowIndex, row] of (section.rows ?? []).entries()) {
    if (index < first + row.seats) return ["rows", rowIndex];
    first += row.seats;
  }
  return ["seats", index - first];
}

const YIELD_EVERY = 8_192;

/** The end of a problem about a point too far out. */
export const OUT_OF_BOUNDS = `more than ${CHART_LIMITS.coordinate.toLocaleString("en")} m from the origin`;

/**
 * The generated seats' problems: the same seat (section, row, number) twice, and seats closer than
 * CHART_LIMITS.minSeatDistance (overlapping rows), each pair of rows named once. Yields to the event loop
 * every few thousand seats so a 50,000-seat chart does not stall other requests.
 */
export async function checkGeneratedSeats(
  chart: ChartDescription,
  generated: GeneratedChart,
  problems: ProblemList,
): Promise<void> {
  const cell = CHART_LIMITS.minSeatDistance;
  // Cells of minSeatDistance: a seat's too-close neighbours are in its cell or the eight around it.
  const cellKey = (cx: number, cy: number) => (cx + 2 ** 24) * 2 ** 25 + (cy + 2 ** 24);
  const grid = new Map<number, number[]>();
  const xs: number[] = [];
  const ys: number[] = [];
  const rowOf: string[] = [];
  const reportedPairs = new Set<string>();
  let processed = 0;
  for (const [sectionIndex, section] of generated.sections.entries()) {
    const description = chart.sections[sectionIndex] as SectionDescription;
    // Per row: its name in messages and the numbers seen so far.
    const rows = new Map<string, { name: string; numbers: Set<number> }>();
    for (const [seatIndex, seat] of section.seats.entries()) {
      const path = (): Path => ["sections", sectionIndex, ...seatSource(description, seatIndex)];
      let row = rows.get(seat.rowLabel);
      if (row === undefined) {
        row = { name: `row ${seat.rowLabel} of ${section.name}`, numbers: new Set() };
        rows.set(seat.rowLabel, row);
      }
      if (row.numbers.has(seat.number)) {
        problems.add(path(), `seat ${seat.number} of row ${seat.rowLabel} in ${section.name} appears twice`);
      } else row.numbers.add(seat.number);

      if (!(Math.abs(seat.x) <= CHART_LIMITS.coordinate && Math.abs(seat.y) <= CHART_LIMITS.coordinate)) {
        problems.add(
          path(),
          `seat ${seat.number} of row ${seat.rowLabel} in ${section.name} is ${OUT_OF_BOUNDS}`,
        );
        continue;
      }
      const index = xs.length;
      const rowName = row.name;
      xs.push(seat.x);
      ys.push(seat.y);
      rowOf.push(rowName);
      const cx = Math.floor(seat.x / cell);
      const cy = Math.floor(seat.y / cell);
      for (let gx = cx - 1; gx <= cx + 1; gx++) {
        for (let gy = cy - 1; gy <= cy + 1; gy++) {
          const bucket = grid.get(cellKey(gx, gy));
          if (bucket === undefined) continue;
          for (const other of bucket) {
            const distance = Math.hypot((xs[other] as number) - seat.x, (ys[other] as number) - seat.y);
            if (distance >= cell) continue;
            const otherRow = rowOf[other] as string;
            const pair = `${otherRow}\u0000${rowName}`;
            if (reportedPairs.has(pair)) continue;
            reportedPairs.add(pair);
            const what = otherRow === rowName ? `${rowName} has seats` : `${rowName} overlaps ${otherRow}:`;
            problems.add(
              path(),
              `${what} ${distance.toFixed(2)} m apart at (${seat.x}, ${seat.y}) (closer than ${cell} m)`,
            );
          }
        }
      }
      const own = cellKey(cx, cy);
      const bucket = grid.get(own);
      if (bucket) bucket.push(index);
      else grid.set(own, [index]);
      if (++processed % YIELD_EVERY === 0) await nextLoopTurn();
    }
  }
}

/** Checks a chart and generates it: the seats to write, or every problem found. */
export async function validateChart(
  input: unknown,
): Promise<{ chart: ChartDescription; generated: GeneratedChart } | { problems: ProblemList }> {
  const problems = new ProblemList();
  if (!checkChartShape(input, problems)) return { problems };
  await nextLoopTurn();
  const generated = await generateChartInTurns(input);
  await checkGeneratedSeats(input, generated, problems);
  return problems.empty ? { chart: input, generated } : { problems };
}
