import type { SeatMapLayoutQuery } from "@/gql/graphql";
import { buildSpatialGrid, type SpatialGrid } from "./spatial-grid";

/** Seat status codes, as stored per seat in a `Uint8Array` (index = seat's position in the layout). */
export const SeatStatus = { Available: 0, Held: 1, Sold: 2, NotForSale: 3 } as const;
export type SeatStatusCode = (typeof SeatStatus)[keyof typeof SeatStatus];

/** A price tier as the map and the list show it. */
export interface SeatMapTier {
  id: string;
  name: string;
  colour: string;
  /** Already formatted, e.g. "€45.00". */
  price: string;
}

/** Indexed by status code. */
export const SEAT_STATUS_LABELS: readonly string[] = ["Available", "Held", "Sold", "Not for sale"];

export interface SeatSection {
  id: string;
  name: string;
  /** What is drawn on the map: the name without a leading "Section", which the map makes obvious. */
  mapLabel: string;
  priceTierId: string | null;
  /** Where the section's name is drawn (the centre of its seats) and the box its seats span. */
  centerX: number;
  centerY: number;
  width: number;
  height: number;
}

export interface Rect {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export interface Stage {
  label: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The seat map flattened into typed arrays, indexed by the seat's position in the API's order
 * (sections, then their seats): the same order as the `statuses` string, so statuses apply by index.
 */
export interface SeatLayout {
  seatCount: number;
  x: Float32Array;
  y: Float32Array;
  sectionOfSeat: Uint16Array;
  seatIds: string[];
  rowOfSeat: string[];
  numberOfSeat: Int32Array;
  seatIndexById: Map<string, number>;
  sections: SeatSection[];
  stage: Stage;
  /** Everything drawn: seats (with their size) and the stage. */
  bounds: Rect;
  /** Drawn seat diameter in layout units, derived from the spacing of neighbouring seats. */
  seatSize: number;
  grid: SpatialGrid;
}

type SeatMapLayoutData = SeatMapLayoutQuery["seatMap"];

/** Typical distance between neighbours in a row: the median over a sample of consecutive seats. */
function typicalSeatSpacing(
  x: Float32Array,
  y: Float32Array,
  rowOfSeat: string[],
  sectionOfSeat: Uint16Array,
) {
  const step = Math.max(1, Math.floor(x.length / 4096));
  const distances: number[] = [];
  for (let seat = 1; seat < x.length; seat += step) {
    if (sectionOfSeat[seat] !== sectionOfSeat[seat - 1] || rowOfSeat[seat] !== rowOfSeat[seat - 1]) continue;
    const distance = Math.hypot((x[seat] ?? 0) - (x[seat - 1] ?? 0), (y[seat] ?? 0) - (y[seat - 1] ?? 0));
    if (distance > 0) distances.push(distance);
  }
  if (distances.length === 0) return null;
  distances.sort((a, b) => a - b);
  return distances[Math.floor(distances.length / 2)] ?? null;
}

export function buildSeatLayout(seatMap: SeatMapLayoutData): SeatLayout {
  const seatCount = seatMap.sections.reduce((total, section) => total + section.seats.length, 0);
  const x = new Float32Array(seatCount);
  const y = new Float32Array(seatCount);
  const sectionOfSeat = new Uint16Array(seatCount);
  const numberOfSeat = new Int32Array(seatCount);
  const seatIds: string[] = new Array(seatCount);
  const rowOfSeat: string[] = new Array(seatCount);
  const seatIndexById = new Map<string, number>();
  const seatExtent: Rect = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  const sections: SeatSection[] = [];

  let seat = 0;
  seatMap.sections.forEach((section, sectionIndex) => {
    const extent: Rect = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
    let sumX = 0;
    let sumY = 0;
    for (const apiSeat of section.seats) {
      x[seat] = apiSeat.x;
      y[seat] = apiSeat.y;
      sectionOfSeat[seat] = sectionIndex;
      numberOfSeat[seat] = apiSeat.number;
      seatIds[seat] = apiSeat.id;
      rowOfSeat[seat] = apiSeat.row;
      seatIndexById.set(apiSeat.id, seat);
      sumX += apiSeat.x;
      sumY += apiSeat.y;
      extent.minX = Math.min(extent.minX, apiSeat.x);
      extent.minY = Math.min(extent.minY, apiSeat.y);
      extent.maxX = Math.max(extent.maxX, apiSeat.x);
      extent.maxY = Math.max(extent.maxY, apiSeat.y);
      seat++;
    }
    const count = Math.max(section.seats.length, 1);
    sections.push({
      id: section.id,
      name: section.name,
      mapLabel: section.name.replace(/^section\s+/i, ""),
      priceTierId: section.priceTierId ?? null,
      centerX: sumX / count,
      centerY: sumY / count,
      width: Math.max(extent.maxX - extent.minX, 0),
      height: Math.max(extent.maxY - extent.minY, 0),
    });
    if (section.seats.length > 0) {
      seatExtent.minX = Math.min(seatExtent.minX, extent.minX);
      seatExtent.minY = Math.min(seatExtent.minY, extent.minY);
      seatExtent.maxX = Math.max(seatExtent.maxX, extent.maxX);
      seatExtent.maxY = Math.max(seatExtent.maxY, extent.maxY);
    }
  });

  const { stage } = seatMap;
  const hasSeats = seatCount > 0;
  const spacing =
    typicalSeatSpacing(x, y, rowOfSeat, sectionOfSeat) ??
    (hasSeats
      ? Math.sqrt(
          (Math.max(seatExtent.maxX - seatExtent.minX, 1) * Math.max(seatExtent.maxY - seatExtent.minY, 1)) /
            seatCount,
        )
      : 1);
  const seatSize = spacing * 0.8;
  // The API's bounds are trusted, but widened to what is actually drawn so nothing is ever clipped.
  const bounds: Rect = {
    minX: Math.min(seatMap.bounds.minX, stage.x, hasSeats ? seatExtent.minX - seatSize : Infinity),
    minY: Math.min(seatMap.bounds.minY, stage.y, hasSeats ? seatExtent.minY - seatSize : Infinity),
    maxX: Math.max(
      seatMap.bounds.maxX,
      stage.x + stage.width,
      hasSeats ? seatExtent.maxX + seatSize : -Infinity,
    ),
    maxY: Math.max(
      seatMap.bounds.maxY,
      stage.y + stage.height,
      hasSeats ? seatExtent.maxY + seatSize : -Infinity,
    ),
  };

  return {
    seatCount,
    x,
    y,
    sectionOfSeat,
    seatIds,
    rowOfSeat,
    numberOfSeat,
    seatIndexById,
    sections,
    stage: { label: stage.label, x: stage.x, y: stage.y, width: stage.width, height: stage.height },
    bounds,
    seatSize,
    // Cells of about two seats across hold a handful of seats each: hit tests touch a few dozen.
    grid: buildSpatialGrid(x, y, bounds, spacing * 2),
  };
}

const STATUS_BY_CHARACTER: Readonly<Record<string, SeatStatusCode>> = {
  A: SeatStatus.Available,
  H: SeatStatus.Held,
  S: SeatStatus.Sold,
  X: SeatStatus.NotForSale,
};

/** Decodes the compact `statuses` string; it must describe exactly the seats of the layout. */
export function decodeSeatStatuses(statuses: string, seatCount: number): Uint8Array {
  if (statuses.length !== seatCount) {
    throw new Error(`The seat statuses describe ${statuses.length} seats but the layout has ${seatCount}.`);
  }
  const codes = new Uint8Array(seatCount);
  for (let seat = 0; seat < seatCount; seat++) {
    codes[seat] = STATUS_BY_CHARACTER[statuses.charAt(seat)] ?? SeatStatus.NotForSale;
  }
  return codes;
}

/** "101" reads better as "Section 101"; names that are already words ("Balcony Left") stay as they are. */
export function sectionTitle(name: string): string {
  return /^\d+[a-z]?$/i.test(name) ? `Section ${name}` : name;
}

/** How a seat is named wherever a fan reads it: "Section 101 · Row C · Seat 5". */
export function seatLabel(section: string, row: string, number: number): string {
  return `${sectionTitle(section)} · Row ${row} · Seat ${number}`;
}

/** The label of the seat at this layout index. */
export function seatLabelAt(layout: SeatLayout, seat: number): string {
  return seatLabel(
    layout.sections[layout.sectionOfSeat[seat] ?? 0]?.name ?? "",
    layout.rowOfSeat[seat] ?? "",
    layout.numberOfSeat[seat] ?? 0,
  );
}
