import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../../infra/logger.js";
import type { Metrics } from "../../infra/metrics.js";
import type { Db } from "../../infra/prisma.js";
import type { RedisTopicPubSub } from "../../infra/pubsub.js";
import type { ChangedSeatStatus, SeatChangeNotifier } from "./seat-changes.js";
import { SeatMapAudit } from "./seat-map-audit.js";
import type { SeatingService, SeatMapDeltaMessage } from "./seating.service.js";
import { bumpVersionWithChanges } from "./seating-store.js";

/** The pub/sub routing key of seat map deltas; the topic id is the event (see `seatMapTopic`). */
export const SEAT_MAP_CHANGED = "SEAT_MAP_CHANGED";

/** An event's topic id: its Redis hash tag (DESIGN.md §1), so the topic's keys share a cluster slot. */
export const seatMapTopic = (eventId: number) => `{ev:${eventId}}`;

/** The pub/sub routing key on which instances tell each other that an event's prices changed. */
export const SEAT_MAP_PRICING = "SEAT_MAP_PRICING";

const MAX_RETRY_DELAY_MS = 5_000;

export interface SeatMapLiveOptions {
  /** Changes of one event within this window become one delta. */
  coalesceMs: number;
  /** How often changes no delta carried are looked for (seat-map-audit.ts); 0: never. */
  auditIntervalMs?: number;
}

/** What is waiting to become (or to be published as) the next delta of one event. */
interface EventBacklog {
  seatIds: Set<number>;
  /** Standing areas whose counts changed. */
  areaIds: Set<number>;
  /** A delta whose version is taken (committed in Postgres) but which is not published yet. */
  unpublished?: SeatMapDeltaMessage;
  timer?: NodeJS.Timeout;
  /** Deltas of one event are made one at a time, so this instance publishes them in version order. */
  flushing?: Promise<void>;
  failures: number;
}

const CHANGED_STATUSES = new Set<unknown>([
  "AVAILABLE",
  "HELD",
  "SOLD",
  "NOT_FOR_SALE",
] satisfies ChangedSeatStatus[]);

function isSeatMapDelta(value: unknown): value is SeatMapDeltaMessage {
  if (typeof value !== "object" || value === null) return false;
  const { eventId, version, changes, areas } = value as Record<string, unknown>;
  return (
    Number.isInteger(eventId) &&
    Number.isInteger(version) &&
    Array.isArray(areas) &&
    areas.every(
      (area: { areaId?: unknown; available?: unknown }) =>
        Number.isInteger(area?.areaId) && Number.isInteger(area?.available),
    ) &&
    Array.isArray(changes) &&
    changes.every(
      (change: { seatId?: unknown; status?: unknown }) =>
        Number.isInteger(change?.seatId) && CHANGED_STATUSES.has(change?.status),
    )
  );
}

/**
 * The live seat map (docs/seat-map.md): told about committed seat changes, it merges them per event over
 * a short window and publishes one versioned delta per window to every instance's `seatMapChanged`
 * subscribers; it also applies every instance's deltas to this instance's cached statuses.
 */
export class SeatMapLive implements SeatChangeNotifier {
  private readonly backlogs = new Map<number, EventBacklog>();
  private stopListening?: () => void;
  private stopListeningToPricing?: () => void;
  private closing = false;
  private readonly audit: SeatMapAudit;

  constructor(
    private readonly db: Db,
    private readonly pubSub: RedisTopicPubSub,
    private readonly seating: SeatingService,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    private readonly options: SeatMapLiveOptions,
  ) {
    this.audit = new SeatMapAudit(seating, this, log, options.auditIntervalMs ?? 0, (eventId) =>
      pubSub.hasLocalSubscribers(SEAT_MAP_CHANGED, seatMapTopic(eventId)),
    );
  }

  /** Starts keeping the status cache in step; does not wait for Redis, which may be down at boot. */
  start(): void {
    this.pubSub
      .subscribeToAll(SEAT_MAP_CHANGED, (payload) => {
        if (isSeatMapDelta(payload)) {
          this.seating.applyDelta(payload);
          this.audit.observe(payload);
        } else this.log.warn({ payload }, "ignoring a malformed seat map delta");
      })
      .then((stop) => {
        if (this.closing) stop();
        else this.stopListening = stop;
      })
      .catch((error: unknown) => this.log.error({ err: error }, "could not listen to seat map deltas"));
    this.pubSub
      .subscribeToAll(SEAT_MAP_PRICING, (payload) => {
        const eventId = (payload as { eventId?: unknown } | null)?.eventId;
        if (Number.isInteger(eventId)) this.seating.invalidatePricing(eventId as number);
      })
      .then((stop) => {
        if (this.closing) stop();
        else this.stopListeningToPricing = stop;
      })
      .catch((error: unknown) => this.log.error({ err: error }, "could not listen to price changes"));
    this.audit.start();
  }

  /** Looks for changes no delta carried now, as every `auditIntervalMs` (seat-map-audit.ts). */
  auditNow(): Promise<void> {
    return this.audit.auditAll();
  }

  async pricingChanged(eventId: number): Promise<void> {
    this.seating.invalidatePricing(eventId);
    // The other instances' caches expire within the pricing cache's lifetime even if this is lost.
    await this.pubSub
      .publish(SEAT_MAP_PRICING, { eventId })
      .catch((error: unknown) => this.log.warn({ err: error, eventId }, "could not announce a price change"));
  }

  seatsChanged(eventId: number, seatIds: readonly number[]): void {
    if (seatIds.length === 0) return;
    const backlog = this.backlogOf(eventId);
    for (const seatId of seatIds) backlog.seatIds.add(seatId);
    this.schedule(eventId, backlog, this.options.coalesceMs);
  }

  areasChanged(eventId: number, areaIds: readonly number[]): void {
    if (areaIds.length === 0) return;
    const backlog = this.backlogOf(eventId);
    for (const areaId of areaIds) backlog.areaIds.add(areaId);
    this.schedule(eventId, backlog, this.options.coalesceMs);
  }

  private backlogOf(eventId: number): EventBacklog {
    let backlog = this.backlogs.get(eventId);
    if (!backlog) {
      backlog = { seatIds: new Set(), areaIds: new Set(), failures: 0 };
      this.backlogs.set(eventId, backlog);
    }
    return backlog;
  }

  /** Publishes everything still waiting, retrying failures until `graceMs` has passed. */
  async close(graceMs: number): Promise<void> {
    this.closing = true;
    this.audit.stop();
    this.stopListening?.();
    this.stopListeningToPricing?.();
    const deadline = Date.now() + graceMs;
    while (this.backlogs.size > 0 && Date.now() < deadline) {
      await Promise.all(
        [...this.backlogs].map(([eventId, backlog]) => backlog.flushing ?? this.flush(eventId, backlog)),
      );
      const failing = [...this.backlogs.values()].filter((backlog) => backlog.failures > 0);
      if (failing.length) {
        const retryIn = Math.min(...failing.map((backlog) => this.retryDelay(backlog.failures)));
        await sleep(Math.max(0, Math.min(retryIn, deadline - Date.now())));
      }
    }
    for (const [eventId, backlog] of this.backlogs) {
      clearTimeout(backlog.timer);
      const lost = backlog.seatIds.size + (backlog.unpublished?.changes.length ?? 0);
      this.metrics.seatMapDroppedSeats.inc(lost);
      this.log.error(
        { eventId, seats: lost },
        "seat changes were never published: Postgres or Redis is down",
      );
    }
    this.backlogs.clear();
  }

  private schedule(eventId: number, backlog: EventBacklog, delayMs: number): void {
    // A running flush schedules the next one when it is done; at shutdown close() drives the flushes.
    if (backlog.timer || backlog.flushing || this.closing) return;
    backlog.timer = setTimeout(() => void this.flush(eventId, backlog), delayMs);
  }

  private flush(eventId: number, backlog: EventBacklog): Promise<void> {
    clearTimeout(backlog.timer);
    backlog.timer = undefined;
    const started = Date.now();
    backlog.flushing = this.recordAndPublish(eventId, backlog).finally(() => {
      backlog.flushing = undefined;
      if (backlog.seatIds.size === 0 && backlog.areaIds.size === 0 && !backlog.unpublished) {
        this.backlogs.delete(eventId);
        return;
      }
      // Changes made during this flush have been waiting since it started: keep to one window.
      const delay = backlog.failures
        ? this.retryDelay(backlog.failures)
        : Math.max(0, this.options.coalesceMs - (Date.now() - started));
      this.schedule(eventId, backlog, delay);
    });
    return backlog.flushing;
  }

  private retryDelay(failures: number): number {
    return Math.min(this.options.coalesceMs * 2 ** failures, MAX_RETRY_DELAY_MS);
  }

  private async recordAndPublish(eventId: number, backlog: EventBacklog): Promise<void> {
    if (!backlog.unpublished) {
      const seatIds = [...backlog.seatIds];
      const areaIds = [...backlog.areaIds];
      backlog.seatIds.clear();
      backlog.areaIds.clear();
      try {
        backlog.unpublished = await this.record(eventId, seatIds, areaIds);
      } catch (error) {
        for (const seatId of seatIds) backlog.seatIds.add(seatId);
        for (const areaId of areaIds) backlog.areaIds.add(areaId);
        this.failed("record", eventId, backlog, error);
        return;
      }
      if (!backlog.unpublished) {
        this.log.warn({ eventId }, "seat changes of an event that does not exist were dropped");
        return;
      }
    }
    const delta = backlog.unpublished;
    try {
      const outcome = await this.pubSub.publishInSequence(
        SEAT_MAP_CHANGED,
        seatMapTopic(eventId),
        delta.version,
        delta,
      );
      this.metrics.seatMapDeltas.inc({ outcome });
      this.metrics.seatMapDeltaSeats.observe(delta.changes.length);
    } catch (error) {
      this.failed("publish", eventId, backlog, error);
      return;
    }
    backlog.unpublished = undefined;
    backlog.failures = 0;
  }

  private failed(stage: "record" | "publish", eventId: number, backlog: EventBacklog, error: unknown): void {
    backlog.failures++;
    this.metrics.seatMapFlushFailures.inc({ stage });
    this.log.warn(
      { err: error instanceof Error ? error.message : error, eventId, stage, failures: backlog.failures },
      "seat map delta failed; retrying",
    );
  }

  /** The event's next version with the changed seats' statuses (seating-store.ts says why in one go). */
  private async record(
    eventId: number,
    seatIds: number[],
    areaIds: number[],
  ): Promise<SeatMapDeltaMessage | undefined> {
    const recorded = await bumpVersionWithChanges(this.db, eventId, seatIds, areaIds);
    return recorded ? { eventId, ...recorded } : undefined;
  }
}
