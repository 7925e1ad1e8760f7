import { createRequire } from "node:module";
import { resolve } from "node:path";
import { repoRoot } from "./api-build.js";

// Redis through the ioredis the API itself uses (resolved from apps/api), typed to what the benchmarks use.

export interface BenchRedis {
  status: string;
  scan(
    cursor: string,
    match: "MATCH",
    pattern: string,
    countWord: "COUNT",
    count: number,
  ): Promise<[string, string[]]>;
  unlink(...keys: string[]): Promise<number>;
  info(section: string): Promise<string>;
  subscribe(channel: string): Promise<unknown>;
  on(event: "message", listener: (channel: string, message: string) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  disconnect(): void;
}

type RedisConstructor = new (
  url: string,
  options: { connectionName: string; keyPrefix?: string; lazyConnect: boolean; maxRetriesPerRequest: number },
) => BenchRedis & { connect(): Promise<void> };

export const redisUrl = () => process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** A connection named `frontrow:bench:<name>`, with no key prefix unless one is given. */
export async function connectRedis(name: string, keyPrefix = ""): Promise<BenchRedis> {
  const { Redis } = createRequire(resolve(repoRoot, "apps/api/package.json"))("ioredis") as {
    Redis: RedisConstructor;
  };
  const redis = new Redis(redisUrl(), {
    connectionName: `frontrow:bench:${name}`,
    keyPrefix,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
  });
  redis.on("error", (error) => console.error(`  redis (${name}): ${error.message}`));
  await redis.connect();
  return redis;
}

/** Deletes every key whose full name starts with `prefix`; `redis` must have no key prefix of its own. */
export async function dropKeys(redis: BenchRedis, prefix: string): Promise<number> {
  let cursor = "0";
  let dropped = 0;
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1_000);
    if (keys.length) dropped += await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== "0");
  return dropped;
}

/**
 * CPU time the Redis server has used so far (INFO cpu: user + system, its forks included), in seconds. Redis
 * counts it itself, so this holds wherever Redis runs (a container, another host) and to the microsecond.
 */
export async function redisCpuSeconds(redis: BenchRedis): Promise<number | undefined> {
  const info = await redis.info("cpu");
  const fields = ["used_cpu_user", "used_cpu_sys", "used_cpu_user_children", "used_cpu_sys_children"];
  const values = fields.map((field) => Number(new RegExp(`^${field}:([\\d.]+)`, "m").exec(info)?.[1]));
  return values.every(Number.isFinite) ? values.reduce((sum, value) => sum + value, 0) : undefined;
}
