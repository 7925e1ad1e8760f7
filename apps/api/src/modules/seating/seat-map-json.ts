import { isAscii } from "node:buffer";
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

export const SECTION_LEAVES = new Set(["id", "name", "kind", "capacity", "priceTierId", "__typename"]);
export const SEAT_LEAVES = new Set([
  "id",
  "row",
  "number",
  "x",
  "y",
  "accessible",
  "wheelchair",
  "companion",
  "status",
  "__typename",
]);

// As the Seat.status resolver reads the statuses string: anything unknown is not for sale.
// Each status takes a slot of the longest one's width, padded with spaces (whitespace between JSON tokens
// means nothing), so a template is one buffer and filling it is a copy plus one small write per seat.
const NOT_FOR_SALE_JSON = '"NOT_FOR_SALE"';
const SLOT_BYTES = NOT_FOR_SALE_JSON.length;
const slot = (json: string) => Buffer.from(json.padEnd(SLOT_BYTES, " "), "latin1");
const NOT_FOR_SALE_SLOT = slot(NOT_FOR_SALE_JSON);
const STATUS_SLOT: Record<string, Buffer> = {
  A: slot('"AVAILABLE"'),
  H: slot('"HELD"'),
  S: slot('"SOLD"'),
  X: NOT_FOR_SALE_SLOT,
};

/** The text around the per-seat statuses: parts[0], status of seat holes[0], parts[1], … */
interface Parts {
  parts: string[];
  holes: number[];
}

/** The built text: a string when no seat status is selected, else bytes with a slot per seat status. */
type Template =
  | { text: string }
  | { bytes: Buffer; ascii: boolean; slots: Int32Array; seatIndexes: Int32Array };

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
    case "wheelchair":
      return String(seat.wheelchair);
    case "companion":
      return String(seat.companion);
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
    case "kind":
      return `"${section.kind}"`;
    case "capacity":
      return section.capacity === null ? "null" : String(section.capacity);
    default:
      return '"SeatMapSection"';
  }
}

/**
 * Builds the text in pieces joined per section: a string grown by `+=` is a rope that the first Buffer.from
 * of the response flattens in one go (60 ms for the stadium), where joined pieces are flat already.
 */
async function buildParts(sections: SeatMapSectionView[], fields: SelectedField[]): Promise<Parts> {
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

async function buildTemplate(sections: SeatMapSectionView[], fields: SelectedField[]): Promise<Template> {
  const { parts, holes } = await buildParts(sections, fields);
  if (!holes.length) return { text: parts[0] as string };
  let length = holes.length * SLOT_BYTES;
  for (const part of parts) length += Buffer.byteLength(part);
  const bytes = Buffer.alloc(length);
  const slots = new Int32Array(holes.length);
  let offset = 0;
  for (let i = 0; i < parts.length; i++) {
    offset += bytes.write(parts[i] as string, offset);
    if (i < holes.length) {
      slots[i] = offset;
      offset += SLOT_BYTES;
    }
    if (i % SEATS_PER_TURN === SEATS_PER_TURN - 1) await nextLoopTurn();
  }
  return { bytes, ascii: isAscii(bytes), slots, seatIndexes: Int32Array.from(holes) };
}

function fill(template: Template, statuses: string): string {
  if ("text" in template) return template.text;
  const { bytes, ascii, slots, seatIndexes } = template;
  const out = Buffer.allocUnsafe(bytes.length);
  bytes.copy(out);
  for (let i = 0; i < slots.length; i++) {
    const status = STATUS_SLOT[statuses[seatIndexes[i] as number] ?? "X"] ?? NOT_FOR_SALE_SLOT;
    status.copy(out, slots[i] as number);
  }
  // ASCII decodes as latin1 into a one-byte string, the cheapest to encode again on the way out.
  return out.toString(ascii ? "latin1" : "utf8");
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
