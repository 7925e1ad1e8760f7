import { Cluster, Redis, type RedisOptions } from "ioredis";

/** One Redis, a Redis Cluster or a Sentinel-managed primary: the same commands for every caller. */
export type RedisClient = Redis | Cluster;

export interface RedisSettings {
  url: string;
  keyPrefix: string;
  commandTimeoutMs: number;
}

export type RedisTopology =
  | { kind: "single"; url: string }
  | { kind: "cluster"; nodes: { host: string; port: number }[]; password?: string }
  | {
      kind: "sentinel";
      sentinels: { host: string; port: number }[];
      name: string;
      password?: string;
      db: number;
    };

function hostsOf(list: string): { host: string; port: number }[] {
  return list.split(",").map((node) => {
    const { hostname, port } = new URL(`redis://${node}`);
    return { host: hostname.replace(/^\[|\]$/g, ""), port: Number(port || 6379) };
  });
}

/**
 * What REDIS_URL names: `redis://` or `rediss://` (one Redis), `redis+cluster://[:password@]host:port,host:port`
 * (a Redis Cluster, the nodes to start from), or `redis+sentinel://[:password@]host:port,host:port/<primary name>[/db]`.
 */
export function parseRedisUrl(url: string): RedisTopology {
  const match = /^redis\+(cluster|sentinel):\/\/(?:([^@/]*)@)?([^/]+)(?:\/(.*))?$/.exec(url);
  if (!match) return { kind: "single", url };
  const [, kind, auth, hosts = "", path = ""] = match;
  const password = auth ? decodeURIComponent(auth.replace(/^[^:]*:/, "")) || undefined : undefined;
  if (kind === "cluster") return { kind: "cluster", nodes: hostsOf(hosts), password };
  const [name = "mymaster", db = "0"] = path.split("/");
  return { kind: "sentinel", sentinels: hostsOf(hosts), name, password, db: Number(db) };
}

/**
 * Redis clients that fail fast: with ioredis' defaults a command waits ~70 s while Redis is down.
 * No offline queue, one retry and a short command timeout make every caller see the outage at once
 * and take its fallback (Postgres is the source of truth; Redis only makes things fast).
 *
 * On a Redis Cluster every multi-key command and script touches the keys of one event, which share the
 * hash tag `{ev:<id>}` (one slot); pub/sub is cluster-wide (PUBLISH reaches every node's subscribers).
 */
export function createRedis(
  settings: RedisSettings,
  role: string,
  overrides: RedisOptions = {},
): RedisClient {
  const options: RedisOptions = {
    connectionName: `frontrow:${role}`,
    keyPrefix: settings.keyPrefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: settings.commandTimeoutMs,
    connectTimeout: 2_000,
    // Keep reconnecting in the background, backing off to at most one attempt per second.
    retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    lazyConnect: true,
    ...overrides,
  };
  const topology = parseRedisUrl(settings.url);
  if (topology.kind === "single") return new Redis(settings.url, options);
  if (topology.kind === "sentinel") {
    const { sentinels, name, password, db } = topology;
    return new Redis({ ...options, sentinels, name, password, sentinelPassword: password, db });
  }
  const { keyPrefix, enableOfflineQueue, lazyConnect, ...nodeOptions } = options;
  return new Cluster(topology.nodes, {
    keyPrefix,
    enableOfflineQueue,
    lazyConnect,
    clusterRetryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
    redisOptions: { ...nodeOptions, password: topology.password },
    // Pub/sub and the fast path go to the primaries; a failover is followed through MOVED replies.
    scaleReads: "master",
    slotsRefreshTimeout: 2_000,
  });
}

export async function pingRedis(redis: RedisClient): Promise<boolean> {
  try {
    return (await redis.ping()) === "PONG";
  } catch {
    return false;
  }
}
