import { defineModule } from "../module.js";
import type { HoldEffects } from "./hold-store.js";
import { HoldSweeper } from "./hold-sweeper.js";
import { HoldMutations, UserHolds } from "./holds.resolver.js";
import { HoldsService } from "./holds.service.js";
import { SeatLocks } from "./seat-locks.js";

declare module "../../graphql/context.js" {
  interface Services {
    holds: HoldsService;
    /** What follows a change of held seats: the live seat map and the Redis seat locks. */
    holdEffects: HoldEffects;
  }
}

declare module "../module.js" {
  interface BackgroundWork {
    /** Ends expired holds every HOLD_SWEEP_INTERVAL_MS; `sweep()` runs it now. */
    holdSweeper: HoldSweeper;
  }
}

export const holdsModule = defineModule({
  name: "holds",
  resolvers: [HoldMutations, UserHolds],
  setup({ config, db, pool, redis, log, metrics, services }) {
    const holdEffects: HoldEffects = {
      notifier: services.seatChanges,
      seatLocks: new SeatLocks(redis, metrics.seatLocks, log, { retryAfterMs: config.REDIS_RETRY_AFTER_MS }),
    };
    const holdSweeper = new HoldSweeper(db, holdEffects, log, {
      intervalMs: config.HOLD_SWEEP_INTERVAL_MS,
      batchSize: config.HOLD_SWEEP_BATCH,
    });
    const holds = new HoldsService(
      db,
      pool,
      services.seating,
      holdEffects,
      {
        maxSeatsPerHold: config.HOLD_MAX_SEATS,
        batchConcurrency: config.HOLD_BATCH_CONCURRENCY,
        onBatch: (count) => metrics.holdBatchHolds.observe(count),
      },
      services.queue,
    );
    return {
      services: { holds, holdEffects },
      background: { holdSweeper },
      start: () => holdSweeper.start(),
      stop: () => holdSweeper.stop(),
    };
  },
});
