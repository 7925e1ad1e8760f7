import type { Logger } from "../../infra/logger.js";
import type { Db } from "../../infra/prisma.js";
import type { RedisTopicPubSub } from "../../infra/pubsub.js";
import type { RedisClient } from "../../infra/redis.js";
import type { SqlPool } from "../../infra/sql.js";
import type { Viewer } from "../../kernel/viewer.js";
import { requireEventManager } from "../events/event-access.js";
import { SEAT_MAP_CHANGED, seatMapTopic } from "../seating/seat-map-live.js";
import type { SalesService } from "./sales.service.js";
import { foldCounters } from "./sales-store.js";

// eventSalesChanged (docs/sales.md): after seats of an event change (every instance hears every seat map
// delta), the event's figures are published at most once a second over all instances. A Redis key per
// event, set for a second by whoever publishes, is the gate; its value is when that publisher started,
// so an instance that saw a change before then knows the publish already includes it, and one that saw
// it later publishes again once the second is over (the last change is never left unsent).

export const EVENT_SALES_CHANGED = "EVENT_SALES_CHANGED";
export const PUSH_INTERVAL_MS = 1_000;

// Figures the live push reads the queue panel with: the subscribers were checked as the event's
// managers when they subscribed.
const SYSTEM: Viewer = { userId: "00000000-0000-0000-0000-000000000000", role: "ADMIN" };

export interface SalesLiveOptions {
  /** How often the counters' deltas are folded (sales_fold); 0: never (tests). */
  foldIntervalMs: number;
}

export class SalesLive {
  /** Events with a push waiting on this instance, and when the change that asked for it was seen. */
  private readonly waiting = new Map<number, { seenAt: number; timer?: NodeJS.Timeout }>();
  private stopListening?: () => void;
  private foldTimer?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly pool: SqlPool,
    private readonly redis: RedisClient,
    private readonly pubSub: RedisTopicPubSub,
    private readonly sales: SalesService,
    private readonly log: Logger,
    private readonly options: SalesLiveOptions,
  ) {}

  start(): void {
    this.pubSub
      .subscribeToAll(SEAT_MAP_CHANGED, (payload) => {
        const eventId = (payload as { eventId?: unknown } | null)?.eventId;
        if (Number.isInteger(eventId)) this.changed(eventId as number);
      })
      .then((stop) => {
        if (this.closed) stop();
        else this.stopListening = stop;
      })
      .catch((error: unknown) => this.log.error({ err: error }, "sales: could not listen to seat changes"));
    if (this.options.foldIntervalMs > 0) {
      this.foldTimer = setInterval(() => void this.fold(), this.options.foldIntervalMs);
      this.foldTimer.unref();
    }
  }

  /** Folds the counters' deltas now (each run moves at most 50,000). */
  async fold(): Promise<number> {
    try {
      return await foldCounters(this.pool, 50_000);
    } catch (error) {
      this.log.warn({ err: error }, "sales: folding the counters failed; the next run retries");
      return 0;
    }
  }

  /** Opens eventSalesChanged for the event's organizer or an admin. */
  async subscribe(viewer: Viewer, eventId: number): Promise<AsyncIterable<unknown>> {
    await requireEventManager(this.db, viewer, eventId);
    return this.pubSub.subscribe(EVENT_SALES_CHANGED, seatMapTopic(eventId));
  }

  /** The event's figures changed (seen now): publish them within a second. */
  changed(eventId: number): void {
    if (this.closed) return;
    const entry = this.waiting.get(eventId);
    if (entry) entry.seenAt = Date.now();
    else {
      this.waiting.set(eventId, { seenAt: Date.now() });
      this.attempt(eventId, 0);
    }
  }

  private attempt(eventId: number, delayMs: number): void {
    const entry = this.waiting.get(eventId);
    if (!entry) return;
    entry.timer = setTimeout(() => {
      const seenAt = entry.seenAt;
      void this.publishIfDue(eventId, seenAt).then(
        (retryInMs) => {
          if (this.closed) this.waiting.delete(eventId);
          else if (retryInMs !== null) this.attempt(eventId, retryInMs);
          // A change seen while publishing: the gate tells whether that publish covered it.
          else if (entry.seenAt > seenAt) this.attempt(eventId, 0);
          else this.waiting.delete(eventId);
        },
        (error: unknown) => {
          this.waiting.delete(eventId);
          this.log.warn({ err: error, eventId }, "sales: publishing the figures failed");
        },
      );
    }, delayMs);
    entry.timer.unref();
  }

  /** Publishes unless another publish covers the change; null when done, else when to try again. */
  private async publishIfDue(eventId: number, seenAt: number): Promise<number | null> {
    // The client adds the deployment's key prefix.
    const gate = `sales:push:${seatMapTopic(eventId)}`;
    const startedAt = Date.now();
    const won = await this.redis.set(gate, String(startedAt), "PX", PUSH_INTERVAL_MS, "NX");
    if (won) {
      const figures = await this.sales.figures(eventId, SYSTEM);
      await this.pubSub.publish(EVENT_SALES_CHANGED, seatMapTopic(eventId), figures);
      return null;
    }
    const [holderStartedAt, ttl] = await Promise.all([this.redis.get(gate), this.redis.pttl(gate)]);
    // The publisher read the figures after this change committed and was seen: nothing to add.
    if (holderStartedAt !== null && Number(holderStartedAt) > seenAt) return null;
    return Math.max(ttl, 1);
  }

  close(): void {
    this.closed = true;
    this.stopListening?.();
    clearInterval(this.foldTimer);
    for (const entry of this.waiting.values()) clearTimeout(entry.timer);
    this.waiting.clear();
  }
}
