import type { Logger } from "../../infra/logger.js";
import type { Db } from "../../infra/prisma.js";
import { BATCH_TRANSACTION_OPTIONS } from "../../kernel/transactions.js";
import { BackgroundJob } from "../../lib/background-job.js";
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
  private readonly job: BackgroundJob<SweepResult>;

  constructor(
    private readonly db: Db,
    private readonly effects: HoldEffects,
    private readonly log: Logger,
    private readonly options: HoldSweeperOptions,
  ) {
    this.job = new BackgroundJob("hold sweeper", () => this.sweepBatches(), log, options.intervalMs);
  }

  start(): void {
    this.job.start();
  }

  stop(): Promise<void> {
    return this.job.stop();
  }

  /** Sweeps now, after any sweep already running (tests call this instead of waiting for the timer). */
  sweep(): Promise<SweepResult> {
    return this.job.runNow();
  }

  private async sweepBatches(): Promise<SweepResult> {
    const result: SweepResult = { expiredHolds: 0, freedSeats: 0 };
    const maxBatches = this.options.maxBatches ?? 50;
    for (let batch = 0; batch < maxBatches; batch++) {
      const ended = await this.db.$transaction(
        (tx) => expireHolds(tx, { batchSize: this.options.batchSize }),
        BATCH_TRANSACTION_OPTIONS,
      );
      await announceEnded(this.effects, ended);
      result.expiredHolds += ended.holds.length;
      result.freedSeats += ended.freedSeats.length;
      if (ended.holds.length < this.options.batchSize) break;
    }
    await this.effects.seatLocks.retryPendingReleases();
    if (result.expiredHolds) this.log.debug(result, "expired holds swept");
    return result;
  }
}
