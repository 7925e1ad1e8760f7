import type { SeatLayout } from "./seat-layout";

/** An arrow key on the seat map, as the direction it moves in on screen. */
export type SeatDirection = "left" | "right" | "up" | "down";

export const SEAT_DIRECTION_BY_KEY: Readonly<Record<string, SeatDirection>> = {
  ArrowLeft: "left",
  ArrowRight: "right",
  ArrowUp: "up",
  ArrowDown: "down",
};

type NavigableLayout = Pick<SeatLayout, "seatCount" | "x" | "y" | "sectionOfSeat" | "rowOfSeat">;

interface SeatRow {
  section: number;
  /** The row's seats in screen order along the row (left to right, or top to bottom). */
  seats: number[];
  /** Where the row lies across its section: mean y for a horizontal row, mean x for a vertical one. */
  across: number;
}

/** The rows of a layout, for moving between seats with the arrow keys (built once per layout). */
export interface SeatRows {
  rows: SeatRow[];
  rowOfSeat: Uint32Array;
  positionInRow: Uint32Array;
  /** Per section: its rows in screen order across (top to bottom, or left to right). */
  rowsOfSection: number[][];
  /** Per section: whether its rows run left to right (most) or top to bottom (a stadium's side stands). */
  horizontal: boolean[];
}

export function buildSeatRows(layout: NavigableLayout): SeatRows {
  const { seatCount, x, y, sectionOfSeat, rowOfSeat: rowName } = layout;
  const rowIndexByKey = new Map<string, number>();
  const rows: SeatRow[] = [];
  const rowOfSeat = new Uint32Array(seatCount);
  for (let seat = 0; seat < seatCount; seat++) {
    const section = sectionOfSeat[seat] ?? 0;
    const key = `${section}\u0000${rowName[seat] ?? ""}`;
    let row = rowIndexByKey.get(key);
    if (row === undefined) {
      row = rows.length;
      rowIndexByKey.set(key, row);
      rows.push({ section, seats: [], across: 0 });
    }
    rows[row]?.seats.push(seat);
    rowOfSeat[seat] = row;
  }
  const sectionCount = rows.reduce((max, row) => Math.max(max, row.section + 1), 0);
  // A section's orientation comes from its widest row: rows of one seat say nothing.
  const spanOfSection = Array.from({ length: sectionCount }, () => ({ dx: 0, dy: 0 }));
  for (const row of rows) {
    const xs = row.seats.map((seat) => x[seat] ?? 0);
    const ys = row.seats.map((seat) => y[seat] ?? 0);
    const dx = Math.max(...xs) - Math.min(...xs);
    const dy = Math.max(...ys) - Math.min(...ys);
    const span = spanOfSection[row.section];
    if (span && dx + dy > span.dx + span.dy) {
      span.dx = dx;
      span.dy = dy;
    }
  }
  const horizontal = spanOfSection.map((span) => span.dx >= span.dy);
  const positionInRow = new Uint32Array(seatCount);
  const rowsOfSection: number[][] = Array.from({ length: sectionCount }, () => []);
  rows.forEach((row, index) => {
    const along = horizontal[row.section] ? x : y;
    const across = horizontal[row.section] ? y : x;
    row.seats.sort((a, b) => (along[a] ?? 0) - (along[b] ?? 0));
    row.seats.forEach((seat, position) => {
      positionInRow[seat] = position;
    });
    row.across = row.seats.reduce((sum, seat) => sum + (across[seat] ?? 0), 0) / row.seats.length;
    rowsOfSection[row.section]?.push(index);
  });
  for (const sectionRows of rowsOfSection) {
    sectionRows.sort((a, b) => (rows[a]?.across ?? 0) - (rows[b]?.across ?? 0));
  }
  return { rows, rowOfSeat, positionInRow, rowsOfSection, horizontal };
}

const STEP: Record<SeatDirection, { dx: number; dy: number }> = {
  left: { dx: -1, dy: 0 },
  right: { dx: 1, dy: 0 },
  up: { dx: 0, dy: -1 },
  down: { dx: 0, dy: 1 },
};

/**
 * The seat an arrow key moves to from `seat`: the neighbour along its row, or the nearest seat of the
 * next row across; past the edge of a section, the nearest seat in that direction in another section.
 * Returns `seat` itself when there is nothing further that way.
 */
export function nextSeat(
  layout: NavigableLayout,
  rows: SeatRows,
  seat: number,
  direction: SeatDirection,
): number {
  const row = rows.rows[rows.rowOfSeat[seat] ?? 0];
  if (!row) return seat;
  const horizontal = rows.horizontal[row.section] ?? true;
  const { dx, dy } = STEP[direction];
  const alongRow = horizontal ? dx !== 0 : dy !== 0;
  const forward = dx + dy > 0;
  if (alongRow) {
    const position = (rows.positionInRow[seat] ?? 0) + (forward ? 1 : -1);
    const neighbour = row.seats[position];
    if (neighbour !== undefined) return neighbour;
  } else {
    const sectionRows = rows.rowsOfSection[row.section] ?? [];
    const rowPosition = sectionRows.indexOf(rows.rowOfSeat[seat] ?? 0) + (forward ? 1 : -1);
    const nextRow = rows.rows[sectionRows[rowPosition] ?? -1];
    if (nextRow) return nearestInRow(layout, nextRow, seat, horizontal);
  }
  return nearestInDirection(layout, seat, row.section, dx, dy);
}

function nearestInRow(layout: NavigableLayout, row: SeatRow, from: number, horizontal: boolean): number {
  const along = horizontal ? layout.x : layout.y;
  const target = along[from] ?? 0;
  let best = row.seats[0] ?? from;
  for (const seat of row.seats) {
    if (Math.abs((along[seat] ?? 0) - target) < Math.abs((along[best] ?? 0) - target)) best = seat;
  }
  return best;
}

/** The closest seat of another section within 45° of the direction, straight ahead preferred. */
function nearestInDirection(
  layout: NavigableLayout,
  from: number,
  section: number,
  dx: number,
  dy: number,
): number {
  const originX = layout.x[from] ?? 0;
  const originY = layout.y[from] ?? 0;
  let best = from;
  let bestScore = Infinity;
  for (let seat = 0; seat < layout.seatCount; seat++) {
    if (layout.sectionOfSeat[seat] === section) continue;
    const offsetX = (layout.x[seat] ?? 0) - originX;
    const offsetY = (layout.y[seat] ?? 0) - originY;
    const ahead = offsetX * dx + offsetY * dy;
    const aside = Math.abs(offsetX * dy - offsetY * dx);
    if (ahead <= 0 || aside > ahead) continue;
    const score = ahead + 2 * aside;
    if (score < bestScore) {
      bestScore = score;
      best = seat;
    }
  }
  return best;
}
