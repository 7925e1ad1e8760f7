import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { Logger } from "../../infra/logger.js";
import type { Db } from "../../infra/prisma.js";
import type { RedisClient } from "../../infra/redis.js";
import { RedisBreaker } from "../../infra/redis-breaker.js";
import { AppError, badInput, ErrorCode, notFound } from "../../kernel/errors.js";
import { isUuid } from "../../kernel/ids.js";
import type { ApiKeyPrincipal, CostReport, Viewer } from "../../kernel/viewer.js";

export const API_KEY_SCOPES = ["catalog:read", "holds:write", "webhooks:manage"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/**
 * The only root fields a request with an API key may call, and the scope each needs. Everything else
 * (account, organizer and admin fields, creating more keys) is refused with FORBIDDEN. `holds:write`
 * holds on behalf of the key's owner: holds are the owner account's, within its per-account limits.
 */
export const API_KEY_FIELD_SCOPES: Readonly<Record<string, ApiKeyScope>> = {
  "Query.events": "catalog:read",
  "Query.event": "catalog:read",
  "Query.venue": "catalog:read",
  "Query.seatMap": "catalog:read",
  "Query.me": "holds:write",
  "Mutation.holdSeats": "holds:write",
  "Mutation.holdBestAvailable": "holds:write",
  "Mutation.holdGeneralAdmission": "holds:write",
  "Mutation.releaseHold": "holds:write",
  // A partner's server manages its webhook endpoints with its key, as its owner (docs/partners.md).
  "Query.webhookEventTypes": "webhooks:manage",
  "Query.webhookEndpoints": "webhooks:manage",
  "Query.webhookDeliveries": "webhooks:manage",
  "Mutation.createWebhookEndpoint": "webhooks:manage",
  "Mutation.rotateWebhookSecret": "webhooks:manage",
  "Mutation.enableWebhookEndpoint": "webhooks:manage",
  "Mutation.deleteWebhookEndpoint": "webhooks:manage",
  "Mutation.redeliverWebhook": "webhooks:manage",
};

/** FORBIDDEN unless the key may call `field` ("Mutation.holdSeats"; routes name the field they stand for). */
export function requireKeyScope(key: ApiKeyPrincipal, field: string): void {
  const scope = API_KEY_FIELD_SCOPES[field];
  if (!scope) throw new AppError(ErrorCode.FORBIDDEN, `API keys cannot call ${field}`, { field });
  if (!key.scopes.includes(scope)) {
    throw new AppError(ErrorCode.FORBIDDEN, `This API key lacks the ${scope} scope needed for ${field}`, {
      field,
      scope,
    });
  }
}

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  costPerMinute: number;
  createdAt: Date;
  revokedAt: Date | null;
}

const KEY = /^(frk_[A-Za-z0-9_-]{8})\.[A-Za-z0-9_-]{43}$/;
const BEARER = /^Bearer\s+(\S+)$/i;
const hashKey = (key: string) => createHash("sha256").update(key).digest();
const VIEW_FIELDS = {
  id: true,
  name: true,
  prefix: true,
  scopes: true,
  costPerMinute: true,
  createdAt: true,
  revokedAt: true,
} as const;

export const MAX_COST_PER_MINUTE = 1_000_000;

function unauthenticated(message: string): AppError {
  return new AppError(ErrorCode.UNAUTHENTICATED, message);
}

/**
 * Partner API keys: random 256-bit secrets shown once; only their SHA-256 is stored (enough for keys
 * this random: there is nothing to brute-force), and the prefix tells keys apart. Each key has a cost
 * budget per minute, charged with each operation's computed cost (graphql/limits.ts) in Redis.
 */
export class ApiKeysService {
  private readonly budgets = new Map<number, RateLimiterRedis>();
  private readonly breaker: RedisBreaker;

  constructor(
    private readonly db: Db,
    private readonly redis: RedisClient,
    log: Logger,
    redisRetryAfterMs: number,
  ) {
    this.breaker = new RedisBreaker(
      log,
      {
        off: "API key cost budgets off (failing open): Redis failed",
        on: "API key cost budgets back on",
      },
      redisRetryAfterMs,
      redis,
    );
  }

  async create(
    ownerId: string,
    input: { name: string; scopes: string[]; costPerMinute: number },
  ): Promise<{ apiKey: ApiKeyView; secret: string }> {
    const name = input.name.trim();
    if (!name || name.length > 100) throw badInput("Name the key (1 to 100 characters)", { field: "name" });
    const unknown = input.scopes.filter((scope) => !(API_KEY_SCOPES as readonly string[]).includes(scope));
    if (unknown.length || input.scopes.length === 0) {
      throw badInput(`Scopes must be some of ${API_KEY_SCOPES.join(", ")}`, { field: "scopes", unknown });
    }
    if (!Number.isInteger(input.costPerMinute) || input.costPerMinute < 1) {
      throw badInput("costPerMinute must be a positive integer", { field: "costPerMinute" });
    }
    if (input.costPerMinute > MAX_COST_PER_MINUTE) {
      throw badInput(`costPerMinute is at most ${MAX_COST_PER_MINUTE}`, { field: "costPerMinute" });
    }
    const prefix = `frk_${randomBytes(6).toString("base64url")}`;
    const secret = `${prefix}.${randomBytes(32).toString("base64url")}`;
    const apiKey = await this.db.apiKey.create({
      data: {
        ownerId,
        name,
        prefix,
        secretHash: hashKey(secret).toString("hex"),
        scopes: [...new Set(input.scopes)],
        costPerMinute: input.costPerMinute,
      },
      select: VIEW_FIELDS,
    });
    return { apiKey, secret };
  }

  /** The caller's keys (an admin's list is every key), newest first. */
  list(viewer: Viewer): Promise<ApiKeyView[]> {
    return this.db.apiKey.findMany({
      where: viewer.role === "ADMIN" ? {} : { ownerId: viewer.userId },
      orderBy: { createdAt: "desc" },
      select: VIEW_FIELDS,
    });
  }

  /** Revokes a key at once (the next request with it is refused). False if it was already revoked. */
  async revoke(viewer: Viewer, id: string): Promise<boolean> {
    const key = isUuid(id)
      ? await this.db.apiKey.findUnique({ where: { id }, select: { ownerId: true } })
      : null;
    if (!key || (key.ownerId !== viewer.userId && viewer.role !== "ADMIN"))
      throw notFound("API key", id.slice(0, 40));
    const { count } = await this.db.apiKey.updateMany({
      where: { id, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    return count > 0;
  }

  /**
   * The key in an `Authorization: Bearer` header and the account it acts as; null without the header.
   * A malformed, unknown, forged or revoked key is UNAUTHENTICATED; a blocked owner's key FORBIDDEN.
   */
  async authenticate(
    authorization: string | undefined,
  ): Promise<{ key: ApiKeyPrincipal; viewer: Viewer } | null> {
    if (!authorization) return null;
    const presented = BEARER.exec(authorization.trim())?.[1];
    const prefix = presented ? KEY.exec(presented)?.[1] : undefined;
    if (!presented || !prefix) throw unauthenticated("The Authorization header must be `Bearer <API key>`");
    const row = await this.db.apiKey.findUnique({
      where: { prefix },
      select: {
        id: true,
        secretHash: true,
        scopes: true,
        costPerMinute: true,
        revokedAt: true,
        owner: { select: { id: true, role: true, blockedAt: true } },
      },
    });
    const stored = row ? Buffer.from(row.secretHash, "hex") : undefined;
    const matches = stored?.length === 32 && timingSafeEqual(stored, hashKey(presented));
    if (!row || !matches) throw unauthenticated("This API key is not valid");
    if (row.revokedAt) throw unauthenticated("This API key was revoked");
    if (row.owner.blockedAt) throw new AppError(ErrorCode.FORBIDDEN, "This API key's account is blocked");
    return {
      key: {
        id: row.id,
        prefix,
        ownerId: row.owner.id,
        scopes: row.scopes,
        costPerMinute: row.costPerMinute,
      },
      viewer: { userId: row.owner.id, role: row.owner.role },
    };
  }

  /**
   * Charges an operation's cost to the key's budget for the current minute. Over budget it is
   * RATE_LIMITED (nothing charged); while Redis fails, operations pass uncharged (logged once).
   */
  async charge(key: ApiKeyPrincipal, cost: number): Promise<CostReport> {
    const budget = key.costPerMinute;
    const untracked = { requested: cost, remaining: budget, budget };
    if (cost <= 0 || !this.breaker.available()) return untracked;
    if (cost > budget) {
      throw new AppError(
        ErrorCode.RATE_LIMITED,
        `This operation costs ${cost}, more than this API key's whole budget of ${budget} per minute`,
        { retryAfterSeconds: 60, cost: { requested: cost, remaining: 0, budget } },
      );
    }
    try {
      const charged = await this.limiter(budget).consume(key.id, cost);
      this.breaker.succeeded();
      const resetSeconds = Math.max(1, Math.ceil(charged.msBeforeNext / 1000));
      return { requested: cost, remaining: charged.remainingPoints, budget, resetSeconds };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) {
        this.breaker.failed(rejection);
        return untracked;
      }
      // rate-limiter-flexible counts the refused points too; give them back so the refusal is free.
      await this.limiter(budget)
        .reward(key.id, cost)
        .catch(() => undefined);
      const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      const remaining = Math.max(0, budget - (rejection.consumedPoints - cost));
      throw new AppError(
        ErrorCode.RATE_LIMITED,
        `This API key has used its cost budget of ${budget} for this minute; retry in ${retryAfterSeconds} s`,
        { retryAfterSeconds, cost: { requested: cost, remaining, budget } },
      );
    }
  }

  private limiter(budget: number): RateLimiterRedis {
    let limiter = this.budgets.get(budget);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `rl:apikey-cost:${budget}`,
        points: budget,
        duration: 60,
      });
      this.budgets.set(budget, limiter);
    }
    return limiter;
  }
}
