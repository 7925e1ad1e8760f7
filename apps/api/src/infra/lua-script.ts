import { createHash } from "node:crypto";
import type { RedisClient } from "./redis.js";

/** One run of a script: its keys and arguments. */
export interface ScriptCall {
  keys: string[];
  args: (string | number)[];
}

const isNoScript = (error: unknown) => error instanceof Error && error.message.startsWith("NOSCRIPT");

/** A Lua script run by its SHA (EVALSHA), falling back to EVAL once when Redis does not know it yet. */
export class LuaScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  async run(redis: RedisClient, keys: string[], args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }

  /**
   * Several runs at once, answered in order. On one Redis they go in one pipeline: one write and one
   * round trip, where each socket write costs the hot path ~50 µs of CPU (docs/benchmarks.md). A Redis
   * Cluster takes a pipeline only when every key is in one slot, so there they run side by side.
   */
  async runEach(redis: RedisClient, calls: ScriptCall[]): Promise<unknown[]> {
    if (redis.isCluster || calls.length < 2) {
      return Promise.all(calls.map(({ keys, args }) => this.run(redis, keys, args)));
    }
    const send = async (byName: "evalsha" | "eval") => {
      const pipeline = redis.pipeline();
      const script = byName === "evalsha" ? this.sha : this.source;
      for (const { keys, args } of calls) pipeline[byName](script, keys.length, ...keys, ...args);
      return (await pipeline.exec()) ?? [];
    };
    let replies = await send("evalsha");
    // Unknown script (a new or flushed Redis): nothing ran, so the whole pipeline goes again as EVAL.
    if (replies.some(([error]) => isNoScript(error))) replies = await send("eval");
    return replies.map(([error, result]) => {
      if (error) throw error;
      return result;
    });
  }
}
