import { type SeatMapView, STATUS_CODE } from "../seating/seating.service.js";
import type { SeatOffer } from "./hold-store.js";

// How holdBestAvailable ranks and chooses free seats (pure: no database).

/** A free seat, with the run of free seats in its row it belongs to. */
export interface FreeSeat {
  seatId: number;
  sectionId: number;
  row: string;
  number: number;
  /** From the centre of the stage or field, in layout units. */
  distance: number;
  /** Numbers of the first and last seat of the run. */
  runStart: number;
  runEnd: number;
  wheelchair: boolean;
  companion: boolean;
}

export type CandidateSeat = SeatOffer & FreeSeat;

interface LayoutSeat {
  seatId: number;
  number: number;
  index: number;
  distance: number;
  wheelchair: boolean;
  companion: boolean;
}

/**
 * Which wheelchair and companion seats (the accessible places) a search may use: `exclude` for a
 * request that did not ask for them before the organizer released them to general sale, `include`
 * otherwise (the service tries without them first, so that they go last).
 */
export type AccessiblePlaces = "exclude" | "include";

/**
 * The searches a best-available request makes, in order: accessible places go to general sale last,
 * only when no other seats fit (and only once `accessible` includes them).
 */
export function accessibleSearches(accessible: AccessiblePlaces): AccessiblePlaces[] {
  return accessible === "include" ? ["exclude", "include"] : ["exclude"];
}

const isAccessiblePlace = (seat: { wheelchair: boolean; companion: boolean }) =>
  seat.wheelchair || seat.companion;

interface LayoutRow {
  sectionId: number;
  priceTierId: number | null;
  row: string;
  seats: LayoutSeat[];
}

/** Consecutive free seats of one row. */
export interface FreeRun {
  sectionId: number;
  row: string;
  seats: LayoutSeat[];
  /** Of its seat closest to the stage. */
  distance: number;
}

// The rows of an event's layout with each seat's distance from the stage, kept as long as the seat
// map keeps that event's sections (the same array while it is cached).
const layoutRowsCache = new WeakMap<SeatMapView["sections"], LayoutRow[]>();

function layoutRows(map: SeatMapView): LayoutRow[] {
  const cached = layoutRowsCache.get(map.sections);
  if (cached) return cached;
  const centreX = map.stage.x + map.stage.width / 2;
  const centreY = map.stage.y + map.stage.height / 2;
  const rows: LayoutRow[] = [];
  for (const section of map.sections) {
    // A section's seats come row by row (closest row first), each row by number.
    for (const seat of section.seats) {
      let row = rows.at(-1);
      if (!row || row.sectionId !== section.id || row.row !== seat.row) {
        row = { sectionId: section.id, priceTierId: section.priceTierId, row: seat.row, seats: [] };
        rows.push(row);
      }
      const distance = Math.hypot(seat.x - centreX, seat.y - centreY);
      row.seats.push({
        seatId: seat.id,
        number: seat.number,
        index: seat.index,
        distance,
        wheelchair: seat.wheelchair,
        companion: seat.companion,
      });
    }
  }
  layoutRowsCache.set(map.sections, rows);
  return rows;
}

/**
 * What the map's own statuses rule out: `offSale`, only seats it shows not for sale (the caller read
 * the taken ones from Postgres into `taken`); `live`, every seat it does not show available, as fans
 * see it (an optimistic pick: the guard confirms it).
 */
export type MapStatuses = "offSale" | "live";

/** Seat ids to leave out (only `has` is asked). */
export type SeatIds = Pick<ReadonlySet<number>, "has">;

/** The runs of consecutive free seats of every row on sale (in the tier, when one is given). */
export function freeRuns(
  map: SeatMapView,
  taken: SeatIds,
  priceTierId: number | null,
  accessible: AccessiblePlaces = "exclude",
  statuses: MapStatuses = "offSale",
): FreeRun[] {
  const runs: FreeRun[] = [];
  const onMap =
    statuses === "live"
      ? (index: number) => map.statuses[index] === STATUS_CODE.AVAILABLE
      : (index: number) => map.statuses[index] !== STATUS_CODE.NOT_FOR_SALE;
  for (const { sectionId, row, seats, priceTierId: rowTier } of layoutRows(map)) {
    if (rowTier === null || (priceTierId !== null && rowTier !== priceTierId)) continue;
    let start = 0;
    for (let i = 0; i <= seats.length; i++) {
      const seat = seats[i];
      const free =
        seat !== undefined &&
        onMap(seat.index) &&
        !taken.has(seat.seatId) &&
        (accessible === "include" || !isAccessiblePlace(seat));
      const continues = free && i > start && (seats[i - 1] as LayoutSeat).number + 1 === seat.number;
      if (continues || (free && i === start)) continue;
      if (i > start) {
        const run = seats.slice(start, i);
        runs.push({ sectionId, row, seats: run, distance: Math.min(...run.map((each) => each.distance)) });
      }
      start = free ? i : i + 1;
    }
  }
  return runs;
}

/**
 * Up to `max` free seats best first, for the database to lock in this order. For an adjacent block:
 * runs where `quantity` seats fit without stranding a single seat, then other runs with room, each
 * closest to the stage first, and within a run its middle before its ends. Otherwise: any seat.
 */
export function preferenceOrder(
  runs: readonly FreeRun[],
  quantity: number,
  options: { adjacent: boolean; max: number },
): FreeSeat[] {
  const strandsOne = (run: FreeRun) => Number(options.adjacent && run.seats.length === quantity + 1);
  const ordered = runs
    .filter((run) => !options.adjacent || run.seats.length >= quantity)
    .sort((a, b) => strandsOne(a) - strandsOne(b) || a.distance - b.distance);
  const preferred: FreeSeat[] = [];
  for (const run of ordered) {
    const runStart = (run.seats[0] as LayoutSeat).number;
    const runEnd = (run.seats.at(-1) as LayoutSeat).number;
    for (const seat of [...run.seats].sort((a, b) => a.distance - b.distance)) {
      if (preferred.length >= options.max) return preferred;
      preferred.push(freeSeat(run, seat, runStart, runEnd));
    }
  }
  return preferred;
}

function freeSeat(run: FreeRun, seat: LayoutSeat, runStart: number, runEnd: number): FreeSeat {
  const { seatId, number, distance, wheelchair, companion } = seat;
  return {
    seatId,
    sectionId: run.sectionId,
    row: run.row,
    number,
    distance,
    runStart,
    runEnd,
    wheelchair,
    companion,
  };
}

/**
 * For `wheelchair` wheelchair places among `quantity` seats: the seats of every run that has that many
 * wheelchair spaces and room for the whole party, closest run first, each run in seat order (the
 * places and their companions sit together, so whole runs are offered).
 */
export function accessiblePreferenceOrder(
  runs: readonly FreeRun[],
  quantity: number,
  wheelchair: number,
  max: number,
): FreeSeat[] {
  const preferred: FreeSeat[] = [];
  const fitting = runs
    .filter(
      (run) => run.seats.length >= quantity && run.seats.filter((s) => s.wheelchair).length >= wheelchair,
    )
    .sort((a, b) => a.distance - b.distance);
  for (const run of fitting) {
    const runStart = (run.seats[0] as LayoutSeat).number;
    const runEnd = (run.seats.at(-1) as LayoutSeat).number;
    for (const seat of run.seats) {
      if (preferred.length >= max) return preferred;
      preferred.push(freeSeat(run, seat, runStart, runEnd));
    }
  }
  return preferred;
}

/**
 * `quantity` adjacent seats in one row with at least `wheelchair` wheelchair spaces, the others
 * companion seats where possible (the way seats.io's best available seats a wheelchair user beside
 * their companions), closest first. Null when no block has them.
 */
export function pickAccessible<S extends FreeSeat>(
  candidates: readonly S[],
  quantity: number,
  wheelchair: number,
): S[] | null {
  const spaces = (block: readonly S[]) => block.filter((seat) => seat.wheelchair).length;
  // Ordinary seats where a companion seat could be, and wheelchair spaces beyond those asked for, are
  // places another party needs: the fewest of both.
  const misused = (block: readonly S[]) =>
    block.filter((seat) => !isAccessiblePlace(seat)).length + spaces(block) - wheelchair;
  const blocks = [...blocksOf(stretchesOf(candidates), quantity)].filter(
    (block) => spaces(block) >= wheelchair,
  );
  return best(blocks, (a, b) => misused(a) - misused(b) || meanDistance(a) - meanDistance(b)) ?? null;
}

/** Seats with consecutive numbers in one row. */
type Stretch<S extends FreeSeat> = S[];

const sameRow = (a: FreeSeat, b: FreeSeat) => a.sectionId === b.sectionId && a.row === b.row;

function stretchesOf<S extends FreeSeat>(seats: readonly S[]): Stretch<S>[] {
  const sorted = [...seats].sort(
    (a, b) => a.sectionId - b.sectionId || a.row.localeCompare(b.row) || a.number - b.number,
  );
  const stretches: Stretch<S>[] = [];
  for (const seat of sorted) {
    const current = stretches.at(-1);
    const last = current?.at(-1);
    if (current && last && sameRow(last, seat) && last.number + 1 === seat.number) current.push(seat);
    else stretches.push([seat]);
  }
  return stretches;
}

function rowsOf<S extends FreeSeat>(seats: readonly S[]): S[][] {
  const rows = new Map<string, S[]>();
  for (const seat of seats) {
    const key = `${seat.sectionId}:${seat.row}`;
    const row = rows.get(key);
    if (row) row.push(seat);
    else rows.set(key, [seat]);
  }
  return [...rows.values()];
}

function* blocksOf<S extends FreeSeat>(stretches: readonly Stretch<S>[], size: number): Generator<S[]> {
  for (const stretch of stretches) {
    for (let start = 0; start + size <= stretch.length; start++) yield stretch.slice(start, start + size);
  }
}

const meanDistance = (seats: readonly FreeSeat[]) =>
  seats.reduce((sum, seat) => sum + seat.distance, 0) / seats.length;
const nearest = (seats: readonly FreeSeat[]) => Math.min(...seats.map((seat) => seat.distance));

function best<T>(items: Iterable<T>, compare: (a: T, b: T) => number): T | undefined {
  let winner: T | undefined;
  for (const item of items) if (winner === undefined || compare(item, winner) < 0) winner = item;
  return winner;
}

/** Single free seats the block would strand between itself and the next taken seat or row end. */
function orphansLeftBy(block: readonly FreeSeat[]): number {
  const first = block[0] as FreeSeat;
  const last = block.at(-1) as FreeSeat;
  return Number(first.number - first.runStart === 1) + Number(last.runEnd - last.number === 1);
}

const closestBlock = <S extends FreeSeat>(stretches: readonly Stretch<S>[], size: number) =>
  best(blocksOf(stretches, size), (a, b) => meanDistance(a) - meanDistance(b));

/**
 * `quantity` adjacent seats in one row: stranding no single seat when any block allows it, then the
 * block closest to the stage. Null when no row has that many adjacent candidates.
 */
export function pickAdjacent<S extends FreeSeat>(candidates: readonly S[], quantity: number): S[] | null {
  return (
    best(
      blocksOf(stretchesOf(candidates), quantity),
      (a, b) => orphansLeftBy(a) - orphansLeftBy(b) || meanDistance(a) - meanDistance(b),
    ) ?? null
  );
}

/**
 * Takes `count` seats from as few groups as possible: the nearest group that holds everything still
 * needed, otherwise the largest group (the nearest of equals) and on.
 */
function takeFromFewestGroups<S extends FreeSeat>(
  groups: S[][],
  count: number,
  take: (group: S[], count: number) => S[],
): S[] {
  const left = [...groups];
  const taken: S[] = [];
  while (taken.length < count && left.length > 0) {
    const needed = count - taken.length;
    const group =
      best(
        left.filter((candidate) => candidate.length >= needed),
        (a, b) => nearest(a) - nearest(b),
      ) ?? (best(left, (a, b) => b.length - a.length || nearest(a) - nearest(b)) as S[]);
    left.splice(left.indexOf(group), 1);
    taken.push(...take(group, Math.min(needed, group.length)));
  }
  return taken;
}

/**
 * The best split when no row has `quantity` adjacent candidates: the fewest rows, the closest ones,
 * and within a row the fewest, closest stretches. Null when there are not enough candidates.
 */
export function pickSplit<S extends FreeSeat>(candidates: readonly S[], quantity: number): S[] | null {
  if (candidates.length < quantity) return null;
  return takeFromFewestGroups(rowsOf(candidates), quantity, (row, count) =>
    takeFromFewestGroups(stretchesOf(row), count, (stretch, size) => closestBlock([stretch], size) as S[]),
  );
}

/** What a best-available request asks for, as the picker reads it. */
export interface BestAvailableRequest {
  quantity: number;
  priceTierId: number | null;
  /** Wheelchair places among `quantity` (with companion seats beside them); 0 for none. */
  accessibleSeats: number;
}

/**
 * The seats best available takes on the live map, `taken` left out (an optimistic pick, for the guard
 * to confirm): for wheelchair places, a block with them; otherwise adjacent seats in one row when a run
 * has room, else the best split, the accessible places last (only when `accessible` includes them).
 * Null when nothing on the map fits.
 */
export function pickFromMap(
  map: SeatMapView,
  { quantity, priceTierId, accessibleSeats }: BestAvailableRequest,
  taken: SeatIds,
  accessible: AccessiblePlaces,
): FreeSeat[] | null {
  if (accessibleSeats > 0) {
    const runs = freeRuns(map, taken, priceTierId, "include", "live");
    return pickAccessible(
      accessiblePreferenceOrder(runs, quantity, accessibleSeats, 16 * quantity),
      quantity,
      accessibleSeats,
    );
  }
  for (const search of accessibleSearches(accessible)) {
    const runs = freeRuns(map, taken, priceTierId, search, "live");
    const chosen =
      pickAdjacent(preferenceOrder(runs, quantity, { adjacent: true, max: 4 * quantity }), quantity) ??
      pickSplit(preferenceOrder(runs, quantity, { adjacent: false, max: 4 * quantity }), quantity);
    if (chosen) return chosen;
  }
  return null;
}
