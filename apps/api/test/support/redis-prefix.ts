import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";

// Every Redis key a test run writes starts with the run's root (set by test/run.ts), so that the run can
// delete them all at the end: many have no TTL (queue lines, sequences) and would pile up run after run.

const ROOT_VARIABLE = "FRONTROW_TEST_REDIS_ROOT";
const UNLINK_BATCH = 500;

export function testRedisRoot(runId: string): string {
  return `test:${runId}:`;
}

/** A key prefix of its own for one test server or store, under the run's root. */
export function testRedisPrefix(label?: string): string {
  const root = process.env[ROOT_VARIABLE] ?? testRedisRoot(String(process.pid));
  return `${root}${label ? `${label}:` : ""}${randomBytes(3).toString("hex")}:`;
}

/** The environment that puts a run's keys under `root`. */
export function redisRootEnv(root: string): Record<string, string> {
  return { [ROOT_VARIABLE]: root };
}

/** Deletes every key under `root`; returns how many there were. */
export async function deleteRedisKeys(root: string): Promise<number> {
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { lazyConnect: true });
  let deleted = 0;
  try {
    await redis.connect();
    for await (const keys of redis.scanStream({ match: `${root}*`, count: 1_000 }) as AsyncIterable<
      string[]
    >) {
      for (let start = 0; start < keys.length; start += UNLINK_BATCH) {
        deleted += await redis.unlink(...keys.slice(start, start + UNLINK_BATCH));
      }
    }
  } finally {
    redis.disconnect();
  }
  return deleted;
}
