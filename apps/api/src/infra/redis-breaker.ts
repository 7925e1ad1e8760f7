import type { Logger } from "./logger.js";

export interface BreakerMessages {
  /** Logged once when Redis starts failing. */
  off: string;
  /** Logged once when Redis answers again. */
  on: string;
}

/**
 * A tiny circuit breaker for one use of Redis: after a failure, leave Redis alone for a moment so that
 * every request does not pay a command timeout while it is down or stalled; log only state changes.
 */
export class RedisBreaker {
  private skipUntil = 0;
  private down = false;

  constructor(
    private readonly log: Logger,
    private readonly messages: BreakerMessages,
    private readonly retryAfterMs: number,
  ) {}

  available(): boolean {
    return Date.now() >= this.skipUntil;
  }

  failed(error: unknown): void {
    this.skipUntil = Date.now() + this.retryAfterMs;
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
