import type { Logger } from "./logger.js";

export interface BreakerMessages {
  /** Logged once when Redis starts failing. */
  off: string;
  /** Logged once when Redis answers again. */
  on: string;
}

/** Until when the uses of one Redis client leave it alone. */
interface Pause {
  skipUntil: number;
}

// Shared by the breakers of one client: a hold that uses Redis three times (session, rate limit, seat
// locks) waits out one command timeout while Redis stalls, not one per use (1.5 s where docs/holds.md
// promises 500 ms).
const pauses = new WeakMap<object, Pause>();

/**
 * A tiny circuit breaker for one use of Redis: after a failure, leave Redis alone for a moment so that
 * every request does not pay a command timeout while it is down or stalled; log only state changes.
 * Breakers given the same `client` pause together: a failure seen by one is skipped by all.
 */
export class RedisBreaker {
  private readonly pause: Pause;
  private down = false;

  constructor(
    private readonly log: Logger,
    private readonly messages: BreakerMessages,
    private readonly retryAfterMs: number,
    client?: object,
  ) {
    let pause = client ? pauses.get(client) : undefined;
    if (!pause) {
      pause = { skipUntil: 0 };
      if (client) pauses.set(client, pause);
    }
    this.pause = pause;
  }

  available(): boolean {
    return Date.now() >= this.pause.skipUntil;
  }

  failed(error: unknown): void {
    this.pause.skipUntil = Date.now() + this.retryAfterMs;
    if (this.down) return;
    this.down = true;
    this.log.warn({ err: error instanceof Error ? error.message : String(error) }, this.messages.off);
  }

  succeeded(): void {
    if (!this.down) return;
    this.down = false;
    this.log.info(this.messages.on);
  }
}
