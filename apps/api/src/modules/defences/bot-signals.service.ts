import type { Counter } from "prom-client";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { Prisma } from "../../generated/prisma/client.js";
import type { Logger } from "../../infra/logger.js";
import type { Db } from "../../infra/prisma.js";
import type { RedisClient } from "../../infra/redis.js";
import type { Viewer } from "../../kernel/viewer.js";
import { requireEventManager } from "../events/event-access.js";
import {
  accountsById,
  botSignals,
  eventsOrganizedBy,
  insertBotSignal,
  signalCountsByAccount,
} from "./defences-store.js";

/** What a signal says; the table's `kind` column holds these names. */
export const BotSignalKind = {
  FAILED_PROOF_OF_WORK: "FAILED_PROOF_OF_WORK",
  RATE_LIMITED: "RATE_LIMITED",
  SIGNUPS_FROM_ONE_IP: "SIGNUPS_FROM_ONE_IP",
  HOLD_RIGHT_AFTER_ADMISSION: "HOLD_RIGHT_AFTER_ADMISSION",
  // Moderation is recorded beside the signals that led to it: who blocked whom, and why.
  ACCOUNT_BLOCKED: "ACCOUNT_BLOCKED",
  ACCOUNT_UNBLOCKED: "ACCOUNT_UNBLOCKED",
} as const;
export type BotSignalKind = (typeof BotSignalKind)[keyof typeof BotSignalKind];

export interface BotSignalInput {
  kind: BotSignalKind;
  userId?: string | null;
  eventId?: number | null;
  ip?: string | null;
  detail?: Record<string, unknown>;
}

/** Where other modules report suspicious behaviour (the queue's proof-of-work check, for one). */
export interface BotSignalRecorder {
  /** Never throws: a signal that cannot be stored is logged, and the request goes on. */
  record(signal: BotSignalInput): Promise<void>;
}

export interface BotSignalView {
  id: string;
  kind: string;
  userId: string | null;
  email: string | null;
  eventId: number | null;
  ip: string | null;
  detail: Record<string, unknown>;
  createdAt: Date;
}

export interface AccountSignalsView {
  userId: string;
  email: string;
  blockedAt: Date | null;
  total: number;
  lastSignalAt: Date;
  kinds: { kind: string; count: number }[];
}

export interface SignalFilter {
  eventId: number | null;
  first: number;
}

export interface BotSignalsOptions {
  /** Sign-ups from one IP in a day beyond which each further one is a signal. */
  signUpsPerIpBeforeSignal: number;
}

const DAY_SECONDS = 86_400;
export const MAX_SIGNALS_PAGE = 200;

export class BotSignalsService implements BotSignalRecorder {
  private readonly signUpsPerIp: RateLimiterRedis;

  constructor(
    private readonly db: Db,
    private readonly redis: RedisClient,
    private readonly log: Logger,
    private readonly recorded: Counter<"kind">,
    options: BotSignalsOptions,
  ) {
    // Used as a counter, not a gate: going over it records a signal; the signUp rate limit is the gate.
    this.signUpsPerIp = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: "bot:signups:ip",
      points: options.signUpsPerIpBeforeSignal,
      duration: DAY_SECONDS,
    });
  }

  async record(signal: BotSignalInput): Promise<void> {
    try {
      await insertBotSignal(this.db, {
        kind: signal.kind,
        userId: signal.userId ?? null,
        eventId: signal.eventId ?? null,
        ip: signal.ip?.slice(0, 64) ?? null,
        detail: (signal.detail ?? {}) as Prisma.InputJsonObject,
      });
      this.recorded.inc({ kind: signal.kind });
    } catch (error) {
      this.log.warn({ err: error, kind: signal.kind }, "could not record a bot signal");
    }
  }

  /**
   * Records the signal at most once per `seconds` for `dedupeKey`: a bot hammering a limit would
   * otherwise write a row per refused request. Without Redis every occurrence is recorded.
   */
  async recordOncePer(dedupeKey: string, seconds: number, signal: BotSignalInput): Promise<void> {
    const first = await this.redis.set(`bot:seen:${dedupeKey}`, "1", "EX", seconds, "NX").catch(() => "OK");
    if (first === "OK") await this.record(signal);
  }

  /** Counts a successful sign-up from `ip`; past the day's threshold, records it as a signal. */
  async noteSignUp(ip: string | undefined, userId: string): Promise<void> {
    if (!ip) return;
    try {
      await this.signUpsPerIp.consume(ip);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) return; // Redis down: nothing counted, nothing to say
      await this.record({
        kind: BotSignalKind.SIGNUPS_FROM_ONE_IP,
        userId,
        ip,
        detail: { signUpsToday: rejection.consumedPoints },
      });
    }
  }

  async list(viewer: Viewer, filter: SignalFilter): Promise<BotSignalView[]> {
    const rows = await botSignals(
      this.db,
      await this.visibleTo(viewer, filter.eventId),
      Math.min(Math.max(filter.first, 1), MAX_SIGNALS_PAGE),
    );
    return rows.map(({ user, id, detail, ...row }) => ({
      ...row,
      id: String(id),
      email: user?.email ?? null,
      detail: (detail ?? {}) as Record<string, unknown>,
    }));
  }

  /** Accounts with the most signals first (moderation records aside), with a count per kind. */
  async accounts(viewer: Viewer, filter: SignalFilter): Promise<AccountSignalsView[]> {
    const counts = await signalCountsByAccount(this.db, {
      kind: { notIn: [BotSignalKind.ACCOUNT_BLOCKED, BotSignalKind.ACCOUNT_UNBLOCKED] },
      ...(await this.visibleTo(viewer, filter.eventId)),
    });
    const byUser = new Map<string, { total: number; last: Date; kinds: { kind: string; count: number }[] }>();
    for (const row of counts) {
      if (!row.userId) continue;
      const entry = byUser.get(row.userId) ?? { total: 0, last: new Date(0), kinds: [] };
      entry.total += row._count._all;
      entry.kinds.push({ kind: row.kind, count: row._count._all });
      if (row._max.createdAt && row._max.createdAt > entry.last) entry.last = row._max.createdAt;
      byUser.set(row.userId, entry);
    }
    const top = [...byUser.entries()]
      .sort(([, a], [, b]) => b.total - a.total || b.last.getTime() - a.last.getTime())
      .slice(0, Math.min(Math.max(filter.first, 1), MAX_SIGNALS_PAGE));
    const users = await accountsById(
      this.db,
      top.map(([userId]) => userId),
    );
    const userById = new Map(users.map((user) => [user.id, user]));
    return top.flatMap(([userId, entry]) => {
      const user = userById.get(userId);
      if (!user) return [];
      return [
        {
          userId,
          email: user.email,
          blockedAt: user.blockedAt,
          total: entry.total,
          lastSignalAt: entry.last,
          kinds: entry.kinds.sort((a, b) => b.count - a.count),
        },
      ];
    });
  }

  /**
   * Admins see every signal. Organizers see those of the events they organize (FORBIDDEN for another
   * organizer's event); signals tied to no event (sign-ups, logins, moderation) are for admins only.
   */
  private async visibleTo(viewer: Viewer, eventId: number | null): Promise<Prisma.BotSignalWhereInput> {
    if (viewer.role === "ADMIN") return eventId === null ? {} : { eventId };
    if (eventId !== null) {
      await requireEventManager(this.db, viewer, eventId);
      return { eventId };
    }
    return { eventId: { in: await eventsOrganizedBy(this.db, viewer.userId) } };
  }
}
