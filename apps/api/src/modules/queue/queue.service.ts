import { randomUUID } from "node:crypto";
import DataLoader from "dataloader";
import type { Logger } from "../../infra/logger.js";
import type { Db } from "../../infra/prisma.js";
import { RedisBreaker } from "../../infra/redis-breaker.js";
import { AppError, ErrorCode, notFound } from "../../kernel/errors.js";
import type { Viewer } from "../../kernel/viewer.js";
import { TtlCache } from "../../lib/ttl-cache.js";
import type { EventView } from "../catalog/catalog.service.js";
import { toEventView } from "../catalog/catalog.service.js";
import { mayManage } from "../events/event-access.js";
import type { AdmissionClaims, AdmissionTokens } from "./admission-token.js";
import {
  type QueueEventRow,
  type QueueRecords,
  queueEventRow,
  queueEventRows,
  updateQueueSettings,
} from "./queue-records-store.js";
import { QueueRooms } from "./queue-rooms.js";
import { type EntryRecord, type QueueStore, type RoomFigures, RoomUnavailableError } from "./queue-store.js";
import { SHUFFLE_ALGORITHM } from "./shuffle.js";

// The waiting room as fans and organizers use it (DESIGN.md §4, docs/queue.md). The leader
// (queue-leader.ts) moves the line; this service only reads it, places fans and checks tokens.

export type QueueStateName = "NOT_IN_QUEUE" | "PRE_QUEUE" | "WAITING" | "ADMITTED" | "EXPIRED" | "REJOIN";

export interface QueueStatusView {
  eventId: number;
  state: QueueStateName;
  entryId: string | null;
  position: number | null;
  waitingCount: number;
  etaSeconds: number | null;
  etaLowSeconds: number | null;
  etaHighSeconds: number | null;
  etaNote: string | null;
  paused: boolean;
  saleStartsAt: Date;
  admissionToken: string | null;
  admittedUntil: Date | null;
  heartbeatIntervalSeconds: number;
  proofOfWorkDifficulty: number;
}

export interface QueueAuditView {
  eventId: number;
  commitment: string | null;
  seed: string | null;
  algorithm: string;
  preQueueEntries: string[];
  drawnOrder: string[] | null;
  revealedAt: Date | null;
}

export interface QueueSettingsView {
  admissionRatePerMinute: number;
  maxActiveShoppers: number | null;
  paused: boolean;
  proofOfWorkDifficulty: number;
  shoppingWindowSeconds: number;
  waitingCount: number;
  activeShoppers: number;
  servedUpTo: number;
  admittedPerMinuteMeasured: number;
  /** The sale has opened and the room admits (its lottery is drawn). */
  admissionsOpen: boolean;
}

export interface QueueSettingsChange {
  admissionRatePerMinute?: number | null;
  maxActiveShoppers?: number | null;
  paused?: boolean | null;
  proofOfWorkDifficulty?: number | null;
  shoppingWindowSeconds?: number | null;
}

/** The pub/sub routing key of the leader's broadcasts (one topic per event). */
export const QUEUE_TICK = "QUEUE_TICK";

/** What the leader broadcasts once per tick per event: enough for every fan to place themselves. */
export interface QueueTick extends RoomFigures {
  eventId: number;
}

/** The holds path's question to the waiting room (called only for events with queueEnabled). */
export interface AdmissionGate {
  /** Resolves when `token` is a live admission of this account to this event; NOT_ADMITTED otherwise. */
  checkAdmission(userId: string, eventId: number, token: string | null | undefined): Promise<void>;
}

/** A subscriber's last read of its own entry, in the room's epoch it was read in. */
export interface KnownEntry {
  entry: EntryRecord;
  epoch: string;
  readAt: number;
}

/** An event's waiting-room settings, as stored in Postgres. */
export interface QueueEvent {
  id: number;
  queueEnabled: boolean;
  organizerId: string | null;
  saleStartsAt: Date;
  startsAt: Date;
  status: string;
  paused: boolean;
  admissionRatePerMinute: number;
  maxActiveShoppers: number | null;
  shoppingWindowSeconds: number;
  powDifficulty: number;
}

/**
 * What a new entry must pass (the event's proof of work, checked by the caller): the single-use key
 * that a passed check claims with the entry, in the same script (null when the check failed), and the
 * refusal to throw when the entry cannot be made.
 */
export interface NewEntryGate {
  readonly claim: { key: string; ttlMs: number } | null;
  /** Throws why the entry was refused: `claimedBefore` when the claim was used by an earlier entry. */
  refuse(claimedBefore: boolean): Promise<never>;
}

export interface QueueOptions {
  heartbeatIntervalSeconds: number;
  /** Settings read from Postgres are reused this long (changes reach every instance within it). */
  settingsCacheMs: number;
  /** After Redis fails, the room is not asked again for this long (callers get SERVICE_UNAVAILABLE). */
  redisRetryAfterMs: number;
  /** Milliseconds since the epoch; tests pass a simulated clock. */
  clock?: () => number;
}

const STATE_NAMES: Record<string, QueueStateName> = {
  P: "PRE_QUEUE",
  W: "WAITING",
  A: "ADMITTED",
  E: "EXPIRED",
  L: "NOT_IN_QUEUE",
  R: "REJOIN",
};
// Below this measured rate (per minute) the room is considered not to be moving yet.
const MEASURED_RATE_FLOOR = 0.5;
// The honest range around the estimate: the measured rate wobbles by about this much.
const ETA_LOW_FACTOR = 0.85;
const ETA_HIGH_FACTOR = 1.25;
const KNOWN_ENTRY_REREAD_MS = 5_000;

function toQueueEvent(row: QueueEventRow): QueueEvent | null {
  if (row.status === "DRAFT") return null;
  const { queuePaused, ...rest } = row;
  return { ...rest, paused: queuePaused };
}

function notAdmitted(message: string): AppError {
  return new AppError(ErrorCode.NOT_ADMITTED, message);
}

/** What a room read gives while Redis does not answer. */
const UNAVAILABLE = Symbol("redis unavailable");
type Unavailable = typeof UNAVAILABLE;

/** Why the wait is longer than the configured rate promises, if it is. */
function etaNoteFor(event: QueueEvent, room: Pick<RoomFigures, "measuredPerMinute" | "capReached">) {
  if (event.paused) return "The organizer paused admissions; your place is kept.";
  if (room.capReached) {
    return "Every shopping slot is taken: admissions wait for shoppers to finish, so the line moves slower.";
  }
  if (event.admissionRatePerMinute < room.measuredPerMinute * 0.9) {
    return "The organizer lowered the admission rate.";
  }
  return null;
}

/** Seconds for `count` admissions at `perMinute`, or null when the room is not moving. */
const secondsFor = (count: number, perMinute: number) =>
  perMinute > 0 ? Math.ceil((count * 60) / perMinute) : null;

export class QueueService implements AdmissionGate {
  /** Sets rooms up (again) from Postgres; the leader draws and lists rooms through it too. */
  readonly rooms: QueueRooms;
  private readonly events: TtlCache<number, QueueEvent | null>;
  private readonly now: () => number;
  private readonly breaker: RedisBreaker;

  constructor(
    private readonly db: Db,
    private readonly store: QueueStore,
    private readonly records: QueueRecords,
    private readonly tokens: AdmissionTokens,
    private readonly log: Logger,
    private readonly options: QueueOptions,
  ) {
    this.events = new TtlCache(options.settingsCacheMs);
    this.now = options.clock ?? Date.now;
    this.rooms = new QueueRooms(store, records, log, { clock: this.now });
    this.breaker = new RedisBreaker(
      log,
      {
        off: "queue: Redis failed; the waiting room answers SERVICE_UNAVAILABLE and admissions are checked in Postgres",
        on: "queue: Redis answers again",
      },
      options.redisRetryAfterMs,
      store.redis,
    );
  }

  /** The event's queue settings (cached briefly); NOT_FOUND when it does not exist or is a draft. */
  async queueEvent(eventId: number): Promise<QueueEvent> {
    const event = await this.events.get(eventId, async () => {
      const row = await queueEventRow(this.db, eventId);
      return row ? toQueueEvent(row) : null;
    });
    if (!event) throw notFound("Event", String(eventId));
    return event;
  }

  /** A per-request loader of many events' settings in one query (a page of events with queueSettings). */
  queueEventLoader(): DataLoader<number, QueueEvent | null> {
    return new DataLoader(async (ids) => {
      const rows = await queueEventRows(this.db, ids);
      const byId = new Map(rows.map((row) => [row.id, toQueueEvent(row)]));
      return ids.map((id) => byId.get(id) ?? null);
    });
  }

  /** Places the account, or finds its live entry; a new entry must pass `gate` (proof of work) first. */
  async join(userId: string, eventId: number, gate?: NewEntryGate): Promise<QueueStatusView> {
    const event = await this.roomEvent(eventId);
    const now = this.now();
    if (event.status !== "ON_SALE" || event.startsAt.getTime() <= now) {
      throw new AppError(ErrorCode.SALE_NOT_OPEN, `This event is not on sale (${event.status})`, {
        status: event.status,
      });
    }
    const claim = gate && (gate.claim ?? "refused");
    const placed = await this.room(eventId, () =>
      this.store.join(eventId, userId, randomUUID(), now, event.saleStartsAt.getTime(), claim),
    );
    if (placed === "refused" || placed === "claimed")
      return (gate as NewEntryGate).refuse(placed === "claimed");
    if (placed.created && placed.entry.entryId) {
      this.rooms.noteEntry({ eventId, userId, entryId: placed.entry.entryId });
    }
    return this.describe(userId, event, placed.entry, placed.room);
  }

  async leave(userId: string, eventId: number): Promise<boolean> {
    await this.roomEvent(eventId);
    return this.leaveRoom(eventId, userId);
  }

  /** Takes the account out of the room (leaving, or blocked); its admission ends in Postgres too. */
  async leaveRoom(eventId: number, userId: string): Promise<boolean> {
    const before = await this.redis(() => this.store.leave(eventId, userId));
    if (before === "A") await this.records.endAdmissions(eventId, userId);
    return before !== null;
  }

  /** The caller's status; with `heartbeat`, it also keeps the caller's turn. */
  async status(userId: string, eventId: number, { heartbeat }: { heartbeat: boolean }) {
    const event = await this.roomEvent(eventId);
    const { entry, room } = await this.room(eventId, () =>
      this.store.entry(eventId, userId, this.now(), heartbeat),
    );
    return this.describe(userId, event, entry, room);
  }

  /**
   * The caller's status after a leader tick: the room's figures come from the broadcast, the entry
   * from what this subscriber last read (`known`), so a waiting fan costs no I/O at all. Only fans
   * the line has reached (admitted or skipped), or the lottery placed, read their entry again; fans
   * in other states re-read it at most every KNOWN_ENTRY_REREAD_MS (they may have rejoined or left),
   * and everyone re-reads once when the room was set up again (Redis lost it: they must rejoin).
   */
  async statusAfterTick(
    userId: string,
    tick: QueueTick,
    known: KnownEntry | undefined,
  ): Promise<{ status: QueueStatusView; known: KnownEntry }> {
    const event = await this.queueEvent(tick.eventId);
    const now = this.now();
    if (known && known.epoch === tick.epoch && this.stillTrue(known, tick, now)) {
      return { status: this.describe(userId, event, known.entry, tick), known };
    }
    const { entry, room } = await this.room(tick.eventId, () =>
      this.store.entry(tick.eventId, userId, now, false),
    );
    const status = this.describe(userId, event, entry, room);
    return { status, known: { entry, epoch: room.epoch, readAt: now } };
  }

  /** The commitment at once; the seed, the entries and the drawn order (from Postgres) once drawn. */
  async audit(eventId: number): Promise<QueueAuditView> {
    await this.roomEvent(eventId);
    const room = await this.room(eventId, () => this.store.audit(eventId));
    const draw = room.drawn ? await this.records.draw(eventId) : null;
    const revealed = draw?.revealedAt ? draw : null;
    return {
      eventId,
      commitment: room.commitment,
      seed: revealed?.seed ?? null,
      algorithm: SHUFFLE_ALGORITHM,
      preQueueEntries: revealed ? revealed.preQueueEntries : room.preQueue,
      drawnOrder: revealed?.drawnOrder ?? null,
      revealedAt: revealed?.revealedAt ?? null,
    };
  }

  /** The settings and live figures, for the event's organizer or an admin; null for anyone else. */
  async settings(viewer: Viewer | null, event: QueueEvent | null): Promise<QueueSettingsView | null> {
    if (!viewer || !event || !mayManage(viewer, event.organizerId)) return null;
    // Only events with a waiting room have figures in Redis (none until its room is set up).
    const figures = event.queueEnabled
      ? await this.redis(() => this.store.figures(event.id, this.now()))
      : null;
    const room = figures ?? {
      waitingCount: 0,
      activeShoppers: 0,
      servedUpTo: 0,
      measuredPerMinute: 0,
      drawn: false,
    };
    // The room's moving average starts at the configured rate (what ETAs assume before anything is
    // measured): it is a measurement only once the room has admitted someone.
    const measured = room.drawn && room.servedUpTo > 0 ? Math.round(room.measuredPerMinute) : 0;
    return {
      admissionRatePerMinute: event.admissionRatePerMinute,
      maxActiveShoppers: event.maxActiveShoppers,
      paused: event.paused,
      proofOfWorkDifficulty: event.powDifficulty,
      shoppingWindowSeconds: event.shoppingWindowSeconds,
      waitingCount: room.waitingCount,
      activeShoppers: room.activeShoppers,
      servedUpTo: room.servedUpTo,
      admittedPerMinuteMeasured: measured,
      admissionsOpen: room.drawn,
    };
  }

  /** Changes the live settings (the leader applies them on its next ticks) and returns the event. */
  async updateSettings(viewer: Viewer, eventId: number, change: QueueSettingsChange): Promise<EventView> {
    const event = await this.queueEvent(eventId);
    if (!mayManage(viewer, event.organizerId)) {
      throw new AppError(ErrorCode.FORBIDDEN, "Only the event's organizer or an admin can change its queue");
    }
    const row = await updateQueueSettings(this.db, eventId, {
      admissionRatePerMinute: change.admissionRatePerMinute ?? undefined,
      // 0 lifts the cap.
      maxActiveShoppers:
        change.maxActiveShoppers === undefined || change.maxActiveShoppers === null
          ? undefined
          : change.maxActiveShoppers || null,
      queuePaused: change.paused ?? undefined,
      powDifficulty: change.proofOfWorkDifficulty ?? undefined,
      shoppingWindowSeconds: change.shoppingWindowSeconds ?? undefined,
    });
    this.events.delete(eventId);
    this.log.info({ eventId, change, by: viewer.userId }, "queue: settings changed");
    return toEventView(row);
  }

  /**
   * A token is live while its admission is, and only for the account the admission went to: the entry
   * it names must be the caller's. A window that ended, a fan who left or was admitted again later make
   * it stale even before `expiresAt`. Without Redis, see checkRecordedAdmission.
   */
  async checkAdmission(userId: string, eventId: number, token: string | null | undefined): Promise<void> {
    if (!token) throw notAdmitted("This event uses the waiting room: join the queue and wait for your turn");
    const claims = this.tokens.verify(token);
    if (!claims) throw notAdmitted("This admission token is not valid");
    if (claims.eventId !== eventId) throw notAdmitted("This admission token is for another event");
    if (claims.userId !== userId) throw notAdmitted("This admission token belongs to another account");
    if (claims.expiresAt <= this.now())
      throw notAdmitted("Your shopping window is over: join the queue again");
    const live = await this.inRoom(eventId, () => this.store.admission(eventId, claims.entryId, userId));
    if (live === UNAVAILABLE) return this.checkRecordedAdmission(userId, eventId, claims);
    if (!live.owned) throw notAdmitted("This admission token belongs to another account");
    if (live.state !== "A" || live.admission !== `${claims.sessionId}:${claims.expiresAt}`) {
      throw notAdmitted("This admission has ended: join the queue again");
    }
  }

  /** Saves what is pending (entries noted for Postgres) and waits for background work: shutdown, tests. */
  settle(): Promise<void> {
    return this.rooms.settle();
  }

  /**
   * Without Redis the room cannot move, and the fans it admitted keep shopping: a token is honoured only
   * when Postgres recorded this very admission (entry and session) for this account and its window is
   * still open, so a token re-signed for another account, or for an account that never queued, buys
   * nothing (docs/queue.md, "While Redis is down").
   */
  private async checkRecordedAdmission(userId: string, eventId: number, claims: AdmissionClaims) {
    const admission = { entryId: claims.entryId, sessionId: claims.sessionId, userId };
    if (!(await this.records.isAdmitted(eventId, admission, this.now()))) {
      throw notAdmitted("No live admission of this account matches this token: join the queue again");
    }
  }

  private stillTrue({ entry, readAt }: KnownEntry, tick: QueueTick, now: number): boolean {
    switch (entry.state) {
      case "W":
        return entry.ticket !== null && entry.ticket > tick.servedUpTo;
      case "P":
        return !tick.drawn;
      default:
        return now - readAt < KNOWN_ENTRY_REREAD_MS;
    }
  }

  /** The event, which must use the waiting room. */
  private async roomEvent(eventId: number): Promise<QueueEvent> {
    const event = await this.queueEvent(eventId);
    if (!event.queueEnabled) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, "This event has no waiting room: hold seats directly");
    }
    return event;
  }

  /** A read of the room that needs it set up: SERVICE_UNAVAILABLE (with retryAfterSeconds) without Redis. */
  private async room<T>(eventId: number, read: () => Promise<T | null>): Promise<T> {
    const value = await this.inRoom(eventId, read);
    if (value === UNAVAILABLE) throw this.unavailable();
    return value;
  }

  /**
   * A read of the room, which is set up first when Redis does not have it (never had, or lost it): the
   * scripts refuse to answer for a room without its commitment, so no process-local memory of "rooms
   * set up already" can skip this.
   */
  private async inRoom<T>(eventId: number, read: () => Promise<T | null>): Promise<T | Unavailable> {
    const first = await this.onRedis(read);
    if (first !== null) return first;
    if ((await this.onRedis(() => this.rooms.ensure(eventId))) === UNAVAILABLE) return UNAVAILABLE;
    // Null again: Redis lost the room again in between.
    return (await this.onRedis(read)) ?? UNAVAILABLE;
  }

  private async redis<T>(work: () => Promise<T>): Promise<T> {
    const value = await this.onRedis(work);
    if (value === UNAVAILABLE) throw this.unavailable();
    return value;
  }

  /** `work`, or UNAVAILABLE when Redis fails; after a failure Redis is left alone for redisRetryAfterMs. */
  private async onRedis<T>(work: () => Promise<T>): Promise<T | Unavailable> {
    if (!this.breaker.available()) return UNAVAILABLE;
    try {
      const value = await work();
      this.breaker.succeeded();
      return value;
    } catch (error) {
      if (!(error instanceof RoomUnavailableError)) throw error;
      this.breaker.failed(error);
      return UNAVAILABLE;
    }
  }

  private unavailable(): AppError {
    const retryAfterSeconds = Math.max(1, Math.ceil(this.options.redisRetryAfterMs / 1000));
    return new AppError(
      ErrorCode.SERVICE_UNAVAILABLE,
      `The waiting room is unavailable for a moment: retry in ${retryAfterSeconds} s`,
      { retryAfterSeconds },
    );
  }

  private describe(
    userId: string,
    event: QueueEvent,
    entry: EntryRecord,
    room: RoomFigures,
  ): QueueStatusView {
    const now = this.now();
    const state = entry.state ? (STATE_NAMES[entry.state] ?? "NOT_IN_QUEUE") : "NOT_IN_QUEUE";
    const base: QueueStatusView = {
      eventId: event.id,
      state,
      entryId: state === "NOT_IN_QUEUE" ? null : entry.entryId,
      position: null,
      waitingCount: room.waitingCount,
      etaSeconds: null,
      etaLowSeconds: null,
      etaHighSeconds: null,
      etaNote: null,
      paused: event.paused,
      saleStartsAt: event.saleStartsAt,
      admissionToken: null,
      admittedUntil: null,
      heartbeatIntervalSeconds: this.options.heartbeatIntervalSeconds,
      proofOfWorkDifficulty: event.powDifficulty,
    };
    const configured = event.paused ? 0 : event.admissionRatePerMinute;
    if (state === "PRE_QUEUE") {
      // Anywhere in the lottery's draw: from the sale's start to the pre-queue's full length.
      const untilSale = Math.max(Math.ceil((event.saleStartsAt.getTime() - now) / 1000), 0);
      const whole = secondsFor(room.waitingCount, configured);
      const half = secondsFor(room.waitingCount / 2, configured);
      return {
        ...base,
        etaLowSeconds: untilSale,
        etaSeconds: half === null ? null : untilSale + half,
        etaHighSeconds: whole === null ? null : untilSale + whole,
        etaNote: event.paused ? etaNoteFor(event, room) : null,
      };
    }
    if (state === "WAITING") {
      // Before the draw the pre-queue's tickets (1..preCount) are ahead and servedUpTo is 0: later
      // joiners' positions are already exact.
      if (entry.ticket === null) return { ...base, etaNote: etaNoteFor(event, room) };
      const position = Math.max(entry.ticket - room.servedUpTo, 1);
      const measured = room.measuredPerMinute >= MEASURED_RATE_FLOOR ? room.measuredPerMinute : configured;
      const expected = event.paused ? 0 : measured;
      const eta = secondsFor(position, expected);
      const low = secondsFor(position, Math.max(expected, configured));
      const high = secondsFor(position, Math.min(expected, configured || expected));
      return {
        ...base,
        position,
        etaSeconds: eta,
        etaLowSeconds: low === null ? null : Math.floor(low * ETA_LOW_FACTOR),
        etaHighSeconds: high === null ? null : Math.ceil(high * ETA_HIGH_FACTOR),
        etaNote: etaNoteFor(event, room),
      };
    }
    if (state === "ADMITTED" && entry.admission && entry.entryId) {
      const { sessionId, until } = entry.admission;
      return {
        ...base,
        admittedUntil: new Date(until),
        admissionToken: this.tokens.sign({
          userId,
          eventId: event.id,
          entryId: entry.entryId,
          sessionId,
          expiresAt: until,
        }),
      };
    }
    return base;
  }
}
