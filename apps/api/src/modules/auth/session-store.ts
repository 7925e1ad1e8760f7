import { createHash, randomBytes } from "node:crypto";
import type { Role } from "../../generated/prisma/enums.js";
import type { Logger } from "../../infra/logger.js";
import type { Db } from "../../infra/prisma.js";
import type { RedisClient } from "../../infra/redis.js";
import { RedisBreaker } from "../../infra/redis-breaker.js";
import type { SessionMeta, Viewer } from "../../kernel/viewer.js";
import { LruMap } from "../../lib/lru-map.js";

interface CachedSession {
  userId: string;
  role: Role;
  expiresAt: number;
}

const hashToken = (token: string) => createHash("sha256").update(token).digest("base64url");
const redisKey = (tokenHash: string) => `sess:${tokenHash}`;
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
// Viewers remembered in process: enough for the busiest instance's active sessions, a few MB at most.
const LOCAL_CACHE_ENTRIES = 50_000;

interface LocalEntry {
  viewer: Viewer | null;
  until: number;
}

/**
 * Sessions are random opaque tokens (256 bits) kept in Redis with a TTL for speed, and in Postgres
 * for durability: while Redis is down or stalled, lookups fall back to Postgres and nobody is signed
 * out. Only a hash of the token is ever stored.
 *
 * Each instance also remembers what a token resolved to (a viewer or nobody) for `localCacheMs`, so a
 * fan's burst of requests costs one Redis read, not one each. Logging out or blocking an account
 * forgets the tokens on the instance that does it at once; another instance may still accept them for
 * at most `localCacheMs` (2 s by default) after the Redis copy is gone.
 */
export class SessionStore {
  private readonly breaker: RedisBreaker;
  private readonly local = new LruMap<string, LocalEntry>(LOCAL_CACHE_ENTRIES);

  constructor(
    private readonly db: Db,
    private readonly redis: RedisClient,
    private readonly log: Logger,
    private readonly ttlSeconds: number,
    redisRetryAfterMs = 1_000,
    private readonly localCacheMs = 0,
  ) {
    // A stalled Redis would otherwise cost every request two command timeouts (read, then write back).
    this.breaker = new RedisBreaker(
      log,
      {
        off: "session cache off: Redis failed, sessions are read from Postgres",
        on: "session cache back on: Redis answers again",
      },
      redisRetryAfterMs,
      redis,
    );
  }

  async create(viewer: Viewer, meta: SessionMeta): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString("base64url");
    const tokenHash = hashToken(token);
    const expiresAt = new Date(Date.now() + this.ttlSeconds * 1000);
    await this.db.session.create({
      data: {
        tokenHash,
        userId: viewer.userId,
        expiresAt,
        ip: meta.ip?.slice(0, 64),
        userAgent: meta.userAgent?.slice(0, 256),
      },
    });
    await this.cache(tokenHash, { ...viewer, expiresAt: expiresAt.getTime() });
    return { token, expiresAt };
  }

  async resolve(token: string | undefined): Promise<Viewer | null> {
    if (!token || !TOKEN.test(token)) return null;
    const tokenHash = hashToken(token);
    const now = Date.now();
    const known = this.local.get(tokenHash);
    if (known && known.until > now) return known.viewer;
    const viewer = await this.lookUp(tokenHash);
    if (this.localCacheMs > 0) this.local.set(tokenHash, { viewer, until: now + this.localCacheMs });
    return viewer;
  }

  private async lookUp(tokenHash: string): Promise<Viewer | null> {
    const cached = await this.fromRedis(tokenHash);
    if (cached) return cached.expiresAt > Date.now() ? { userId: cached.userId, role: cached.role } : null;
    const row = await this.db.session.findUnique({
      where: { tokenHash },
      select: { expiresAt: true, user: { select: { id: true, role: true, blockedAt: true } } },
    });
    if (!row || row.expiresAt.getTime() <= Date.now() || row.user.blockedAt) return null;
    const viewer = { userId: row.user.id, role: row.user.role };
    await this.cache(tokenHash, { ...viewer, expiresAt: row.expiresAt.getTime() });
    return viewer;
  }

  async destroy(token: string | undefined): Promise<void> {
    if (!token || !TOKEN.test(token)) return;
    const tokenHash = hashToken(token);
    this.local.delete(tokenHash);
    await this.db.session.deleteMany({ where: { tokenHash } });
    await this.redis.del(redisKey(tokenHash)).catch((error: Error) => {
      // The Postgres row is gone, so the session is dead; the cached copy may outlive it by its TTL at most
      // if Redis comes back with it. Say so loudly.
      this.log.warn({ err: error.message }, "could not delete a session from Redis");
    });
  }

  /** Ends every session of the account (when it is blocked): the Postgres rows and their cached copies. */
  async destroyAllFor(userId: string): Promise<number> {
    const tokenHashes = await this.tokenHashesOf(userId);
    if (tokenHashes.length === 0) return 0;
    await this.db.session.deleteMany({ where: { userId } });
    await this.uncache(userId, tokenHashes);
    return tokenHashes.length;
  }

  /**
   * Drops the cached copies of the account's sessions (its role changed): the sessions live on, and their
   * next request reads the account from Postgres (other instances within `localCacheMs`).
   */
  async refreshFor(userId: string): Promise<void> {
    await this.uncache(userId, await this.tokenHashesOf(userId));
  }

  private async tokenHashesOf(userId: string): Promise<string[]> {
    const rows = await this.db.session.findMany({ where: { userId }, select: { tokenHash: true } });
    return rows.map((row) => row.tokenHash);
  }

  private async uncache(userId: string, tokenHashes: readonly string[]): Promise<void> {
    for (const tokenHash of tokenHashes) this.local.delete(tokenHash);
    // One DEL per key: each session key has a slot of its own on a Redis Cluster (no CROSSSLOT).
    await Promise.all(tokenHashes.map((tokenHash) => this.redis.del(redisKey(tokenHash)))).catch(
      (error: Error) => {
        this.log.warn({ err: error.message, userId }, "could not delete an account's cached sessions");
      },
    );
  }

  private async fromRedis(tokenHash: string): Promise<CachedSession | null> {
    if (!this.breaker.available()) return null;
    try {
      const value = await this.redis.get(redisKey(tokenHash));
      this.breaker.succeeded();
      return value ? (JSON.parse(value) as CachedSession) : null;
    } catch (error) {
      this.breaker.failed(error);
      return null;
    }
  }

  private async cache(tokenHash: string, session: CachedSession): Promise<void> {
    const ttlMs = session.expiresAt - Date.now();
    if (ttlMs <= 0 || !this.breaker.available()) return;
    try {
      await this.redis.set(redisKey(tokenHash), JSON.stringify(session), "PX", ttlMs);
      this.breaker.succeeded();
    } catch (error) {
      this.breaker.failed(error);
    }
  }
}
