// `pnpm bench fanout`: thousands of fans watching one stadium's live seat map while seats change.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import WebSocket from "ws";
import { scrapeMetrics } from "../lib/api-metrics.js";
import { type Db, type SeatMapLive, seatMapWriterParts, seededEvents } from "../lib/api-modules.js";
import type { RunningApi } from "../lib/api-process.js";
import { BareWsServer } from "../lib/bare-ws.js";
import { eventSeatIds } from "../lib/event-settings.js";
import { latencyHistogram, type Percentiles, percentilesMs, recordMs } from "../lib/latency.js";
import type { Meter, StepCost } from "../lib/meter.js";
import { integerOption, type LoadSettings, loadOptionsUsage, parseOptions } from "../lib/options.js";
import { redisUrl } from "../lib/redis.js";
import { type Reference, ratio } from "../lib/reference.js";
import {
  bytes,
  costCells,
  costHeader,
  costLegend,
  costLine,
  integer,
  milliseconds,
  perOperation,
  ratioText,
  table,
} from "../lib/report.js";
import { type Bench, openBench, withApi } from "../lib/scenario.js";
import { finish, heldAtRateAndBelow, type Target } from "../lib/verdict.js";

const DEFAULT_CHANGES_PER_SECOND = 100;
const CHANGE_TICK_MS = 20;
const FULL_SUBSCRIBERS = [1_000, 5_000];
const QUICK_SUBSCRIBERS = [100, 500];
const CONNECT_BATCH = 250;
// Deliveries of changes made at the end of a phase still arrive after it: wait for them.
const TAIL_MS = 1_500;
/** The targets (docs/benchmarks.md), at 5,000 subscribers and every count below: p99 < 300 ms… */
const TARGET_P99_MS = 300;
const TARGET_SUBSCRIBERS = 5_000;
/** …and ≤ 1.1 × the bare `ws` broadcast's CPU per delivery of the same bytes, measured in the same run. */
const TARGET_CPU_RATIO = 1.1;

export const usage = `Usage: pnpm bench fanout [options]

Prepares the database frontrow_bench (BENCH_DATABASE_URL overrides) and starts the built API (instance A).
This process plays a second instance (B): it changes random stadium seats in Postgres, ${DEFAULT_CHANGES_PER_SECOND}
a second (BENCH_FANOUT_CHANGES overrides), and reports them to its own SeatMapLive, which coalesces and publishes
deltas through Redis, exactly as the holds service of another instance would. Then, for ${FULL_SUBSCRIBERS.map(integer).join(" and ")}
graphql-ws subscribers of seatMapChanged on A, it measures deliveries/s, change-to-client latency
(from the commit on B to the subscriber's socket), gaps, executions per delta, memory per subscriber, CPU
per delivery by process and the API's event-loop delay. The reference: a bare \`ws\` server in a process of
its own broadcasts the same messages, at the same rate, to as many sockets; its CPU per delivery over the
API's is the ratio the target bounds.

Targets, at ${integer(TARGET_SUBSCRIBERS)} subscribers and every count below: p99 < ${TARGET_P99_MS} ms; API CPU per delivery ≤ ${TARGET_CPU_RATIO} × the
bare broadcast's.

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
  latencyMs: Percentiles;
  gaps: number;
  errors: number;
  executionsPerDelta: number;
  memoryPerSubscriber: { rssBytes: number; heapBytes: number };
  /** CPU per delivery by process, and the API's event loop. */
  cost: StepCost;
  /** The bare `ws` broadcast of the same messages, at the same rate, to as many sockets. */
  bare: { deliveries: number; cost: StepCost; reference: Reference };
  /** The API's CPU per delivery over the bare broadcast's. */
  cpuRatio: number;
  pass: boolean;
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

  size(): number {
    return this.sockets.length;
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

/** Latency samples of the deltas seen in the measured window: one per changed seat per subscriber. */
class LatencyRecorder {
  private readonly histogram = latencyHistogram();
  private readonly changeTimesByVersion = new Map<number, number[]>();
  private window: { from: number; to: number } | undefined;
  deliveries = 0;
  /** Deltas with changes made in the window. */
  readonly versions = new Set<number>();
  /** Every delta received while measuring, as a subscriber got it: the bare broadcast sends the same. */
  readonly messages = new Map<number, string>();

  constructor(private readonly changedAt: Map<number, number>) {}

  start(from: number, to: number): void {
    this.histogram.reset();
    this.changeTimesByVersion.clear();
    this.versions.clear();
    this.messages.clear();
    this.deliveries = 0;
    this.window = { from, to };
  }

  stop(): void {
    this.window = undefined;
  }

  record(version: number, message: string, receivedAt: number): void {
    const window = this.window;
    if (!window) return;
    let changeTimes = this.changeTimesByVersion.get(version);
    if (!changeTimes) {
      this.messages.set(version, message);
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
    for (const changedAt of changeTimes) recordMs(this.histogram, receivedAt - changedAt);
  }

  latencyMs(): Percentiles {
    return percentilesMs(this.histogram);
  }

  /** The deltas received in the window, in version order. */
  received(): string[] {
    return [...this.messages.entries()].sort(([a], [b]) => a - b).map(([, message]) => message);
  }
}

/**
 * The reference for `subscribers` sockets: the bare `ws` server sends `messages` to as many sockets of its
 * own, at the rate the API sent them, and the meter reads its CPU per delivery.
 */
async function bareBroadcast(
  server: BareWsServer,
  fans: Fans,
  counter: { deliveries: number },
  meter: Meter,
  messages: string[],
  perSecond: number,
): Promise<PhaseResult["bare"]> {
  counter.deliveries = 0;
  const expected = messages.length * fans.size();
  const mark = await meter.start();
  await server.broadcast(messages, perSecond);
  const deadline = performance.now() + 10_000;
  while (counter.deliveries < expected && performance.now() < deadline) await sleep(20);
  const cost = await meter.stop(mark, counter.deliveries);
  return {
    deliveries: counter.deliveries,
    cost,
    reference: {
      name: "bare ws",
      value: cost.msPerOperation.server ?? Number.NaN,
      unit: "ms of CPU per delivery",
    },
  };
}

async function measurePhases(
  bench: Bench,
  api: RunningApi,
  meter: Meter,
  subscriberCounts: number[],
  changesPerSecond: number,
  settings: LoadSettings,
): Promise<PhaseResult[]> {
  const parts = await seatMapWriterParts();
  const db: Db = parts.createPrisma(bench.databaseUrl, { poolSize: 4 });
  const pool = parts.createSqlPool(bench.databaseUrl, { max: 2, onIdleError: () => {} });
  const pubSub = parts.createPubSub(
    { url: redisUrl(), keyPrefix: api.redisKeyPrefix, commandTimeoutMs: 1_000 },
    parts.createLogger("warn", { role: "bench instance B" }),
  );
  const writer: SeatMapLive = new parts.SeatMapLive(
    db,
    pubSub,
    new parts.SeatingService(db, pool),
    parts.createLogger("warn"),
    parts.createMetrics(),
    { coalesceMs: 100 },
  );
  const bare = await BareWsServer.start();
  const results: PhaseResult[] = [];
  let fans: Fans | undefined;
  let bareFans: Fans | undefined;
  let changer: SeatChanger | undefined;
  let holdId: string | undefined;
  try {
    const { slugs } = await seededEvents();
    const event = (
      await bench.db.query<{ id: number; name: string }>("SELECT id, name FROM event WHERE slug = $1", [
        slugs.stadiumOnSale,
      ])
    ).rows[0];
    if (!event) throw new Error(`The seed has no event "${slugs.stadiumOnSale}"`);
    const seatIds = await eventSeatIds(bench.db, event.id);
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
      `Event ${event.id} "${event.name}": ${integer(seatIds.length)} seats, ${changesPerSecond} changes/s`,
    );
    const activeChanger = new SeatChanger(db, writer, event.id, seatIds, holdId, changesPerSecond);
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
    const bareCounter = { deliveries: 0 };
    bareFans = new Fans(bare.url, subscribeMessage, () => {
      bareCounter.deliveries++;
    });
    const baseline = await scrapeMetrics(api);

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
      const loaded = await scrapeMetrics(api);
      const grew = (name: string) => ((loaded.value(name) ?? 0) - (baseline.value(name) ?? 0)) / subscribers;
      const memoryPerSubscriber = {
        rssBytes: grew("process_resident_memory_bytes"),
        heapBytes: grew("nodejs_heap_size_used_bytes"),
      };
      process.stdout.write(`warm-up ${settings.warmupS} s… `);
      await activeChanger.drive(performance.now() + settings.warmupS * 1000);

      console.log(`measuring ${settings.durationS} s…`);
      const gapsBefore = activeFans.gaps;
      const errorsBefore = activeFans.errors;
      const mark = await meter.start();
      const from = performance.now();
      const to = from + settings.durationS * 1000;
      recorder.start(from, to);
      await activeChanger.drive(to);
      const cost = await meter.stop(mark, recorder.deliveries);
      await sleep(TAIL_MS);
      recorder.stop();
      const executed = (scrapes: typeof cost.metrics.before) =>
        scrapes.reduce(
          (sum, scrape) =>
            sum + (scrape.value("frontrow_subscription_results_total", { source: "executed" }) ?? 0),
          0,
        );
      const received = recorder.received();
      const latencyMs = recorder.latencyMs();
      const gaps = activeFans.gaps - gapsBefore;
      const errors = activeFans.errors - errorsBefore;
      console.log(
        `  API: ${integer(recorder.deliveries / settings.durationS)} deliveries/s, p99 ${milliseconds(latencyMs.p99)} ms, ` +
          `${gaps} gaps, ${errors} errors; ${costLine(cost)}`,
      );
      process.stdout.write(
        `  the bare ws broadcast of the same ${received.length} messages to ${integer(subscribers)} sockets… `,
      );
      await bareFans.grow(subscribers);
      const reference = await bareBroadcast(
        bare,
        bareFans,
        bareCounter,
        meter.serving(bare),
        received,
        received.length / settings.durationS,
      );
      const cpuRatio = ratio(cost.msPerOperation.server ?? Number.NaN, reference.reference);
      console.log(
        `${integer(reference.deliveries)} deliveries; ${costLine(reference.cost, "bare ws")}\n` +
          `  API CPU per delivery ${perOperation(cost.msPerOperation.server)} = ${ratioText(cpuRatio, "bare ws")}`,
      );
      results.push({
        subscribers,
        connectSeconds,
        deltas: recorder.versions.size,
        deliveries: recorder.deliveries,
        deliveriesPerSecond: recorder.deliveries / settings.durationS,
        latencyMs,
        gaps,
        errors,
        executionsPerDelta:
          (executed(cost.metrics.after) - executed(cost.metrics.before)) / Math.max(1, received.length),
        memoryPerSubscriber,
        cost,
        bare: reference,
        cpuRatio,
        pass: latencyMs.p99 < TARGET_P99_MS && cpuRatio <= TARGET_CPU_RATIO && gaps === 0 && errors === 0,
      });
    }
  } finally {
    fans?.close();
    bareFans?.close();
    await bare.stop();
    await changer?.releaseAll().catch(() => undefined);
    await writer.close(5_000);
    if (holdId) await db.hold.delete({ where: { id: holdId } }).catch(() => undefined);
    await db.$disconnect();
    await pool.end();
    pubSub.close();
  }
  return results;
}

export async function run(args: string[]): Promise<number> {
  const { settings, flags } = parseOptions(args, { flags: ["cpu-prof"] });
  const subscriberCounts = settings.quick ? QUICK_SUBSCRIBERS : FULL_SUBSCRIBERS;
  const changesPerSecond = integerOption(
    "BENCH_FANOUT_CHANGES",
    process.env.BENCH_FANOUT_CHANGES,
    DEFAULT_CHANGES_PER_SECOND,
    { min: 1, max: 10_000 },
  );
  const bench = await openBench("fanout", "Seat map fan-out benchmark", settings.quick);
  let results: PhaseResult[];
  try {
    results = await withApi(bench, { cpuProfile: flags["cpu-prof"] === true }, ({ api, meter }) =>
      measurePhases(bench, api, meter, subscriberCounts, changesPerSecond, settings),
    );
  } finally {
    await bench.close();
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
        "RSS/sub",
        "heap/sub",
        ...costHeader,
        "bare ws CPU/op",
        "× bare ws",
        "step",
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
        bytes(Math.round(result.memoryPerSubscriber.rssBytes)),
        bytes(Math.round(result.memoryPerSubscriber.heapBytes)),
        ...costCells(result.cost),
        perOperation(result.bare.cost.msPerOperation.server),
        Number.isFinite(result.cpuRatio) ? result.cpuRatio.toFixed(2) : "?",
        result.pass ? "PASS" : "FAIL",
      ]),
    )}`,
  );
  console.log(
    "\nLatency: from the commit of a seat change on instance B to a subscriber's socket on A (coalescing window " +
      '100 ms included), one sample per changed seat per subscriber. CPU per delivery; "bare ws": a `ws` server in ' +
      "its own process sending the deltas the subscribers received, at the same rate, to as many sockets. " +
      costLegend(bench.machine, "this process: the subscribers, and instance B"),
  );

  const verdict = heldAtRateAndBelow(
    results.map((result) => ({ rate: result.subscribers, pass: result.latencyMs.p99 < TARGET_P99_MS })),
    TARGET_SUBSCRIBERS,
  );
  const cpuVerdict = heldAtRateAndBelow(
    results.map((result) => ({ rate: result.subscribers, pass: result.cpuRatio <= TARGET_CPU_RATIO })),
    TARGET_SUBSCRIBERS,
  );
  const targets: Target[] = [
    {
      name: "latency",
      goal: `p99 < ${TARGET_P99_MS} ms at ${integer(TARGET_SUBSCRIBERS)} subscribers and below`,
      measured: results
        .map((r) => `${milliseconds(r.latencyMs.p99)} ms at ${integer(r.subscribers)}`)
        .join(", "),
      pass: verdict.pass,
    },
    {
      name: "CPU per delivery",
      goal: `≤ ${TARGET_CPU_RATIO} × the bare ws broadcast's, at ${integer(TARGET_SUBSCRIBERS)} subscribers and below`,
      measured: results
        .map(
          (r) =>
            `${perOperation(r.cost.msPerOperation.server)} = ${Number.isFinite(r.cpuRatio) ? r.cpuRatio.toFixed(2) : "?"} × at ${integer(r.subscribers)}`,
        )
        .join(", "),
      pass: cpuVerdict.pass,
    },
  ];
  const problems = results.flatMap((result) =>
    result.gaps || result.errors
      ? [`${result.subscribers} subscribers: ${result.gaps} version gaps, ${result.errors} errors`]
      : [],
  );
  return finish({
    scenario: "fanout",
    startedAt: bench.startedAt,
    quick: settings.quick,
    machine: bench.machine,
    references: results.map((result) => ({
      ...result.bare.reference,
      name: `bare ws, ${result.subscribers} sockets`,
    })),
    targets,
    problems,
    figures: { settings, changesPerSecond, phases: results },
  });
}
