import { setImmediate as nextLoopTurn } from "node:timers/promises";
import type { SeatMapSectionView } from "./seating.service.js";

// The JSON text of a seat map's `sections` (up to 52,800 seats), built once per event layout and selection
// and then reused: executing that many seats through graphql-js and serializing them stalled the event loop
// 0.5–1.5 s on every response-cache miss (docs/seat-map.md). Per-seat `status` values are the only part
// that changes: they are holes in the text, filled from the statuses string of each request.

/** How long a seat map may be served from a cache (the statuses change all the time). */
export const SEAT_MAP_MAX_AGE_SECONDS = 1;

/** A selected field: its response name (alias or name) and the schema field it reads. */
export interface SelectedField {
  key: string;
  field: string;
  /** For `seats`: the seat fields selected under it. */
  seats?: SelectedField[];
}

export const SECTION_LEAVES = new Set(["id", "name", "priceTierId", "__typename"]);
export const SEAT_LEAVES = new Set(["id", "row", "number", "x", "y", "accessible", "status", "__typename"]);

// As the Seat.status resolver reads the statuses string: anything unknown is not for sale.
const NOT_FOR_SALE_JSON = '"NOT_FOR_SALE"';
const STATUS_JSON: Record<string, string> = {
  A: '"AVAILABLE"',
  H: '"HELD"',
  S: '"SOLD"',
  X: NOT_FOR_SALE_JSON,
};

/** The text around the per-seat statuses: parts[0], status of seat holes[0], parts[1], … */
interface Template {
  parts: string[];
  holes: number[];
}

// Work of one loop turn while building a template: a few milliseconds, so the loop never stalls.
const SEATS_PER_TURN = 4_000;

type Seat = SeatMapSectionView["seats"][number];

function seatLeaf(seat: Seat, field: string): string {
  switch (field) {
    case "id":
      return `"${seat.id}"`;
    case "row":
      return JSON.stringify(seat.row);
    case "number":
      return String(seat.number);
    case "x":
      return String(seat.x);
    case "y":
      return String(seat.y);
    case "accessible":
      return String(seat.accessible);
    default:
      return '"Seat"';
  }
}

function sectionLeaf(section: SeatMapSectionView, field: string): string {
  switch (field) {
    case "id":
      return `"${section.id}"`;
    case "name":
      return JSON.stringify(section.name);
    case "priceTierId":
      return section.priceTierId === null ? "null" : `"${section.priceTierId}"`;
    default:
      return '"SeatMapSection"';
  }
}

/**
 * Builds the text in pieces joined per section: a string grown by `+=` is a rope that the first Buffer.from
 * of the response flattens in one go (60 ms for the stadium), where joined pieces are flat already.
 */
async function buildTemplate(sections: SeatMapSectionView[], fields: SelectedField[]): Promise<Template> {
  const parts: string[] = [];
  const holes: number[] = [];
  let done: string[] = [];
  let current: string[] = ["["];
  const cut = () => {
    done.push(current.join(""));
    current = [];
  };
  let seatsThisTurn = 0;
  for (const [s, section] of sections.entries()) {
    current.push(s ? ",{" : "{");
    for (const [f, selected] of fields.entries()) {
      current.push(`${f ? "," : ""}"${selected.key}":`);
      if (!selected.seats) {
        current.push(sectionLeaf(section, selected.field));
        continue;
      }
      current.push("[");
      for (const [i, seat] of section.seats.entries()) {
        current.push(i ? ",{" : "{");
        for (const [g, seatField] of selected.seats.entries()) {
          current.push(`${g ? "," : ""}"${seatField.key}":`);
          if (seatField.field === "status") {
            cut();
            parts.push(done.join(""));
            done = [];
            holes.push(seat.index);
          } else {
            current.push(seatLeaf(seat, seatField.field));
          }
        }
        current.push("}");
      }
      current.push("]");
      seatsThisTurn += section.seats.length;
    }
    current.push("}");
    cut();
    if (seatsThisTurn >= SEATS_PER_TURN) {
      seatsThisTurn = 0;
      await nextLoopTurn();
    }
  }
  current.push("]");
  cut();
  parts.push(done.join(""));
  return { parts, holes };
}

function fill(template: Template, statuses: string): string {
  const { parts, holes } = template;
  if (!holes.length) return parts[0] as string;
  const pieces = new Array<string>(parts.length + holes.length);
  for (let i = 0; i < holes.length; i++) {
    pieces[2 * i] = parts[i] as string;
    pieces[2 * i + 1] = STATUS_JSON[statuses[holes[i] as number] ?? "X"] ?? NOT_FOR_SALE_JSON;
  }
  pieces[pieces.length - 1] = parts[parts.length - 1] as string;
  return pieces.join("");
}

const keyOf = (fields: SelectedField[]): string =>
  fields.map((f) => `${f.key}:${f.field}${f.seats ? `{${keyOf(f.seats)}}` : ""}`).join(",");

/**
 * Templates per event layout (the sections array SeatingService keeps while the event's tiers are cached)
 * and per selection; a new sections array (tiers changed, or the cache refreshed) builds new ones.
 */
export class SeatMapJson {
  private readonly templates = new WeakMap<SeatMapSectionView[], Map<string, Promise<Template>>>();

  /** The JSON text of `sections` for this selection, with the seats' statuses from `statuses`. */
  async sections(sections: SeatMapSectionView[], fields: SelectedField[], statuses: string): Promise<string> {
    let bySelection = this.templates.get(sections);
    if (!bySelection) {
      bySelection = new Map();
      this.templates.set(sections, bySelection);
    }
    const key = keyOf(fields);
    let template = bySelection.get(key);
    if (!template) {
      template = buildTemplate(sections, fields);
      bySelection.set(key, template);
      // A failed build is not kept: the next request tries again.
      template.catch(() => bySelection.delete(key));
    }
    return fill(await template, statuses);
  }
}
