import type { ChartDescription, GeneratedChart, Point } from "./chart-shape.js";
import { SEAT_FLAGS } from "./chart-shape.js";
import { parseChartCsv, parseChartJson, withCsvLines, withJsonLines } from "./chart-text.js";
import { type ChartProblem, ProblemList, validateChart } from "./chart-validation.js";

// A chart from text or JSON, checked and generated whole (docs/venues.md, "Validation"), in the form the
// store writes: what chart-worker.ts runs off the event loop and hands back to the service. Seats come as
// columns (typed arrays move between threads without copying; 50,000 seat objects would be rebuilt one
// by one on the main thread).

export type ChartFormat = "JSON" | "CSV";

export type ChartCheckRequest =
  /** Text of an import; `data` as UTF-8 bytes (an upload's body) or a string (a GraphQL argument). */
  | { kind: "text"; format: ChartFormat; data: Uint8Array | string; name?: string | null }
  /** A chart description already parsed (saveSeatingChart, the seed). */
  | { kind: "object"; chart: unknown };

/** The seats of a chart, one entry per seat in drawing order. */
export interface SeatColumns {
  /** The seat's section: its index in `sections`. */
  section: Int32Array;
  rowLabel: string[];
  rowRank: Int32Array;
  number: Int32Array;
  x: Float64Array;
  y: Float64Array;
  /** Bit i set: SEAT_FLAGS[i] (accessible, wheelchair, companion, restrictedView). */
  flags: Uint8Array;
}

export interface CheckedSection {
  name: string;
  kind: "SEATED" | "STANDING";
  capacity: number | null;
  outline: Point[] | null;
}

export interface CheckedChart {
  name: string;
  /** The description as stored (seating_chart.description), already serialized. */
  descriptionJson: string;
  sections: CheckedSection[];
  seats: SeatColumns;
}

export type ChartCheckResult =
  | { ok: true; chart: CheckedChart }
  | { ok: false; problems: ChartProblem[]; more: number };

/** The generated chart as columns. */
export function seatColumnsOf(generated: GeneratedChart): SeatColumns {
  const count = generated.seatCount;
  const columns: SeatColumns = {
    section: new Int32Array(count),
    rowLabel: new Array<string>(count),
    rowRank: new Int32Array(count),
    number: new Int32Array(count),
    x: new Float64Array(count),
    y: new Float64Array(count),
    flags: new Uint8Array(count),
  };
  let at = 0;
  for (const [index, section] of generated.sections.entries()) {
    for (const seat of section.seats) {
      columns.section[at] = index;
      columns.rowLabel[at] = seat.rowLabel;
      columns.rowRank[at] = seat.rowRank;
      columns.number[at] = seat.number;
      columns.x[at] = seat.x;
      columns.y[at] = seat.y;
      let flags = 0;
      SEAT_FLAGS.forEach((flag, bit) => {
        if (seat[flag]) flags |= 1 << bit;
      });
      columns.flags[at] = flags;
      at++;
    }
  }
  return columns;
}

function checked(chart: ChartDescription, generated: GeneratedChart): ChartCheckResult {
  return {
    ok: true,
    chart: {
      name: chart.name,
      descriptionJson: JSON.stringify(chart),
      sections: generated.sections.map(({ name, kind, capacity, outline }) => ({
        name,
        kind,
        capacity,
        outline,
      })),
      seats: seatColumnsOf(generated),
    },
  };
}

const failed = (problems: ProblemList, addLines: (list: ChartProblem[]) => ChartProblem[] = (list) => list) =>
  ({ ok: false, problems: addLines(problems.problems), more: problems.more }) as const;

/** Parses (an import's text), checks and generates a chart: every problem, with its line for text. */
export async function checkChart(request: ChartCheckRequest): Promise<ChartCheckResult> {
  if (request.kind === "object") {
    const result = await validateChart(request.chart);
    return "problems" in result ? failed(result.problems) : checked(result.chart, result.generated);
  }
  let text: string;
  if (typeof request.data === "string") text = request.data;
  else {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(request.data);
    } catch {
      const problems = new ProblemList();
      problems.add([], "the file is not UTF-8 text", 1);
      return failed(problems);
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte-order mark (spreadsheets write one)
  const name = request.name?.trim();
  let input: unknown;
  let addLines: (problems: ChartProblem[]) => ChartProblem[];
  if (request.format === "CSV") {
    const parsed = await parseChartCsv(text, name || "Main");
    if ("problems" in parsed) return failed(parsed.problems);
    input = parsed.chart;
    addLines = (problems) => withCsvLines(parsed, problems);
  } else {
    const parsed = parseChartJson(text);
    if ("problems" in parsed) return failed(parsed.problems);
    input = parsed.value;
    if (name && typeof input === "object" && input !== null) input = { ...input, name };
    addLines = (problems) => withJsonLines(text, problems);
  }
  const result = await validateChart(input);
  return "problems" in result ? failed(result.problems, addLines) : checked(result.chart, result.generated);
}
