import type { SeatStatus as ApiSeatStatus } from "@/gql/graphql";
import { decodeSeatStatuses, type SeatLayout, SeatStatus, type SeatStatusCode } from "./seat-layout";

export interface SeatMapDelta {
  version: number;
  changes: readonly { seatId: string; status: ApiSeatStatus }[];
  /** Standing areas whose places left changed (none when absent). */
  areas?: readonly { areaId: string; available: number }[];
}

/** A standing area on sale: places left, and where it is drawn (x, y pairs; null: nowhere). */
export interface StandingArea {
  id: string;
  name: string;
  capacity: number;
  available: number;
  outline: readonly number[] | null;
}

export interface SyncedStatuses {
  /** One status code per seat, by layout index; a new array whenever anything changed. */
  statuses: Uint8Array;
  /** The standing areas with their places left at `version`; a new array whenever one changed. */
  areas: readonly StandingArea[];
  version: number;
}

function withCounts(areas: readonly StandingArea[], counts: SeatMapDelta["areas"]): readonly StandingArea[] {
  if (!counts || counts.length === 0) return areas;
  const byId = new Map(counts.map((count) => [count.areaId, count.available]));
  return areas.map((area) => ({ ...area, available: byId.get(area.id) ?? area.available }));
}

const CODE_BY_API_STATUS: Readonly<Record<ApiSeatStatus, SeatStatusCode>> = {
  AVAILABLE: SeatStatus.Available,
  HELD: SeatStatus.Held,
  SOLD: SeatStatus.Sold,
  NOT_FOR_SALE: SeatStatus.NotForSale,
};

// Deltas kept while a snapshot is awaited. Past this many something is badly wrong and the next
// snapshot has to cover them anyway, so they are dropped rather than piling up.
const MAX_WAITING_DELTAS = 1_000;

/**
 * Keeps an event's seat statuses equal to the server's: a `seatMap` snapshot, then `seatMapChanged`
 * deltas applied strictly in version order (exactly current + 1). Deltas that arrive before the
 * snapshot or the layout wait for them; older ones are skipped; a missing version is a gap, which only
 * a newer snapshot can fill (`hasGap`). Snapshots older than what is shown are ignored: the API may
 * answer from a cache up to a second old.
 */
export class SeatStatusSync {
  private layout: SeatLayout | null = null;
  /** A snapshot that arrived before the layout, kept undecoded until the layout is known. */
  private earlySnapshot: { version: number; statuses: string; areas: readonly StandingArea[] } | null = null;
  private synced: SyncedStatuses | null = null;
  private readonly waitingDeltas = new Map<number, SeatMapDelta>();

  get current(): SyncedStatuses | null {
    return this.synced;
  }

  /** Deltas are waiting beyond a missing version: a snapshot is needed to go on. */
  get hasGap(): boolean {
    return this.synced !== null && this.waitingDeltas.size > 0;
  }

  /** Returns true when the statuses changed. */
  setLayout(layout: SeatLayout): boolean {
    this.layout = layout;
    return this.advance();
  }

  /** Returns true when the statuses changed. Throws when the statuses do not fit the layout. */
  receiveSnapshot(version: number, statuses: string, areas: readonly StandingArea[] = []): boolean {
    const newest = this.synced?.version ?? this.earlySnapshot?.version ?? Number.NEGATIVE_INFINITY;
    if (version <= newest) return this.advance();
    if (this.layout) {
      this.synced = { version, statuses: decodeSeatStatuses(statuses, this.layout.seatCount), areas };
      this.earlySnapshot = null;
      this.advance();
      return true;
    }
    this.earlySnapshot = { version, statuses, areas };
    return false;
  }

  /** Returns true when the statuses changed. */
  receiveDelta(delta: SeatMapDelta): boolean {
    if (this.synced && delta.version <= this.synced.version) return false;
    if (this.waitingDeltas.size >= MAX_WAITING_DELTAS) this.waitingDeltas.clear();
    this.waitingDeltas.set(delta.version, delta);
    return this.advance();
  }

  private advance(): boolean {
    let changed = false;
    if (!this.synced && this.layout && this.earlySnapshot) {
      const { version, statuses, areas } = this.earlySnapshot;
      this.synced = { version, statuses: decodeSeatStatuses(statuses, this.layout.seatCount), areas };
      this.earlySnapshot = null;
      changed = true;
    }
    const { synced, layout } = this;
    if (!synced || !layout) return changed;

    let version = synced.version;
    for (const waiting of this.waitingDeltas.keys()) {
      if (waiting <= version) this.waitingDeltas.delete(waiting);
    }
    // Copied once, on the first delta applied: React sees a new array, the old one stays intact.
    let statuses: Uint8Array | null = null;
    let areas = synced.areas;
    for (let next = this.waitingDeltas.get(version + 1); next; next = this.waitingDeltas.get(version + 1)) {
      statuses ??= synced.statuses.slice();
      for (const change of next.changes) {
        const seat = layout.seatIndexById.get(change.seatId);
        if (seat !== undefined) statuses[seat] = CODE_BY_API_STATUS[change.status];
      }
      areas = withCounts(areas, next.areas);
      this.waitingDeltas.delete(version + 1);
      version++;
    }
    if (statuses) {
      this.synced = { statuses, areas, version };
      changed = true;
    }
    return changed;
  }
}
