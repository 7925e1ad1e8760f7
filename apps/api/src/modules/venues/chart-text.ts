import { setImmediate as nextLoopTurn } from "node:timers/promises";
import type { ChartDescription, GeneratedChart, SeatDescription, SeatFlag } from "./chart-shape.js";
import { SEAT_FLAGS } from "./chart-shape.js";
import { CHART_LIMITS, type ChartProblem, ProblemList } from "./chart-validation.js";

// Charts as text (docs/venues.md): the JSON the API takes, and the CSV `section,row,number,x,y,flags` of
// charts drawn elsewhere. Problems found in text carry the line they are on.

type Path = (string | number)[];

export const CSV_HEADER = "section,row,number,x,y,flags";
const YIELD_EVERY = 8_192;

/**
 * The line of the first syntax error in `text` (which JSON.parse refused): V8's messages do not always
 * give a position, so a small recursive-descent reader walks the text to where it stops making sense.
 */
export function jsonErrorLine(text: string): number {
  let at = 0;
  const fail = (): never => {
    throw at;
  };
  const space = () => {
    while (at < text.length && " \t\r\n".includes(text[at] as string)) at++;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, at)) at += word.length;
    else fail();
  };
  const string = () => {
    at++;
    while (at < text.length && text[at] !== '"') {
      if (text.charCodeAt(at) < 32) fail();
      at += text[at] === "\\" ? 2 : 1;
    }
    if (at >= text.length) fail();
    at++;
  };
  const value = (): void => {
    space();
    const char = text[at];
    if (char === "{" || char === "[") {
      const closing = char === "{" ? "}" : "]";
      at++;
      space();
      if (text[at] === closing) {
        at++;
        return;
      }
      for (;;) {
        space();
        if (closing === "}") {
          if (text[at] !== '"') fail();
          string();
          space();
          if (text[at] !== ":") fail();
          at++;
        }
        value();
        space();
        if (text[at] === ",") at++;
        else if (text[at] === closing) {
          at++;
          return;
        } else fail();
      }
    }
    const words: Record<string, string> = { t: "true", f: "false", n: "null" };
    if (char === '"') string();
    else if (char !== undefined && words[char]) literal(words[char] as string);
    else number();
  };
  const number = () => {
    const number = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at, at + 64));
    if (!number) fail();
    at += (number as RegExpExecArray)[0].length;
  };
  try {
    value();
    space();
    if (at < text.length) fail();
  } catch {
    // `at` is where reading stopped.
  }
  let line = 1;
  for (let index = 0; index < at && index < text.length; index++) if (text.charCodeAt(index) === 10) line++;
  return line;
}

export function parseChartJson(text: string): { value: unknown } | { problems: ProblemList } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    const problems = new ProblemList();
    const message = error instanceof Error ? error.message : String(error);
    problems.add([], `not valid JSON: ${message}`, jsonErrorLine(text));
    return { problems };
  }
}

/**
 * The line each path's value starts on in `text` (valid JSON), found in one pass. A path that is not
 * there (a missing field) gets the line of its nearest ancestor that is.
 */
export function linesOfPaths(text: string, paths: Path[]): Map<string, number> {
  const wanted = new Set<string>();
  let depth = 0;
  for (const path of paths) {
    depth = Math.max(depth, path.length);
    for (let length = 0; length <= path.length; length++) wanted.add(path.slice(0, length).join("."));
  }
  const found = new Map<string, number>();
  const stack: (string | number)[] = [];
  let at = 0;
  let line = 1;
  const skipSpace = () => {
    while (at < text.length) {
      const code = text.charCodeAt(at);
      if (code === 10) line++;
      else if (code !== 32 && code !== 9 && code !== 13) return;
      at++;
    }
  };
  const readString = (): string => {
    const start = ++at;
    while (at < text.length && text[at] !== '"') at += text[at] === "\\" ? 2 : 1;
    const raw = text.slice(start, at++);
    return raw.includes("\\") ? (JSON.parse(`"${raw}"`) as string) : raw;
  };
  const readValue = (): void => {
    skipSpace();
    if (stack.length <= depth) {
      const key = stack.join(".");
      if (wanted.has(key) && !found.has(key)) found.set(key, line);
    }
    const opening = text[at];
    if (opening === "{" || opening === "[") {
      const closing = opening === "{" ? "}" : "]";
      at++;
      skipSpace();
      if (text[at] === closing) {
        at++;
        return;
      }
      for (let index = 0; ; index++) {
        skipSpace();
        let key: string | number = index;
        if (opening === "{") {
          key = readString();
          skipSpace();
          at++; // the colon
        }
        stack.push(key);
        readValue();
        stack.pop();
        skipSpace();
        if (text[at++] !== ",") return;
      }
    }
    if (opening === '"') {
      readString();
      return;
    }
    while (at < text.length && !",}]\n\r\t ".includes(text[at] as string)) at++;
  };
  readValue();
  const lines = new Map<string, number>();
  for (const path of paths) {
    for (let length = path.length; length >= 0; length--) {
      const value = found.get(path.slice(0, length).join("."));
      if (value !== undefined) {
        lines.set(path.join("."), value);
        break;
      }
    }
  }
  return lines;
}

/** Adds the line of each problem's path in the JSON text. */
export function withJsonLines(text: string, problems: ChartProblem[]): ChartProblem[] {
  const lines = linesOfPaths(
    text,
    problems.map((problem) => problem.path),
  );
  return problems.map((problem) => ({ ...problem, line: problem.line ?? lines.get(problem.path.join(".")) }));
}

/** Fields of one CSV line; double quotes around a field allow commas in it ("" is a quote). */
function csvFields(line: string): string[] {
  if (!line.includes('"')) return line.split(",");
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let index = 0; index < line.length; index++) {
    const char = line[index] as string;
    if (quoted) {
      if (char === '"' && line[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      fields.push(field);
      field = "";
    } else field += char;
  }
  fields.push(field);
  return fields;
}

const FLAG_NAMES = new Map<string, SeatFlag>([
  ...SEAT_FLAGS.map((flag) => [flag.toLowerCase(), flag] as [string, SeatFlag]),
  ["restricted_view", "restrictedView"],
]);

/** Quotes a CSV field when it needs it. */
export const csvField = (value: string) =>
  /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;

export interface CsvChart {
  chart: ChartDescription;
  /** The line of each seat: `seatLines[section][seat]`. */
  seatLines: number[][];
}

/**
 * A chart named `name` from CSV lines `section,row,number,x,y,flags` (a header line is optional;
 * flags separated by `|`). Sections come in the order they first appear, seats in the order of their lines.
 */
export async function parseChartCsv(
  text: string,
  name: string,
): Promise<CsvChart | { problems: ProblemList }> {
  const problems = new ProblemList();
  const sections = new Map<string, { seats: SeatDescription[]; lines: number[] }>();
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    if (index > 0 && index % YIELD_EVERY === 0) await nextLoopTurn();
    const lineNumber = index + 1;
    const line = lines[index] as string;
    if (line.trim() === "") continue;
    const fields = csvFields(line).map((field) => field.trim());
    if (index === 0 && fields[0]?.toLowerCase() === "section") continue;
    const path: Path = [`line ${lineNumber}`];
    if (fields.length < 5 || fields.length > 6) {
      problems.add(path, `expected ${CSV_HEADER} (5 or 6 fields), found ${fields.length}`, lineNumber);
      continue;
    }
    const [section = "", row = "", number = "", x = "", y = "", flagText = ""] = fields;
    let ok = true;
    const fail = (message: string) => {
      problems.add(path, message, lineNumber);
      ok = false;
    };
    if (section === "") fail("the section is missing");
    else if (section.length > CHART_LIMITS.nameLength)
      fail(`the section's name is longer than ${CHART_LIMITS.nameLength}`);
    if (row === "") fail("the row is missing");
    else if (row.length > CHART_LIMITS.labelLength)
      fail(`the row's label is longer than ${CHART_LIMITS.labelLength}`);
    const seatNumber = Number(number);
    if (!/^\d+$/.test(number) || seatNumber < 1 || seatNumber > 1_000_000)
      fail(`"${number}" is not a seat number (1 or more)`);
    const seatX = Number(x);
    const seatY = Number(y);
    if (x === "" || !Number.isFinite(seatX)) fail(`x "${x}" is not a number`);
    if (y === "" || !Number.isFinite(seatY)) fail(`y "${y}" is not a number`);
    const flags: SeatFlag[] = [];
    for (const flagName of flagText.split(/[|;\s]+/).filter(Boolean)) {
      const flag = FLAG_NAMES.get(flagName.toLowerCase());
      if (flag) flags.push(flag);
      else fail(`unknown flag "${flagName}" (flags: ${SEAT_FLAGS.join(", ")})`);
    }
    if (!ok) continue;
    let entry = sections.get(section);
    if (!entry) {
      entry = { seats: [], lines: [] };
      sections.set(section, entry);
    }
    entry.seats.push(
      flags.length > 0
        ? { row, number: seatNumber, x: seatX, y: seatY, flags }
        : { row, number: seatNumber, x: seatX, y: seatY },
    );
    entry.lines.push(lineNumber);
  }
  if (sections.size === 0 && problems.empty) problems.add([], "the CSV has no seats", 1);
  if (!problems.empty) return { problems };
  return {
    chart: {
      name,
      sections: [...sections].map(([sectionName, entry]) => ({ name: sectionName, seats: entry.seats })),
    },
    seatLines: [...sections.values()].map((entry) => entry.lines),
  };
}

/** Adds the CSV line of each problem found in the chart made from it. */
export function withCsvLines(csv: CsvChart, problems: ChartProblem[]): ChartProblem[] {
  return problems.map((problem) => {
    const [first, section, kind, seat] = problem.path;
    if (first !== "sections" || kind !== "seats" || typeof section !== "number" || typeof seat !== "number")
      return problem;
    return { ...problem, line: csv.seatLines[section]?.[seat] };
  });
}

/** The chart's seats as CSV (the import's format), one line per seat, in drawing order. */
export function chartToCsv(generated: GeneratedChart): string {
  const lines = [CSV_HEADER];
  for (const section of generated.sections) {
    for (const seat of section.seats) {
      const flags = SEAT_FLAGS.filter((flag) => seat[flag]).join("|");
      lines.push(
        [csvField(section.name), csvField(seat.rowLabel), seat.number, seat.x, seat.y, flags].join(","),
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
