import { setImmediate as nextLoopTurn } from "node:timers/promises";
import type { Db } from "../../infra/prisma.js";
import type { SqlPool } from "../../infra/sql.js";
import { notFound } from "../../kernel/errors.js";
import { TtlCache } from "../../lib/ttl-cache.js";
import type { AreaAvailable, ChangedSeatStatus } from "./seat-changes.js";
import { chartLayout, eventPricing, SEAT_FLAG, seatStatuses } from "./seating-store.js";

// The seat map is split by how often it changes (docs/seat-map.md):
// - the layout (a seating chart's sections, seats, coordinates) never changes: an event sells a chart
//   version that is frozen once published (docs/database.md), so it is built once per chart;
// - which tier each section sells at is per event and rarely changes: cached for a while;
// - seat statuses change all the time: one compact string per event, cached very briefly, read
//   together with the version in one statement so a snapshot and the deltas after it always agree.

/** Seats a layout build turns into objects before it lets the event loop turn (about a millisecond). */
const SEATS_PER_TURN = 2_000;

export const STATUS_CODE = { AVAILABLE: "A", HELD: "H", SOLD: "S", NOT_FOR_SALE: "X" } as const;

export interface LayoutSeat {
  id: number;
  row: string;
  number: number;
  x: number;
  y: number;
  accessible: boolean;
  /** A wheelchair space, or a companion seat beside one: kept for fans who ask (docs/standing.md). */
  wheelchair: boolean;
  companion: boolean;
  /** Position of this seat's character in the event's `statuses` string. */
  index: number;
}

export interface LayoutSection {
  id: number;
  name: string;
  kind: "SEATED" | "STANDING";
  /** Places of a standing section (null for a seated one). */
  capacity: number | null;
  /** A standing section's outline as x, y pairs in seat coordinates (null when it has none). */
  outline: number[] | null;
  seats: LayoutSeat[];
}

export interface VenueLayout {
  chartId: number;
  stage: { label: string; x: number; y: number; width: number; height: number };
  bounds: { minX: number; minY: number; maxX: number; maxY: number };
  sections: LayoutSection[];
  seatCount: number;
  indexBySeatId: Map<number, number>;
}

export interface SeatMapSectionView extends LayoutSection {
  priceTierId: number | null;
}

/** A standing area on sale at the event, with its places left (docs/standing.md). */
export interface AreaView {
  id: number;
  name: string;
  capacity: number;
  available: number;
}

export interface StatusSnapshot {
  version: number;
  statuses: string;
  /** The standing areas on sale, in section order: counts of the same version as `statuses`. */
  areas: AreaView[];
}

/** What a changed seat can become: seats not for sale never change. */

/** One `seatMapChanged` message: the current statuses of the seats changed since the previous version. */
export interface SeatMapDeltaMessage {
  eventId: number;
  version: number;
  changes: { seatId: number; status: ChangedSeatStatus }[];
  /** Standing areas whose places left changed, with the count at this version. */
  areas: AreaAvailable[];
}

export interface SeatMapView extends StatusSnapshot {
  eventId: number;
  areas: (AreaView & { outline: number[] | null })[];
  stage: VenueLayout["stage"];
  bounds: VenueLayout["bounds"];
  sections: SeatMapSectionView[];
}

interface EventSeating {
  layout: VenueLayout;
  sections: SeatMapSectionView[];
}

export interface SeatingOptions {
  statusTtlMs?: number;
  pricingTtlMs?: number;
}

export class SeatingService {
  private readonly layouts = new TtlCache<number, VenueLayout>(Number.POSITIVE_INFINITY, 1_000);
  private readonly eventSeating: TtlCache<number, EventSeating>;
  private readonly statuses: TtlCache<number, StatusSnapshot>;

  constructor(
    private readonly db: Db,
    /** The layout's one big read (seating-store.ts, chartLayout). */
    private readonly pool: SqlPool,
    options: SeatingOptions = {},
  ) {
    this.eventSeating = new TtlCache(options.pricingTtlMs ?? 30_000);
    this.statuses = new TtlCache(options.statusTtlMs ?? 500);
  }

  async seatMap(eventId: number): Promise<SeatMapView> {
    const [seating, snapshot] = await Promise.all([this.seatingFor(eventId), this.statusSnapshot(eventId)]);
    return {
      eventId,
      ...snapshot,
      stage: seating.layout.stage,
      bounds: seating.layout.bounds,
      sections: seating.sections,
      areas: snapshot.areas.map((area) => ({
        ...area,
        outline: seating.layout.sections.find((section) => section.id === area.id)?.outline ?? null,
      })),
    };
  }

  statusSnapshot(eventId: number): Promise<StatusSnapshot> {
    return this.statuses.get(eventId, () => this.loadStatuses(eventId));
  }

  /** The statuses and their version as the database has them now (not cached). */
  readStatuses(eventId: number): Promise<StatusSnapshot> {
    return this.loadStatuses(eventId);
  }

  /** The event's venue layout (cached): where each seat's status is in `statuses`. */
  async layoutOf(eventId: number): Promise<VenueLayout> {
    return (await this.seatingFor(eventId)).layout;
  }

  /** Forget the event's cached tiers and statuses (its organizer changed its prices or published it). */
  invalidatePricing(eventId: number): void {
    this.eventSeating.delete(eventId);
    this.statuses.delete(eventId);
  }

  /** Forget the cached statuses of an event, e.g. after this instance changed some of its seats. */
  invalidateStatuses(eventId: number): void {
    this.statuses.delete(eventId);
  }

  /**
   * Keeps the cached statuses in step with the deltas every instance publishes: the delta right after
   * the cached version is applied (the result is what a client holding that snapshot has after the
   * delta, so still a valid snapshot: docs/seat-map.md); after a gap the statuses are read again.
   * The entry keeps its expiry, so a lost delta cannot keep a stale map alive.
   */
  applyDelta(delta: SeatMapDeltaMessage): void {
    const cached = this.statuses.peek(delta.eventId);
    if (!cached) return;
    const next = cached.then(async (snapshot) => {
      if (snapshot.version >= delta.version) return snapshot;
      if (snapshot.version < delta.version - 1) return this.loadStatuses(delta.eventId);
      const { layout } = await this.seatingFor(delta.eventId);
      const statuses = Buffer.from(snapshot.statuses, "latin1");
      writeSeatChanges(statuses, layout, delta.changes);
      return {
        version: delta.version,
        statuses: statuses.toString("latin1"),
        areas: applyAreaCounts(snapshot.areas, delta.areas),
      };
    });
    this.statuses.replace(delta.eventId, next);
  }

  private seatingFor(eventId: number): Promise<EventSeating> {
    return this.eventSeating.get(eventId, async () => {
      const event = await eventPricing(this.db, eventId);
      if (!event) throw notFound("Event", String(eventId));
      const layout = await this.layouts.get(event.chartId, () => this.loadLayout(event.chartId));
      const tierBySection = new Map(
        event.pricings.map((pricing) => [pricing.sectionId, pricing.priceTierId]),
      );
      return {
        layout,
        sections: layout.sections.map((section) => ({
          ...section,
          priceTierId: tierBySection.get(section.id) ?? null,
        })),
      };
    });
  }

  private async loadLayout(chartId: number): Promise<VenueLayout> {
    const chart = await chartLayout(this.pool, chartId);
    if (!chart) throw notFound("Seating chart", String(chartId));
    const indexBySeatId = new Map<number, number>();
    const bounds = {
      minX: Number.POSITIVE_INFINITY,
      minY: Number.POSITIVE_INFINITY,
      maxX: -Infinity,
      maxY: -Infinity,
    };
    const { stage } = chart;
    const extend = (x: number, y: number) => {
      bounds.minX = Math.min(bounds.minX, x);
      bounds.minY = Math.min(bounds.minY, y);
      bounds.maxX = Math.max(bounds.maxX, x);
      bounds.maxY = Math.max(bounds.maxY, y);
    };
    extend(stage.x, stage.y);
    extend(stage.x + stage.width, stage.y + stage.height);
    const sections: LayoutSection[] = [];
    let seatsThisTurn = 0;
    for (const { id, name, kind, capacity, outline, seats } of chart.sections) {
      // A stadium's 52,800 seat objects took 25–30 ms in one block, after the driver's parse of
      // the last rows: the loop turns between sections so the first map of an on-sale stays short.
      if (seatsThisTurn >= SEATS_PER_TURN) {
        seatsThisTurn = 0;
        await nextLoopTurn();
      }
      seatsThisTurn += seats.length;
      sections.push({
        id,
        name,
        kind,
        capacity,
        outline: flatOutline(outline, extend),
        seats: seats.map(([seatId, row, number, x, y, flags]) => {
          const index = indexBySeatId.size;
          indexBySeatId.set(seatId, index);
          extend(x, y);
          return {
            id: seatId,
            row,
            number,
            // Coordinates are stored as float4: round so the JSON stays short and stable.
            x: Math.round(x * 100) / 100,
            y: Math.round(y * 100) / 100,
            accessible: (flags & SEAT_FLAG.accessible) !== 0,
            wheelchair: (flags & SEAT_FLAG.wheelchair) !== 0,
            companion: (flags & SEAT_FLAG.companion) !== 0,
            index,
          };
        }),
      });
    }
    return { chartId, stage, bounds, sections, seatCount: indexBySeatId.size, indexBySeatId };
  }

  private async loadStatuses(eventId: number): Promise<StatusSnapshot> {
    const { layout } = await this.seatingFor(eventId);
    const row = await seatStatuses(this.db, eventId);
    if (!row) throw notFound("Event", String(eventId));
    const statuses = Buffer.alloc(layout.seatCount, STATUS_CODE.NOT_FOR_SALE);
    const { seatIds, codes } = row;
    for (let i = 0; i < seatIds.length; i++) {
      const index = layout.indexBySeatId.get(seatIds[i] as number);
      if (index !== undefined) statuses[index] = codes.charCodeAt(i);
    }
    return { version: Number(row.version), statuses: statuses.toString("latin1"), areas: row.areas };
  }
}

/** Writes a delta's seat changes into statuses laid out by `layout` (one status code per seat). */
export function writeSeatChanges(
  statuses: Buffer,
  layout: VenueLayout,
  changes: SeatMapDeltaMessage["changes"],
): void {
  for (const { seatId, status } of changes) {
    const index = layout.indexBySeatId.get(seatId);
    if (index !== undefined) statuses[index] = STATUS_CODE[status].charCodeAt(0);
  }
}

/** An outline as stored ([{x, y}, …]) as x, y pairs, rounded like seats; each point widens the bounds. */
function flatOutline(outline: unknown, extend: (x: number, y: number) => void): number[] | null {
  if (!Array.isArray(outline) || outline.length < 3) return null;
  const flat: number[] = [];
  for (const point of outline as { x?: unknown; y?: unknown }[]) {
    if (typeof point?.x !== "number" || typeof point?.y !== "number") return null;
    extend(point.x, point.y);
    flat.push(Math.round(point.x * 100) / 100, Math.round(point.y * 100) / 100);
  }
  return flat;
}

/** The areas after a delta's counts (what a client applying the delta has too). */
export function applyAreaCounts(areas: readonly AreaView[], counts: readonly AreaAvailable[]): AreaView[] {
  if (counts.length === 0) return [...areas];
  const byId = new Map(counts.map((count) => [count.areaId, count.available]));
  return areas.map((area) => ({ ...area, available: byId.get(area.id) ?? area.available }));
}
