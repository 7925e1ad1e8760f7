import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "../../infra/logger.js";
import { LuaScript } from "../../infra/lua-script.js";
import type { Metrics } from "../../infra/metrics.js";
import type { RedisClient } from "../../infra/redis.js";
import type { QueueEvent, QueueTick } from "./queue.service.js";
import { LEADER_KEY, type QueueStore } from "./queue-store.js";
import { drawOrder } from "./shuffle.js";

// One API instance at a time moves every waiting room: it holds a lease in Redis (SET NX PX, renewed
// by compare-and-extend each tick). If it dies, its lease lapses and another instance takes over
// within `leaseMs`; all state is in Redis, so nothing is lost.

const RENEW = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`);
const RELEASE = new LuaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`);

// The EWMA of admissions per minute forgets with this time constant.
const EWMA_TAU_MS = 20_000;
// Entries looked at per event per tick, at most (admitted or skipped): bounds a tick's cost.
const MAX_SCAN_PER_TICK = 5_000;

export interface QueueLeaderOptions {
  tickMs: number;
  leaseMs: number;
  heartbeatGraceMs: number;
  clock?: () => number;
}

export interface LeaderDeps {
  redis: RedisClient;
  store: QueueStore;
  /** The event's settings (briefly cached); throws when it is gone. */
  queueEvent(eventId: number): Promise<QueueEvent>;
  /** Sends one tick to every subscriber of the event, on every instance. */
  broadcast(tick: QueueTick): Promise<void>;
  log: Logger;
  /** Counters of the leader's work, when the process exports metrics. */
  metrics?: Pick<Metrics, "queueEntries" | "queueTickSeconds">;
}

export interface TickReport {
  eventId: number;
  admitted: number;
  skipped: number;
  windowsEnded: number;
  tick: QueueTick;
}

export class QueueLeader {
  readonly id = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  private leading = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly deps: LeaderDeps,
    private readonly options: QueueLeaderOptions,
  ) {
    this.now = options.clock ?? Date.now;
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    const loop = () => {
      this.running = this.step().finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(loop, this.options.tickMs);
      });
    };
    this.timer = setTimeout(loop, 0);
  }

  /** Stops ticking and hands the lease back, so another instance takes over at once. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    if (this.leading) {
      this.leading = false;
      await RELEASE.run(this.deps.redis, [LEADER_KEY], [this.id]).catch(() => undefined);
    }
  }

  /** Takes or keeps the lease, then ticks every room when leading. */
  async step(): Promise<TickReport[]> {
    try {
      if (!(await this.holdLease())) return [];
      return await this.tickAll();
    } catch (error) {
      this.deps.log.warn(
        { err: error instanceof Error ? error.message : String(error) },
        "queue: tick failed",
      );
      return [];
    }
  }

  async tickAll(): Promise<TickReport[]> {
    const reports: TickReport[] = [];
    for (const eventId of await this.deps.store.rooms()) {
      const report = await this.tickRoom(eventId);
      if (report) reports.push(report);
    }
    return reports;
  }

  /** One tick of one room: draw the pre-queue when the sale starts, admit, broadcast. */
  async tickRoom(eventId: number): Promise<TickReport | null> {
    const { store, log, metrics } = this.deps;
    const endTimer = metrics?.queueTickSeconds.startTimer();
    let event: QueueEvent;
    try {
      event = await this.deps.queueEvent(eventId);
    } catch {
      await store.forgetRoom(eventId);
      return null;
    }
    const now = this.now();
    if (event.startsAt.getTime() <= now) {
      await store.forgetRoom(eventId);
      return null;
    }
    // Switched off for now: the room keeps its state in case it is switched back on.
    if (!event.queueEnabled) return null;
    if (event.saleStartsAt.getTime() <= now && !(await store.isDrawn(eventId))) {
      await this.draw(eventId, now);
    }
    const ratePerMinute = event.paused ? 0 : event.admissionRatePerMinute;
    const outcome = await store.tick(eventId, now, {
      ratePerMinute,
      maxActiveShoppers: event.maxActiveShoppers ?? 0,
      paused: event.paused,
      windowMs: event.shoppingWindowSeconds * 1000,
      graceMs: this.options.heartbeatGraceMs,
      // Room for two ticks' worth (at least one fan): a late tick catches up, a long stall does not
      // flood the shop.
      bucketSize: Math.max(1, (ratePerMinute * 2 * this.options.tickMs) / 60_000),
      ewmaTauMs: EWMA_TAU_MS,
      maxScan: MAX_SCAN_PER_TICK,
    });
    const tick: QueueTick = { eventId, ...outcome.room };
    await this.deps.broadcast(tick);
    endTimer?.();
    metrics?.queueEntries.inc({ outcome: "admitted" }, outcome.admitted);
    metrics?.queueEntries.inc({ outcome: "skipped" }, outcome.skipped);
    metrics?.queueEntries.inc({ outcome: "window_ended" }, outcome.windowsEnded);
    if (outcome.admitted || outcome.skipped) {
      log.debug({ eventId, admitted: outcome.admitted, skipped: outcome.skipped }, "queue: tick");
    }
    return {
      eventId,
      admitted: outcome.admitted,
      skipped: outcome.skipped,
      windowsEnded: outcome.windowsEnded,
      tick,
    };
  }

  private async draw(eventId: number, now: number): Promise<void> {
    const { store, log } = this.deps;
    const entries = await store.closePreQueue(eventId);
    const seed = await store.seed(eventId);
    if (!seed) throw new Error(`queue ${eventId} has no seed`);
    if (await store.draw(eventId, now, drawOrder(seed, entries))) {
      log.info({ eventId, entries: entries.length }, "queue: pre-queue drawn, seed revealed");
    }
  }

  private async holdLease(): Promise<boolean> {
    const { redis } = this.deps;
    const { leaseMs } = this.options;
    if (this.leading && (await RENEW.run(redis, [LEADER_KEY], [this.id, leaseMs])) === 1) return true;
    const taken = (await redis.set(LEADER_KEY, this.id, "PX", leaseMs, "NX")) === "OK";
    if (taken !== this.leading) {
      this.deps.log.info(
        { leader: this.id },
        taken ? "queue: leading the waiting rooms" : "queue: lost the lease",
      );
    }
    this.leading = taken;
    return taken;
  }
}
