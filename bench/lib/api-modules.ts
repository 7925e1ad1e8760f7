import { importApiModule } from "./api-build.js";

// The only place the benchmarks name the API's source files. They drive the built API through its process,
// HTTP, WebSocket and /metrics; these few parts of it run in the bench process itself, each for a reason:
// - the seed's catalog: the names of the events the scenarios use (the data they run against);
// - the proof-of-work solver: what a fan's browser runs before it joins a waiting room;
// - the waiting room's leader and store: `bench queue` times one leader tick against Redis, alone;
// - the live seat map's writer side: `bench fanout` plays a second API instance that publishes deltas.
// The type imports make `tsc -p bench/tsconfig.json` fail when one of these files moves.

type CatalogModule = typeof import("../../apps/api/src/seed/catalog.js");
type ProofOfWorkModule = typeof import("../../apps/api/src/modules/defences/proof-of-work.js");
type LoggerModule = typeof import("../../apps/api/src/infra/logger.js");
type QueueStoreModule = typeof import("../../apps/api/src/modules/queue/queue-store.js");
type QueueLeaderModule = typeof import("../../apps/api/src/modules/queue/queue-leader.js");
type PrismaModule = typeof import("../../apps/api/src/infra/prisma.js");
type PubSubModule = typeof import("../../apps/api/src/infra/pubsub.js");
type MetricsModule = typeof import("../../apps/api/src/infra/metrics.js");
type SeatingModule = typeof import("../../apps/api/src/modules/seating/seating.service.js");
type SqlModule = typeof import("../../apps/api/src/infra/sql.js");
type SeatMapLiveModule = typeof import("../../apps/api/src/modules/seating/seat-map-live.js");

export type QueueEvent = import("../../apps/api/src/modules/queue/queue.service.js").QueueEvent;
export type ApiRedisClient = import("../../apps/api/src/infra/redis.js").RedisClient;
export type Db = import("../../apps/api/src/infra/prisma.js").Db;
export type SeatMapLive = import("../../apps/api/src/modules/seating/seat-map-live.js").SeatMapLive;

/** The seeded events the scenarios use, by role. */
export async function seededEvents() {
  const catalog = await importApiModule<CatalogModule>("seed/catalog.js");
  return { slugs: catalog.NOTABLE_EVENT_SLUGS, events: catalog.EVENTS };
}

export async function proofOfWorkSolver(): Promise<ProofOfWorkModule["solveProofOfWork"]> {
  return (await importApiModule<ProofOfWorkModule>("modules/defences/proof-of-work.js")).solveProofOfWork;
}

export async function queueLeaderParts() {
  const [{ QueueStore }, { QueueLeader }, { createLogger }] = await Promise.all([
    importApiModule<QueueStoreModule>("modules/queue/queue-store.js"),
    importApiModule<QueueLeaderModule>("modules/queue/queue-leader.js"),
    importApiModule<LoggerModule>("infra/logger.js"),
  ]);
  return { QueueStore, QueueLeader, createLogger };
}

export async function seatMapWriterParts() {
  const [
    { createPrisma },
    { createSqlPool },
    { createPubSub },
    { createLogger },
    { createMetrics },
    { SeatingService },
    live,
  ] = await Promise.all([
    importApiModule<PrismaModule>("infra/prisma.js"),
    importApiModule<SqlModule>("infra/sql.js"),
    importApiModule<PubSubModule>("infra/pubsub.js"),
    importApiModule<LoggerModule>("infra/logger.js"),
    importApiModule<MetricsModule>("infra/metrics.js"),
    importApiModule<SeatingModule>("modules/seating/seating.service.js"),
    importApiModule<SeatMapLiveModule>("modules/seating/seat-map-live.js"),
  ]);
  return {
    createPrisma,
    createSqlPool,
    createPubSub,
    createLogger,
    createMetrics,
    SeatingService,
    SeatMapLive: live.SeatMapLive,
  };
}
