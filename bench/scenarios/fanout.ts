// `pnpm bench fanout`: thousands of fans watching one stadium's live seat map while seats change.
import { join } from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import * as hdr from "hdr-histogram-js";
import WebSocket from "ws";
import { benchDatabaseUrl, importApiModule, prepareDatabase, requireApiBuild } from "../lib/api-build.js";
import { apiSummary, type RunningApi, startApi } from "../lib/api-process.js";
import { httpRequest } from "../lib/http.js";
import { loadOptionsUsage, parseLoadOptions, UsageError } from "../lib/options.js";
import {
  bytes,
  fileStamp,
  integer,
  machineInfo,
  milliseconds,
  resultsDir,
  table,
  writeResults,
} from "../lib/report.js";

type PrismaModule = typeof import("../../apps/api/src/infra/prisma.js");
type PubSubModule = typeof import("../../apps/api/src/infra/pubsub.js");
type LoggerModule = typeof import("../../apps/api/src/infra/logger.js");
type MetricsModule = typeof import("../../apps/api/src/infra/metrics.js");
type SeatingModule = typeof import("../../apps/api/src/modules/seating/seating.service.js");
type SeatMapLiveModule = typeof import("../../apps/api/src/modules/seating/seat-map-live.js");
type CatalogSeedModule = typeof import("../../apps/api/src/seed/catalog.js");
type Db = import("../../apps/api/src/infra/prisma.js").Db;
type SeatMapLive = import("../../apps/api/src/modules/seating/seat-map-live.js").SeatMapLive;

const DEFAULT_CHANGES_PER_SECOND = 100;
const CHANGE_TICK_MS = 20;
const FULL_SUBSCRIBERS = [1_000, 5_000];
const QUICK_SUBSCRIBERS = [100, 500];
const CONNECT_BATCH = 250;
// Deliveries of changes made at the end of a phase still arrive after it: wait for them.
const TAIL_MS = 1_500;
const TARGET_P99_MS = 300;
const TARGET_SUBSCRIBERS = 5_000;

export const usage = `Usage: pnpm bench fanout [options]

Prepares the database frontrow_bench (BENCH_DATABASE_URL overrides) and starts the built API (instance A).
This process plays a second instance (B): it changes random stadium seats in Postgres, ${DEFAULT_CHANGES_PER_SECOND}
a second (BENCH_FANOUT_CHANGES overrides), and reports them to its own SeatMapLive, which coalesces and publishes deltas through Redis,
exactly as the holds service of another instance would. Then, for ${FULL_SUBSCRIBERS.map(integer).join(" and ")}
graphql-ws subscribers of seatMapChanged on A, it measures deliveries/s, change-to-client latency
(from the commit on B to the subscriber's socket), gaps, executions per delta and memory per subscriber.

${loadOptionsUsage}
  --cpu-prof              profile the API (node --cpu-prof) over the whole run, into bench/results/
(--connections and --pipelining do not apply; --quick uses ${QUICK_SUBSCRIBERS.join(" and ")} subscribers.)`;

const SUBSCRIPTION = JSON.stringify({
  id: "1",
  type: "subscribe",
  payload: {
    query:
      "subscription WatchSeats($eventId: ID!) { seatMapChanged(eventId: $eventId) { eventId version changes { seatId status } } }",
  },
});
const VERSION = /"version":(\d+)/;

interface PhaseResult {
  subscribers: number;
  connectSeconds: number;
  deltas: number;
  deliveries: number;
  deliveriesPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; samples: number };
  gaps: number;
  errors: number;
  executionsPerDelta: number;
  serverCpuPercent: number;
  memoryPerSubscriber: { rssBytes: number; heapBytes: number };
  benchEventLoopDelayP99Ms: number;
}

/** Raw graphql-transport-ws clients: a load generator cheap enough to leave the CPU to the server. */
class Fans {
  private readonly sockets: WebSocket[] = [];
  private readonly lastVersions: number[] = [];
  gaps = 0;
  errors = 0;

  constructor(
    private readonly url: string,
    private readonly subscribeMessage: string,
    private readonly onDelivery: (version: number, message: string, receivedAt: number) => void,
  ) {}

  allLive(): boolean {
    return this.lastVersions.every((version) => version > 0);
  }

  async grow(target: number): Promise<void> {
    while (this.sockets.length < target) {
      const batch = Math.min(CONNECT_BATCH, target - this.sockets.length);
      await Promise.all(Array.from({ length: batch }, () => this.connect()));
    }
  }

  close(): void {
    for (const socket of this.sockets) socket.terminate();
  }

  private connect(): Promise<void> {
    const index = this.sockets.length;
    const socket = new WebSocket(this.url, "graphql-transport-ws", { perMessageDeflate: false });
    this.sockets.push(socket);
    this.lastVersions.push(0);
    return new Promise((resolve, reject) => {
      socket.once("error", reject);
      socket.once("open", () => socket.send('{"type":"connection_init"}'));
      socket.on("message", (data: Buffer) => {
        const message = data.toString("utf8");
        const version = Number(VERSION.exec(message)?.[1] ?? 0);
        if (version > 0) {
          const last = this.lastVersions[index] ?? 0;
          if (last > 0 && version !== last + 1) this.gaps++;
          this.lastVersions[index] = version;
          this.onDelivery(version, message, performance.now());
        } else if (message.includes('"connection_ack"')) {
          socket.send(this.subscribeMessage);
          resolve();
        } else if (message.includes('"error"')) {
          this.errors++;
        }
      });
    });
  }
}

/** Plays instance B: commits random seat changes and reports them to its own SeatMapLive. */
class SeatChanger {
  private readonly held = new Set<number>();
  /** When each seat last changed (commit on B), for change-to-client latency. */
  readonly changedAt = new Map<number, number>();

  constructor(
    private readonly db: Db,
    private readonly live: SeatMapLive,
    private readonly eventId: number,
    private readonly seatIds: number[],
    private readonly holdId: string,
    private readonly perSecond: number,
  ) {}

  async change(count: number): Promise<void> {
    const picked = new Set<number>();
    while (picked.size < count)
      picked.add(this.seatIds[Math.floor(Math.random() * this.seatIds.length)] ?? 0);
    const toHold = [...picked].filter((seatId) => !this.held.has(seatId));
    const toRelease = [...picked].filter((seatId) => this.held.has(seatId));
    await this.apply(toHold, toRelease);
  }

  /** Changes seats at a steady rate until `until` (performance.now() time). */
  async drive(until: number): Promise<void> {
    let due = 0;
    while (performance.now() < until) {
      const tickStarted = performance.now();
      due += (this.perSecond * CHANGE_TICK_MS) / 1000;
      const count = Math.floor(due);
      due -= count;
      if (count > 0) await this.change(count);
      await sleep(Math.max(0, CHANGE_TICK_MS - (performance.now() - tickStarted)));
    }
  }

  /** Puts every seat this run held back on sale, so the next run starts from the same map. */
  releaseAll(): Promise<void> {
    return this.apply([], [...this.held]);
  }

  private async apply(toHold: number[], toRelease: number[]): Promise<void> {
    if (toHold.length) {
      await this.db.$executeRaw`
        UPDATE event_seat SET status = 'HELD', hold_id = ${this.holdId}::uuid, held_until = now() + interval '1 hour'
        WHERE event_id = ${this.eventId} AND seat_id = ANY(${toHold}::int[])`;
    }
    if (toRelease.length) {
      await this.db.$executeRaw`
        UPDATE event_seat SET status = 'AVAILABLE', hold_id = NULL, held_until = NULL
        WHERE event_id = ${this.eventId} AND seat_id = ANY(${toRelease}::int[])`;
    }
    const committedAt = performance.now();
    for (const seatId of toHold) this.held.add(seatId);
    for (const seatId of toRelease) this.held.delete(seatId);
    const changed = [...toHold, ...toRelease];
    for (const seatId of changed) this.changedAt.set(seatId, committedAt);
    if (changed.length) this.live.seatsChanged(this.eventId, changed);
  }
}

async function serverMetrics(api: RunningApi): Promise<(name: string) => number> {
  const text = (await httpRequest(new URL("/metrics", api.baseUrl))).body.toString("utf8");
  return (name) => Number(new RegExp(`^${name.replace(/[{}"]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1] ?? 0);
}

/** Latency samples of the deltas seen in the measured window: one per changed seat per subscriber. */
class LatencyRecorder {
  private readonly histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000 });
  private readonly changeTimesByVersion = new Map<number, number[]>();
  private window: { from: number; to: number } | undefined;
  deliveries = 0;
  /** Deltas with changes made in the window. */
  readonly versions = new Set<number>();
  /** Every delta received while measuring (to relate to the server's execution count). */
  readonly versionsReceived = new Set<number>();

  constructor(private readonly changedAt: Map<number, number>) {}

  start(from: number, to: number): void {
    this.histogram.reset();
    this.changeTimesByVersion.clear();
    this.versions.clear();
    this.versionsReceived.clear();
    this.deliveries = 0;
    this.window = { from, to };
  }

  stop(): void {
    this.window = undefined;
  }

  record(version: number, message: string, receivedAt: number): void {
    const window = this.window;
    if (!window) return;
    this.versionsReceived.add(version);
    let changeTimes = this.changeTimesByVersion.get(version);
    if (!changeTimes) {
      // Parsed once per delta, not per subscriber: the load generator must stay light.
      const { payload } = JSON.parse(message) as {
        payload: { data: { seatMapChanged: { changes: { seatId: string }[] } } };
      };
      changeTimes = payload.data.seatMapChanged.changes
        .map((change) => this.changedAt.get(Number(change.seatId)) ?? Number.NaN)
        .filter((changedAt) => changedAt >= window.from && changedAt <= window.to);
      this.changeTimesByVersion.set(version, changeTimes);
    }
    if (changeTimes.length === 0) return;
    this.versions.add(version);
    if (receivedAt <= window.to) this.deliveries++;
    for (const changedAt of changeTimes)
      this.histogram.recordValue(Math.round((receivedAt - changedAt) * 1000));
  }

  latencyMs() {
    const at = (percentile: number) => this.histogram.getValueAtPercentile(percentile) / 1000;
    return {
      p50: at(50),
      p90: at(90),
      p99: at(99),
      max: this.histogram.maxValue / 1000,
      samples: this.histogram.totalCount,
    };
  }
}

export async function run(args: string[]): Promise<number> {
  const { settings, flags } = parseLoadOptions(args, { "cpu-prof": { type: "boolean" } });
  requireApiBuild();
  const startedAt = new Date();
  const stamp = fileStamp(startedAt);
  // Taken before the run: a load average above zero here means other work shares the CPUs.
  const machine = machineInfo();
  const databaseUrl = benchDatabaseUrl();
  const subscriberCounts = settings.quick ? QUICK_SUBSCRIBERS : FULL_SUBSCRIBERS;
  const changesPerSecond = Number(process.env.BENCH_FANOUT_CHANGES ?? DEFAULT_CHANGES_PER_SECOND);
  if (!(changesPerSecond > 0 && changesPerSecond <= 10_000)) {
    throw new UsageError(
      `BENCH_FANOUT_CHANGES must be from 1 to 10000, not "${process.env.BENCH_FANOUT_CHANGES}"`,
    );
  }

  console.log(
    `Seat map fan-out benchmark${settings.quick ? " (quick smoke run: figures are indicative only)" : ""}: ` +
      `${machine.cpus} cores, load average ${machine.loadAverage1m} before the run, node ${machine.node}`,
  );
  process.stdout.write("Preparing the benchmark database (migrate, seed)… ");
  const preparation = await prepareDatabase(databaseUrl);
  console.log(`done in ${((preparation.migrateMs + preparation.seedMs) / 1000).toFixed(1)} s`);

  const [
    { createPrisma },
    { createPubSub },
    { createLogger },
    { createMetrics },
    { SeatingService },
    live,
    seed,
  ] = await Promise.all([
    importApiModule<PrismaModule>("infra/prisma.js"),
    importApiModule<PubSubModule>("infra/pubsub.js"),
    importApiModule<LoggerModule>("infra/logger.js"),
    importApiModule<MetricsModule>("infra/metrics.js"),
    importApiModule<SeatingModule>("modules/seating/seating.service.js"),
    importApiModule<SeatMapLiveModule>("modules/seating/seat-map-live.js"),
    importApiModule<CatalogSeedModule>("seed/catalog.js"),
  ]);

  const profile = flags["cpu-prof"] ? { dir: resultsDir, name: `fanout-${stamp}-api.cpuprofile` } : undefined;
  const api = await startApi({
    databaseUrl,
    nodeArgs: profile
      ? ["--cpu-prof", `--cpu-prof-dir=${profile.dir}`, `--cpu-prof-name=${profile.name}`]
      : [],
  });
  const db = createPrisma(databaseUrl, { poolSize: 4 });
  const pubSub = createPubSub(
    {
      url: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
      keyPrefix: api.redisKeyPrefix,
      commandTimeoutMs: 1_000,
    },
    createLogger("warn", { role: "bench instance B" }),
  );
  const writer = new live.SeatMapLive(
    db,
    pubSub,
    new SeatingService(db),
    createLogger("warn"),
    createMetrics(),
    {
      coalesceMs: 100,
    },
  );
  const results: PhaseResult[] = [];
  let fans: Fans | undefined;
  let changer: SeatChanger | undefined;
  let holdId: string | undefined;
  try {
    console.log(`API (instance A) at ${api.graphqlUrl} (${apiSummary(api)})`);
    const event = await db.event.findUniqueOrThrow({
      where: { slug: seed.NOTABLE_EVENT_SLUGS.stadiumOnSale },
    });
    const seats = await db.eventSeat.findMany({ where: { eventId: event.id }, select: { seatId: true } });
    const user = await db.user.findFirstOrThrow();
    // The seats this run holds belong to one stand-in hold, removed at the end.
    holdId = (
      await db.hold.create({
        data: {
          userId: user.id,
          eventId: event.id,
          seatIds: [0],
          seatPrices: [0],
          totalMinor: 0,
          currency: "EUR",
          expiresAt: new Date(Date.now() + 3_600_000),
        },
      })
    ).id;
    console.log(
      `Event ${event.id} "${event.name}": ${integer(seats.length)} seats, ${changesPerSecond} changes/s`,
    );
    const activeChanger = new SeatChanger(
      db,
      writer,
      event.id,
      seats.map((seat) => seat.seatId),
      holdId,
      changesPerSecond,
    );
    changer = activeChanger;
    const recorder = new LatencyRecorder(activeChanger.changedAt);
    const subscribeMessage = SUBSCRIPTION.replace(
      '"payload":{',
      `"payload":{"variables":{"eventId":"${event.id}"},`,
    );
    const activeFans = new Fans(
      api.graphqlUrl.toString().replace(/^http/, "ws"),
      subscribeMessage,
      (...delivery) => recorder.record(...delivery),
    );
    fans = activeFans;
    const baseline = await serverMetrics(api);

    for (const subscribers of subscriberCounts) {
      process.stdout.write(`\n${integer(subscribers)} subscribers: connecting… `);
      const connectStarted = performance.now();
      await activeFans.grow(subscribers);
      const connectSeconds = (performance.now() - connectStarted) / 1000;
      process.stdout.write(`${connectSeconds.toFixed(1)} s; waiting until every subscription is live… `);
      const liveDeadline = Date.now() + 60_000;
      while (!activeFans.allLive()) {
        if (Date.now() > liveDeadline) throw new Error("Not every subscriber received a delta within 60 s");
        await activeChanger.change(1);
        await sleep(250);
      }
      await sleep(1_000);
      const loaded = await serverMetrics(api);
      const memoryPerSubscriber = {
        rssBytes:
          (loaded("process_resident_memory_bytes") - baseline("process_resident_memory_bytes")) / subscribers,
        heapBytes:
          (loaded("nodejs_heap_size_used_bytes") - baseline("nodejs_heap_size_used_bytes")) / subscribers,
      };
      process.stdout.write(`warm-up ${settings.warmupS} s… `);
      await activeChanger.drive(performance.now() + settings.warmupS * 1000);

      console.log(`measuring ${settings.durationS} s…`);
      const before = await serverMetrics(api);
      const cpuBefore = api.cpuSeconds();
      const gapsBefore = activeFans.gaps;
      const errorsBefore = activeFans.errors;
      const loopDelay = monitorEventLoopDelay({ resolution: 10 });
      loopDelay.enable();
      const from = performance.now();
      const to = from + settings.durationS * 1000;
      recorder.start(from, to);
      await activeChanger.drive(to);
      const cpuAfter = api.cpuSeconds();
      await sleep(TAIL_MS);
      recorder.stop();
      loopDelay.disable();
      const after = await serverMetrics(api);
      const executed = (read: (name: string) => number) =>
        read('frontrow_subscription_results_total{source="executed"}');
      const deltas = recorder.versions.size;
      results.push({
        subscribers,
        connectSeconds,
        deltas,
        deliveries: recorder.deliveries,
        deliveriesPerSecond: recorder.deliveries / settings.durationS,
        latencyMs: recorder.latencyMs(),
        gaps: activeFans.gaps - gapsBefore,
        errors: activeFans.errors - errorsBefore,
        executionsPerDelta:
          (executed(after) - executed(before)) / Math.max(1, recorder.versionsReceived.size),
        serverCpuPercent:
          cpuBefore !== undefined && cpuAfter !== undefined
            ? ((cpuAfter - cpuBefore) / settings.durationS) * 100
            : Number.NaN,
        memoryPerSubscriber,
        benchEventLoopDelayP99Ms: loopDelay.percentile(99) / 1e6,
      });
    }
  } finally {
    fans?.close();
    await changer?.releaseAll().catch(() => undefined);
    await writer.close(5_000);
    if (holdId) await db.hold.delete({ where: { id: holdId } }).catch(() => undefined);
    await db.$disconnect();
    pubSub.close();
    await api.stop();
  }

  console.log(
    `\n${table(
      [
        "subscribers",
        "deltas",
        "deliveries/s",
        "p50 ms",
        "p90 ms",
        "p99 ms",
        "max ms",
        "gaps",
        "exec/delta",
        "API CPU",
        "RSS/sub",
        "heap/sub",
      ],
      results.map((result) => [
        integer(result.subscribers),
        integer(result.deltas),
        integer(result.deliveriesPerSecond),
        milliseconds(result.latencyMs.p50),
        milliseconds(result.latencyMs.p90),
        milliseconds(result.latencyMs.p99),
        milliseconds(result.latencyMs.max),
        String(result.gaps + result.errors),
        result.executionsPerDelta.toFixed(2),
        `${Math.round(result.serverCpuPercent)}%`,
        bytes(Math.round(result.memoryPerSubscriber.rssBytes)),
        bytes(Math.round(result.memoryPerSubscriber.heapBytes)),
      ]),
    )}`,
  );
  console.log(
    `\nLatency: from the commit of a seat change on instance B to a subscriber's socket on A (coalescing window ` +
      `100 ms included), one sample per changed seat per subscriber. The subscribers run in this process on the ` +
      `same ${machine.cpus}-core machine as the API, Postgres and Redis (event loop delay p99 here: ` +
      `${results.map((result) => milliseconds(result.benchEventLoopDelayP99Ms)).join(" / ")} ms).`,
  );

  const atTarget = results.find((result) => result.subscribers === TARGET_SUBSCRIBERS);
  const problems = results.flatMap((result) =>
    result.gaps || result.errors
      ? [`${result.subscribers} subscribers: ${result.gaps} version gaps, ${result.errors} errors`]
      : [],
  );
  const resultsPath = await writeResults(`fanout-${stamp}.json`, {
    scenario: "fanout",
    startedAt: startedAt.toISOString(),
    machine,
    settings,
    changesPerSecond,
    phases: results,
  });
  console.log(`\nResults: ${resultsPath}`);
  if (profile) console.log(`API CPU profile: ${join(profile.dir, profile.name)} (open in Chrome DevTools)`);
  if (problems.length) {
    console.error(`\nFAILED: ${problems.join("; ")}`);
    return 1;
  }
  if (atTarget) {
    const pass = atTarget.latencyMs.p99 < TARGET_P99_MS;
    console.log(
      `Target p99 < ${TARGET_P99_MS} ms at ${integer(TARGET_SUBSCRIBERS)} subscribers: ` +
        `${milliseconds(atTarget.latencyMs.p99)} ms ${pass ? "PASS" : "FAIL"}`,
    );
    if (!pass) return 1;
  }
  return 0;
}
