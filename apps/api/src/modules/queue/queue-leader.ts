import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "../../infra/logger.js";
import { LuaScript } from "../../infra/lua-script.js";
import type { Metrics } from "../../infra/metrics.js";
import type { RedisClient } from "../../infra/redis.js";
import type { QueueEvent, QueueTick } from "./queue.service.js";
import type { QueueRecords } from "./queue-records-store.js";
import type { QueueRooms } from "./queue-rooms.js";
import { type Admission, LEADER_KEY, type QueueStore } from "./queue-store.js";

// One API instance at a time moves every waiting room: it holds a lease in Redis (SET NX PX, renewed
// by compare-and-extend each tick). If it dies, its lease lapses and another instance takes over
// within `leaseMs`; the rooms' state is in Redis, so nothing is lost. The rooms to move are listed in
// Postgres, so a room whose Redis state was lost is set up again on the next tick.

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
// Admissions kept for the next try while Postgres refuses them, per event (the most recent).
const MAX_UNRECORDED_ADMISSIONS = 50_000;

export interface QueueLeaderOptions {
  tickMs: number;
  leaseMs: number;
  heartbeatGraceMs: number;
  clock?: () => number;
}

export interface LeaderDeps {
  redis: RedisClient;
  store: QueueStore;
  /** Lists the rooms, sets a lost one up again, draws (queue-rooms.ts). */
  rooms: Pick<QueueRooms, "open" | "ensure" | "draw">;
  /** Where each tick's admissions are recorded, for the holds path to trust while Redis is down. */
  records: Pick<QueueRecords, "saveAdmissions">;
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
  private readonly unrecorded = new Map<number, Admission[]>();

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
    for (const eventId of await this.deps.rooms.open()) {
      const report = await this.tickRoom(eventId);
      if (report) reports.push(report);
    }
    return reports;
  }

  /** One tick of one room: set it up again if Redis lost it, draw when the sale starts, admit, broadcast. */
  async tickRoom(eventId: number): Promise<TickReport | null> {
    const { store, rooms, log, metrics } = this.deps;
    const endTimer = metrics?.queueTickSeconds.startTimer();
    let event: QueueEvent;
    try {
      event = await this.deps.queueEvent(eventId);
    } catch {
      // Gone, a draft again, or Postgres is away: nothing to move now.
      return null;
    }
    const now = this.now();
    // Switched off for now, or started: the room keeps its state.
    if (!event.queueEnabled || event.startsAt.getTime() <= now) return null;
    let phase = await store.phase(eventId);
    if (phase === "missing") {
      await rooms.ensure(eventId);
      phase = await store.phase(eventId);
    }
    if (phase === "open" && event.saleStartsAt.getTime() <= now) {
      const entries = await rooms.draw(eventId, now);
      if (entries !== null) log.info({ eventId, entries }, "queue: pre-queue drawn, seed revealed");
    }
    const ratePerMinute = event.paused ? 0 : event.admissionRatePerMinute;
    const outcome = await store.tick(eventId, now, {
      ratePerMinute,
      maxActiveShoppers: event.maxActiveShoppers ?? 0,
      paused: event.paused,
      windowMs: event.shoppingWindowSeconds * 1000,
      graceMs: this.options.heartbeatGraceMs,
      // Room for two ticks' worth (at least one fan): a late tick catches up, a long stall does not
      // flood the shop. A rate of 0 empties it: a token saved at a faster rate admits nobody.
      bucketSize: ratePerMinute > 0 ? Math.max(1, (ratePerMinute * 2 * this.options.tickMs) / 60_000) : 0,
      ewmaTauMs: EWMA_TAU_MS,
      maxScan: MAX_SCAN_PER_TICK,
    });
    // Lost between the two calls: the next tick sets it up again.
    if (!outcome) return null;
    await this.record(eventId, outcome.admissions);
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

  /**
   * Records the tick's admissions in Postgres, in one statement. While Postgres refuses, they are kept
   * and sent again with the next tick's: the room goes on moving, and only the Redis-less check of
   * those fans' tokens waits for them.
   */
  private async record(eventId: number, admissions: readonly Admission[]): Promise<void> {
    const pending = [...(this.unrecorded.get(eventId) ?? []), ...admissions.filter((a) => a.userId)];
    if (pending.length === 0) return;
    try {
      await this.deps.records.saveAdmissions(eventId, pending);
      this.unrecorded.delete(eventId);
    } catch (error) {
      this.unrecorded.set(eventId, pending.slice(-MAX_UNRECORDED_ADMISSIONS));
      this.deps.log.warn(
        { eventId, pending: pending.length, err: error instanceof Error ? error.message : String(error) },
        "queue: admissions not recorded in Postgres yet; retrying next tick",
      );
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
