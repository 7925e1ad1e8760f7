import type { Db } from "../../infra/prisma.js";
import { notFound } from "../../kernel/errors.js";
import { TtlCache } from "../../lib/ttl-cache.js";
import type { ChangedSeatStatus } from "./seat-changes.js";
import { chartLayout, eventPricing, seatStatuses } from "./seating-store.js";

// The seat map is split by how often it changes (docs/seat-map.md):
// - the layout (a seating chart's sections, seats, coordinates) never changes: an event sells a chart
//   version that is frozen once published (docs/database.md), so it is built once per chart;
// - which tier each section sells at is per event and rarely changes: cached for a while;
// - seat statuses change all the time: one compact string per event, cached very briefly, read
//   together with the version in one statement so a snapshot and the deltas after it always agree.

export const STATUS_CODE = { AVAILABLE: "A", HELD: "H", SOLD: "S", NOT_FOR_SALE: "X" } as const;

export interface LayoutSeat {
  id: number;
  row: string;
  number: number;
  x: number;
  y: number;
  accessible: boolean;
  /** Position of this seat's character in the event's `statuses` string. */
  index: number;
}

export interface LayoutSection {
  id: number;
  name: string;
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

export interface StatusSnapshot {
  version: number;
  statuses: string;
}

/** What a changed seat can become: seats not for sale never change. */

/** One `seatMapChanged` message: the current statuses of the seats changed since the previous version. */
export interface SeatMapDeltaMessage {
  eventId: number;
  version: number;
  changes: { seatId: number; status: ChangedSeatStatus }[];
}

export interface SeatMapView extends StatusSnapshot {
  eventId: number;
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
      for (const { seatId, status } of delta.changes) {
        const index = layout.indexBySeatId.get(seatId);
        if (index !== undefined) statuses[index] = STATUS_CODE[status].charCodeAt(0);
      }
      return { version: delta.version, statuses: statuses.toString("latin1") };
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
    const chart = await chartLayout(this.db, chartId);
    const { venue } = chart;
    const indexBySeatId = new Map<number, number>();
    const bounds = {
      minX: Number.POSITIVE_INFINITY,
      minY: Number.POSITIVE_INFINITY,
      maxX: -Infinity,
      maxY: -Infinity,
    };
    const stage = {
      label: venue.stageLabel,
      x: venue.stageX,
      y: venue.stageY,
      width: venue.stageWidth,
      height: venue.stageHeight,
    };
    const extend = (x: number, y: number) => {
      bounds.minX = Math.min(bounds.minX, x);
      bounds.minY = Math.min(bounds.minY, y);
      bounds.maxX = Math.max(bounds.maxX, x);
      bounds.maxY = Math.max(bounds.maxY, y);
    };
    extend(stage.x, stage.y);
    extend(stage.x + stage.width, stage.y + stage.height);
    const sections = chart.sections.map((section) => ({
      id: section.id,
      name: section.name,
      seats: section.seats.map((seat) => {
        const index = indexBySeatId.size;
        indexBySeatId.set(seat.id, index);
        extend(seat.x, seat.y);
        return {
          id: seat.id,
          row: seat.rowLabel,
          number: seat.number,
          // Coordinates are stored as float4: round so the JSON stays short and stable.
          x: Math.round(seat.x * 100) / 100,
          y: Math.round(seat.y * 100) / 100,
          accessible: seat.accessible,
          index,
        };
      }),
    }));
    return { chartId, stage, bounds, sections, seatCount: indexBySeatId.size, indexBySeatId };
  }

  private async loadStatuses(eventId: number): Promise<StatusSnapshot> {
    const { layout } = await this.seatingFor(eventId);
    const row = await seatStatuses(this.db, eventId);
    if (!row) throw notFound("Event", String(eventId));
    const statuses = Buffer.alloc(layout.seatCount, STATUS_CODE.NOT_FOR_SALE);
    const seatIds = row.seat_ids ?? [];
    const codes = row.codes ?? "";
    for (let i = 0; i < seatIds.length; i++) {
      const index = layout.indexBySeatId.get(seatIds[i] as number);
      if (index !== undefined) statuses[index] = codes.charCodeAt(i);
    }
    return { version: Number(row.version), statuses: statuses.toString("latin1") };
  }
}
