import { createHash } from "node:crypto";
import type { RedisClient } from "./redis.js";

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
      if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}
