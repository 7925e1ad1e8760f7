/**
 * A uniform grid over the venue: each cell lists the seats whose centre falls in it, stored as
 * compressed rows (one offsets array, one items array) so 50,000 seats cost two typed arrays.
 * It answers "which seat is under the pointer" and "which seats are on screen" without a scan.
 */
export interface SpatialGrid {
  minX: number;
  minY: number;
  cellSize: number;
  columns: number;
  rows: number;
  /** Seats of cell c are cellSeats[cellStart[c] .. cellStart[c + 1]). */
  cellStart: Uint32Array;
  cellSeats: Uint32Array;
}

// Beyond about a million cells the offsets array outweighs what it saves.
const MAX_CELLS = 1 << 20;

export function buildSpatialGrid(
  x: Float32Array,
  y: Float32Array,
  bounds: { minX: number; minY: number; maxX: number; maxY: number },
  preferredCellSize: number,
): SpatialGrid {
  const width = Math.max(bounds.maxX - bounds.minX, 1e-6);
  const height = Math.max(bounds.maxY - bounds.minY, 1e-6);
  const cellSize = Math.max(preferredCellSize, Math.sqrt((width * height) / MAX_CELLS));
  const columns = Math.max(1, Math.ceil(width / cellSize));
  const rows = Math.max(1, Math.ceil(height / cellSize));
  const grid: SpatialGrid = {
    minX: bounds.minX,
    minY: bounds.minY,
    cellSize,
    columns,
    rows,
    cellStart: new Uint32Array(columns * rows + 1),
    cellSeats: new Uint32Array(x.length),
  };

  const cellOfSeat = new Uint32Array(x.length);
  for (let seat = 0; seat < x.length; seat++) {
    const cell = cellIndex(grid, x[seat] ?? 0, y[seat] ?? 0);
    cellOfSeat[seat] = cell;
    grid.cellStart[cell + 1] = (grid.cellStart[cell + 1] ?? 0) + 1;
  }
  for (let cell = 0; cell < columns * rows; cell++) {
    grid.cellStart[cell + 1] = (grid.cellStart[cell + 1] ?? 0) + (grid.cellStart[cell] ?? 0);
  }
  const fill = grid.cellStart.slice(0, columns * rows);
  for (let seat = 0; seat < x.length; seat++) {
    const cell = cellOfSeat[seat] ?? 0;
    const slot = fill[cell] ?? 0;
    grid.cellSeats[slot] = seat;
    fill[cell] = slot + 1;
  }
  return grid;
}

function clampColumn(grid: SpatialGrid, worldX: number): number {
  return Math.min(grid.columns - 1, Math.max(0, Math.floor((worldX - grid.minX) / grid.cellSize)));
}

function clampRow(grid: SpatialGrid, worldY: number): number {
  return Math.min(grid.rows - 1, Math.max(0, Math.floor((worldY - grid.minY) / grid.cellSize)));
}

function cellIndex(grid: SpatialGrid, worldX: number, worldY: number): number {
  return clampRow(grid, worldY) * grid.columns + clampColumn(grid, worldX);
}

/** The seat whose centre is nearest to the point and within `maxDistance`, or -1. */
export function findNearestSeat(
  grid: SpatialGrid,
  x: Float32Array,
  y: Float32Array,
  worldX: number,
  worldY: number,
  maxDistance: number,
): number {
  let nearest = -1;
  let nearestDistanceSquared = maxDistance * maxDistance;
  forEachSeatInRect(
    grid,
    worldX - maxDistance,
    worldY - maxDistance,
    worldX + maxDistance,
    worldY + maxDistance,
    (seat) => {
      const dx = (x[seat] ?? 0) - worldX;
      const dy = (y[seat] ?? 0) - worldY;
      const distanceSquared = dx * dx + dy * dy;
      if (distanceSquared <= nearestDistanceSquared) {
        nearest = seat;
        nearestDistanceSquared = distanceSquared;
      }
    },
  );
  return nearest;
}

/** Calls `visit` for every seat in the cells overlapping the rectangle (a superset of the seats inside it). */
export function forEachSeatInRect(
  grid: SpatialGrid,
  minX: number,
  minY: number,
  maxX: number,
  maxY: number,
  visit: (seat: number) => void,
): void {
  if (maxX < grid.minX || maxY < grid.minY) return;
  if (minX > grid.minX + grid.columns * grid.cellSize || minY > grid.minY + grid.rows * grid.cellSize) return;
  const firstColumn = clampColumn(grid, minX);
  const lastColumn = clampColumn(grid, maxX);
  const firstRow = clampRow(grid, minY);
  const lastRow = clampRow(grid, maxY);
  for (let row = firstRow; row <= lastRow; row++) {
    const rowStart = row * grid.columns;
    const from = grid.cellStart[rowStart + firstColumn] ?? 0;
    // Cells of one grid row are contiguous, so a row's seats are one slice.
    const to = grid.cellStart[rowStart + lastColumn + 1] ?? 0;
    for (let slot = from; slot < to; slot++) visit(grid.cellSeats[slot] ?? 0);
  }
}
