import { defineModule } from "../module.js";
import { AdmissionTokens } from "./admission-token.js";
import { EventQueueSettings, QueueResolver } from "./queue.resolver.js";
import { QUEUE_TICK, QueueService } from "./queue.service.js";
import { QueueLeader } from "./queue-leader.js";
import { QueueRecords } from "./queue-records-store.js";
import { QueueStore } from "./queue-store.js";

declare module "../../graphql/context.js" {
  interface Services {
    queue: QueueService;
    admissionTokens: AdmissionTokens;
  }
}

declare module "../module.js" {
  interface BackgroundWork {
    /** Moves the waiting rooms while this instance holds the lease (started when QUEUE_LEADER). */
    queueLeader: QueueLeader;
  }
}

export const queueModule = defineModule({
  name: "queue",
  resolvers: [QueueResolver, EventQueueSettings],
  setup({ config, db, pool, redis, pubSub, log, metrics }) {
    const store = new QueueStore(redis);
    const records = new QueueRecords(pool);
    const admissionTokens = new AdmissionTokens(config.ADMISSION_TOKEN_SECRET);
    const queue = new QueueService(db, store, records, admissionTokens, log, {
      heartbeatIntervalSeconds: config.QUEUE_HEARTBEAT_INTERVAL_SECONDS,
      settingsCacheMs: 1_000,
      redisRetryAfterMs: config.REDIS_RETRY_AFTER_MS,
    });
    const queueLeader = new QueueLeader(
      {
        redis,
        store,
        rooms: queue.rooms,
        records,
        queueEvent: (eventId) => queue.queueEvent(eventId),
        broadcast: (tick) => pubSub.publish(QUEUE_TICK, tick.eventId, tick),
        log,
        metrics,
      },
      {
        tickMs: config.QUEUE_TICK_MS,
        leaseMs: config.QUEUE_LEASE_MS,
        heartbeatGraceMs: config.QUEUE_HEARTBEAT_GRACE_SECONDS * 1000,
      },
    );
    return {
      services: { queue, admissionTokens },
      background: { queueLeader },
      start() {
        if (config.QUEUE_LEADER) queueLeader.start();
      },
      async stop() {
        await queueLeader.stop();
        // Entries noted since the last batch still have to reach Postgres.
        await queue.settle().catch((error: unknown) => log.warn({ err: error }, "queue: entries not saved"));
      },
    };
  },
});
