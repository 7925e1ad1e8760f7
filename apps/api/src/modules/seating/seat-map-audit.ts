import type { Logger } from "../../infra/logger.js";
import type { SeatChangeNotifier } from "./seat-changes.js";
import {
  type SeatingService,
  type SeatMapDeltaMessage,
  type VenueLayout,
  writeSeatChanges,
} from "./seating.service.js";

/** What the audit reads: the statuses as the database has them, and where each seat is in them. */
export type AuditedSeating = Pick<SeatingService, "readStatuses" | "layoutOf">;
/** Where it reports the changes no delta carried: they go out as normal deltas. */
export type AuditFindings = Pick<SeatChangeNotifier, "seatsChanged" | "areasChanged">;

// A seat change is committed first and published afterwards, from the instance's memory: an instance
// that dies in between (found by `pnpm drill`, api-kill) takes the change with it, and no version says
// so. Clients holding an older snapshot would show that seat wrong until it changed again. The audit
// keeps, per event with live deltas, the map such a client holds (a snapshot plus every delta, read
// again after a gap, as clients do) and compares it with the database at the same version; a seat that
// differs at two audits in a row (so not a delta still on its way, nor a hold the sweeper is about to
// end) is reported as changed, and goes out as a normal delta. Standing areas' places left are audited
// the same way: a committed count no delta carried goes out as the area's count in a normal delta.
// Deltas that arrive while the map is read again are applied to what was read, as clients apply the
// deltas they buffered while fetching a snapshot: otherwise the audit would be behind, read the map
// once more a few audits later, and take any untold change of that moment as the truth.
// Only the events that this instance's clients watch are audited: a client that subscribes later fetches
// its snapshot from the database, untold changes included, and reading a 52,800-seat map every few
// seconds for nobody is a burst of Postgres and API work in the middle of a sale (docs/seat-map.md).

/** An event no delta has touched for this long is no longer audited. */
const IDLE_MS = 10 * 60_000;
/** Seat ids named in the audit's warning; the count says how many there were. */
const LOGGED_SEAT_IDS = 20;
/** Deltas kept per event for a read under way: far more than arrive during one read. */
const RECENT_DELTAS = 64;

interface AuditedMap {
  /** What a client that applied every delta shows; undefined until read (again) from the database. */
  snapshot?: { version: number; statuses: Buffer; layout: VenueLayout; areas: Map<number, number> };
  /** The latest deltas seen, oldest first. */
  recent: SeatMapDeltaMessage[];
  /** Seat indexes that differed from the database at the last audit. */
  suspects: Set<number>;
  /** Standing areas (section ids) whose places left differed from the database at the last audit. */
  areaSuspects: Set<number>;
  /** Audits in a row at which the database was at a later version than the deltas seen. */
  behind: number;
  lastDeltaAt: number;
}

export class SeatMapAudit {
  private readonly maps = new Map<number, AuditedMap>();
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly seating: AuditedSeating,
    private readonly notifier: AuditFindings,
    private readonly log: Logger,
    private readonly intervalMs: number,
    /** Whether a client of this instance watches the event's live seat map. */
    private readonly isWatched: (eventId: number) => boolean,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.auditAll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Every delta any instance published, in the order Redis delivered them. */
  observe(delta: SeatMapDeltaMessage): void {
    const map = this.maps.get(delta.eventId) ?? {
      recent: [],
      suspects: new Set(),
      areaSuspects: new Set(),
      behind: 0,
      lastDeltaAt: 0,
    };
    this.maps.set(delta.eventId, map);
    map.lastDeltaAt = Date.now();
    map.recent.push(delta);
    if (map.recent.length > RECENT_DELTAS) map.recent.shift();
    apply(map, delta);
  }

  async auditAll(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (const [eventId, map] of this.maps) {
        if (Date.now() - map.lastDeltaAt > IDLE_MS) this.maps.delete(eventId);
        else if (this.isWatched(eventId)) await this.audit(eventId, map);
        else forget(map);
      }
    } catch (error) {
      this.log.warn({ err: error instanceof Error ? error.message : error }, "seat map audit failed");
    } finally {
      this.running = false;
    }
  }

  private async audit(eventId: number, map: AuditedMap): Promise<void> {
    const [fresh, layout] = await Promise.all([
      this.seating.readStatuses(eventId),
      this.seating.layoutOf(eventId),
    ]);
    const snapshot = map.snapshot;
    if (
      !snapshot ||
      fresh.version < snapshot.version ||
      (fresh.version > snapshot.version && ++map.behind > 2)
    ) {
      forget(map);
      map.snapshot = {
        version: fresh.version,
        statuses: Buffer.from(fresh.statuses, "latin1"),
        layout,
        areas: new Map(fresh.areas.map((area) => [area.id, area.available])),
      };
      // The deltas that arrived while the database was read (those up to its version are skipped).
      for (const delta of map.recent) apply(map, delta);
      return;
    }
    // Deltas still on their way: compare at the next audit.
    if (fresh.version > snapshot.version) return;
    map.behind = 0;
    const differing = new Set<number>();
    for (let index = 0; index < snapshot.statuses.length; index++) {
      if (snapshot.statuses[index] !== fresh.statuses.charCodeAt(index)) differing.add(index);
    }
    const confirmed = [...differing].filter((index) => map.suspects.has(index));
    map.suspects = differing;
    const differingAreas = new Set(
      fresh.areas.filter((area) => snapshot.areas.get(area.id) !== area.available).map((area) => area.id),
    );
    const confirmedAreas = [...differingAreas].filter((areaId) => map.areaSuspects.has(areaId));
    map.areaSuspects = differingAreas;
    if (confirmed.length > 0) {
      const seatIdByIndex = new Map([...layout.indexBySeatId].map(([seatId, index]) => [index, seatId]));
      const seatIds = confirmed.flatMap((index) => seatIdByIndex.get(index) ?? []);
      // A whole section's worth of ids would make one log line of tens of kilobytes: a sample says enough.
      this.log.warn(
        { eventId, seats: seatIds.length, seatIds: seatIds.slice(0, LOGGED_SEAT_IDS) },
        "seat map audit: changes no delta carried; publishing them",
      );
      this.notifier.seatsChanged(eventId, seatIds);
    }
    if (confirmedAreas.length > 0) {
      this.log.warn(
        { eventId, areaIds: confirmedAreas },
        "seat map audit: area counts no delta carried; publishing them",
      );
      this.notifier.areasChanged(eventId, confirmedAreas);
    }
  }
}

/** Drops what was compared so far: the next audit reads the map afresh (a gap, or watched again). */
function forget(map: AuditedMap): void {
  map.snapshot = undefined;
  map.suspects.clear();
  map.areaSuspects.clear();
  map.behind = 0;
}

/** Applies the delta that follows the snapshot; after a gap the map is read again. */
function apply(map: AuditedMap, delta: SeatMapDeltaMessage): void {
  const snapshot = map.snapshot;
  if (!snapshot || delta.version <= snapshot.version) return;
  if (delta.version > snapshot.version + 1) {
    map.snapshot = undefined;
    return;
  }
  writeSeatChanges(snapshot.statuses, snapshot.layout, delta.changes);
  for (const { areaId, available } of delta.areas) snapshot.areas.set(areaId, available);
  snapshot.version = delta.version;
}
