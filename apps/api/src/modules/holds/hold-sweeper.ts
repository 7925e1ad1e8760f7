import type { Logger } from "../../infra/logger.js";
import type { Db } from "../../infra/prisma.js";
import { announceEnded, expireHolds, type HoldEffects } from "./hold-store.js";

export interface HoldSweeperOptions {
  intervalMs: number;
  /** Holds ended per transaction. */
  batchSize: number;
  /** Batches per sweep at most, so one sweep never runs unbounded. */
  maxBatches?: number;
}

export interface SweepResult {
  expiredHolds: number;
  freedSeats: number;
}

/**
 * Runs on every API instance: every few seconds, ends expired holds in batches, frees their seats,
 * deletes their Redis locks and tells the seat map. Correctness never waits for it (every write
 * already treats expired holds as free); it keeps the seat map, the holds' states and Redis tidy.
 * Instances share the work through `FOR UPDATE SKIP LOCKED`: each batch takes holds nobody else has.
 */
export class HoldSweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<SweepResult> | undefined;
  private failing = false;

  constructor(
    private readonly db: Db,
    private readonly effects: HoldEffects,
    private readonly log: Logger,
    private readonly options: HoldSweeperOptions,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Sweeps now, after any sweep already running (tests call this instead of waiting for the timer). */
  sweep(): Promise<SweepResult> {
    const previous = this.running?.catch(() => undefined) ?? Promise.resolve();
    const run = previous.then(() => this.sweepBatches());
    this.running = run;
    const forget = () => {
      if (this.running === run) this.running = undefined;
    };
    run.then(forget, forget);
    return run;
  }

  private tick(): void {
    if (this.running) return;
    this.sweep().then(
      (result) => {
        if (this.failing) this.log.info("hold sweeper recovered");
        this.failing = false;
        if (result.expiredHolds) this.log.debug(result, "expired holds swept");
      },
      (error: unknown) => {
        if (!this.failing) this.log.warn({ err: error }, "hold sweeper failed; retrying every interval");
        this.failing = true;
      },
    );
  }

  private async sweepBatches(): Promise<SweepResult> {
    const result: SweepResult = { expiredHolds: 0, freedSeats: 0 };
    const maxBatches = this.options.maxBatches ?? 50;
    for (let batch = 0; batch < maxBatches; batch++) {
      const ended = await this.db.$transaction(
        (tx) => expireHolds(tx, { batchSize: this.options.batchSize }),
        {
          maxWait: 3_000,
          timeout: 30_000,
        },
      );
      await announceEnded(this.effects, ended);
      result.expiredHolds += ended.holds.length;
      result.freedSeats += ended.freedSeats.length;
      if (ended.holds.length < this.options.batchSize) break;
    }
    await this.effects.seatLocks.retryPendingReleases();
    return result;
  }
}
