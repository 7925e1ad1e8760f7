import { performance } from "node:perf_hooks";
import {
  type EventLoopDelay,
  eventLoopDelay,
  type MetricsScrape,
  scrapeEveryProcess,
} from "./api-metrics.js";
import type { RunningApi } from "./api-process.js";
import { machineCpuSeconds, parentPid, processCpuSeconds, processTreeCpuSeconds } from "./cpu.js";
import type { PgClient } from "./pg.js";
import { type BenchRedis, redisCpuSeconds } from "./redis.js";

// What a step cost, and who paid: CPU time per process (from /proc) over the step, and the API's
// event-loop delay during it (from its /metrics). On a 2-core machine shared by the API, Postgres, Redis
// and the load generator, a rate means little without the CPU it took.

/** CPU time in cores busy (1 = one core all along), or seconds per operation; undefined where unknown. */
export interface ByProcess {
  /** The server under test: the API (all its processes with API_WORKERS > 1), or a reference server. */
  server: number | undefined;
  /**
   * The postmaster and every process it started (backends, auxiliary processes, autovacuum workers), those
   * that exited during the step included; less the live backends of other databases (other work).
   */
  postgres: number | undefined;
  redis: number | undefined;
  /** This process: the load generator (and whatever else the scenario runs in it). */
  generator: number;
}

export interface StepCost {
  /** Whether a server's CPU was read (the API, a reference server); false for work done in this process. */
  served: boolean;
  seconds: number;
  operations: number;
  cores: ByProcess & {
    /** Everything else on the machine: other work sharing it, the kernel's softirqs. High: figures skewed. */
    other: number | undefined;
  };
  /** CPU milliseconds per operation, by process. */
  msPerOperation: ByProcess;
  /** The API's event loop during the step; undefined when no API served it. */
  eventLoop: EventLoopDelay | undefined;
  /** The API's /metrics at the start and the end of the step, one scrape per process. */
  metrics: { before: MetricsScrape[]; after: MetricsScrape[] };
}

interface CpuReading {
  wallMs: number;
  server: number | undefined;
  generator: number;
  machine: number | undefined;
  /** The postmaster's tree, in seconds. */
  postgres: number | undefined;
  /** Live backends of other databases: their CPU is not this benchmark's. */
  otherDatabases: Map<number, number>;
  redis: number | undefined;
}

export interface MeterMark {
  cpu: CpuReading;
  metrics: MetricsScrape[];
}

/** A process whose CPU time the meter reads: the API, or a reference server. */
export interface MeteredServer {
  cpuSeconds(): number | undefined;
}

export class Meter {
  /**
   * `db` is a connection to the bench database (to find the postmaster and other databases' backends),
   * `redis` one to the Redis server (INFO cpu); `server` may be left out (nothing served), and `api` gives
   * the event-loop delay.
   */
  constructor(
    private readonly db: PgClient,
    private readonly redis: BenchRedis | undefined,
    private readonly server: MeteredServer | undefined,
    private readonly api: RunningApi | undefined = undefined,
  ) {}

  /** The same meter, for steps served by `server` (a reference) rather than the API. */
  serving(server: MeteredServer | undefined): Meter {
    return new Meter(this.db, this.redis, server, undefined);
  }

  /** The same meter for `api`: its CPU and event loop. */
  forApi(api: RunningApi): Meter {
    return new Meter(this.db, this.redis, api, api);
  }

  async start(): Promise<MeterMark> {
    // The scrape first: it starts the span of the event-loop figures, and costs the API a little.
    const metrics = this.api ? await scrapeEveryProcess(this.api) : [];
    return { metrics, cpu: await this.readCpu() };
  }

  async stop(mark: MeterMark, operations: number): Promise<StepCost> {
    const cpu = await this.readCpu();
    const metrics = this.api ? await scrapeEveryProcess(this.api) : [];
    const seconds = (cpu.wallMs - mark.cpu.wallMs) / 1000;
    const spent = (before: number | undefined, after: number | undefined) =>
      before === undefined || after === undefined ? undefined : after - before;
    let otherDatabases = 0;
    for (const [pid, total] of cpu.otherDatabases) {
      otherDatabases += total - (mark.cpu.otherDatabases.get(pid) ?? 0);
    }
    const postgres = spent(mark.cpu.postgres, cpu.postgres);
    const cpuSeconds: ByProcess = {
      server: spent(mark.cpu.server, cpu.server),
      postgres: postgres === undefined ? undefined : Math.max(0, postgres - otherDatabases),
      redis: spent(mark.cpu.redis, cpu.redis),
      generator: cpu.generator - mark.cpu.generator,
    };
    const machine = spent(mark.cpu.machine, cpu.machine);
    const known =
      cpuSeconds.generator + (cpuSeconds.server ?? 0) + (cpuSeconds.postgres ?? 0) + (cpuSeconds.redis ?? 0);
    const perSecond = (value: number | undefined) => (value === undefined ? undefined : value / seconds);
    const perOperation = (value: number | undefined) =>
      value === undefined || operations <= 0 ? undefined : (value * 1000) / operations;
    const cost: Omit<StepCost, "metrics"> = {
      served: this.server !== undefined,
      seconds,
      operations,
      cores: {
        server: perSecond(cpuSeconds.server),
        postgres: perSecond(cpuSeconds.postgres),
        redis: perSecond(cpuSeconds.redis),
        generator: cpuSeconds.generator / seconds,
        other: machine === undefined ? undefined : Math.max(0, machine - known) / seconds,
      },
      msPerOperation: {
        server: perOperation(cpuSeconds.server),
        postgres: perOperation(cpuSeconds.postgres),
        redis: perOperation(cpuSeconds.redis),
        generator: perOperation(cpuSeconds.generator) ?? Number.NaN,
      },
      eventLoop: eventLoopDelay(metrics),
    };
    // Not enumerable: the scrapes stay out of the results files.
    return Object.defineProperty(cost, "metrics", {
      value: { before: mark.metrics, after: metrics },
    }) as StepCost;
  }

  /** Measures `work`, which returns how many operations it did. */
  async measure<T extends { operations: number }>(work: () => Promise<T>): Promise<T & { cost: StepCost }> {
    const mark = await this.start();
    const result = await work();
    return { ...result, cost: await this.stop(mark, result.operations) };
  }

  private postmaster: Promise<number | undefined> | undefined;

  /** The postmaster: the parent of this meter's backend (undefined when Postgres runs elsewhere). */
  private postmasterPid(): Promise<number | undefined> {
    this.postmaster ??= this.db
      .query<{ pid: number }>("SELECT pg_backend_pid() AS pid")
      .then(({ rows }) => (rows[0] ? parentPid(rows[0].pid) : undefined));
    return this.postmaster;
  }

  private async readCpu(): Promise<CpuReading> {
    const { rows } = await this.db.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
       WHERE backend_type = 'client backend' AND datname IS DISTINCT FROM current_database()`,
    );
    const otherDatabases = new Map<number, number>();
    for (const { pid } of rows) {
      const seconds = processCpuSeconds(pid);
      if (seconds !== undefined) otherDatabases.set(pid, seconds);
    }
    const redis = this.redis ? await redisCpuSeconds(this.redis).catch(() => undefined) : undefined;
    const own = process.cpuUsage();
    return {
      wallMs: performance.now(),
      server: this.server?.cpuSeconds(),
      generator: (own.user + own.system) / 1e6,
      machine: machineCpuSeconds(),
      postgres: processTreeCpuSeconds(await this.postmasterPid()),
      otherDatabases,
      redis,
    };
  }
}

/** CPU milliseconds per operation of the API and Postgres together: what the hold and checkout targets bound. */
export function serverAndPostgresMs(cost: StepCost): number | undefined {
  const { server, postgres } = cost.msPerOperation;
  return server === undefined || postgres === undefined ? undefined : server + postgres;
}
