import { join } from "node:path";
import { benchDatabaseUrl, prepareDatabase, requireApiBuild, SetupError } from "./api-build.js";
import {
  apiSummary,
  type RunningApi,
  type RunningWorker,
  startApi,
  startWorker,
  type WorkerUsage,
  workerGroup,
} from "./api-process.js";
import { Meter } from "./meter.js";
import { connectPg, lockScenario, type PgClient } from "./pg.js";
import { type BenchRedis, connectRedis, dropKeys } from "./redis.js";
import { fileStamp, type MachineInfo, machineInfo, resultsDir } from "./report.js";

// What every scenario does before and around its measurements.

export interface Bench {
  scenario: string;
  startedAt: Date;
  /** Taken before the run: a load average above zero here means other work shares the CPUs. */
  machine: MachineInfo;
  databaseUrl: string;
  /** A connection to the bench database, holding the scenario's lock. */
  db: PgClient;
  /** A connection to the API's Redis, without a key prefix. */
  redis: BenchRedis;
  /** CPU of Postgres, Redis and this process; `meter.forApi(api)` adds the API's CPU and event loop. */
  meter: Meter;
  close(): Promise<void>;
}

/**
 * Prints the run's header, migrates and seeds the bench database (`BENCH_DATABASE_URL`, else
 * `frontrow_bench`), and takes the scenario's lock on it: two runs of one scenario would undo each other.
 */
export async function openBench(scenario: string, title: string, quick: boolean): Promise<Bench> {
  requireApiBuild();
  const startedAt = new Date();
  const machine = machineInfo();
  const databaseUrl = benchDatabaseUrl();
  const databaseName = new URL(databaseUrl).pathname.slice(1);
  console.log(
    `${title}${quick ? " (quick smoke run: figures are indicative only)" : ""}: ${machine.cpus} cores, ` +
      `load average ${machine.loadAverage1m} before the run, node ${machine.node}`,
  );
  process.stdout.write(`Preparing database ${databaseName} (migrate, seed)… `);
  const preparation = await prepareDatabase(databaseUrl);
  console.log(`done in ${((preparation.migrateMs + preparation.seedMs) / 1000).toFixed(1)} s`);
  const db = await connectPg(databaseUrl, `bench-${scenario}`);
  if (!(await lockScenario(db, scenario))) {
    await db.end();
    throw new SetupError(
      `Another \`pnpm bench ${scenario}\` is running against ${databaseName}: wait for it.`,
    );
  }
  const redis = await connectRedis(scenario);
  const meter = new Meter(db, redis, undefined);
  return {
    scenario,
    startedAt,
    machine,
    databaseUrl,
    db,
    redis,
    meter,
    close: async () => {
      redis.disconnect();
      await db.end();
    },
  };
}

export interface ApiRun {
  api: RunningApi;
  /** The meter with the API's CPU and event loop. */
  meter: Meter;
  /** The API_ROLE=worker processes that send the mail (`mailWorkers` of them), read as one. */
  worker?: WorkerUsage;
}

/**
 * Starts the built API (as in production, its own Redis key prefix), runs `work` with it, then stops it
 * and deletes the run's Redis keys. `cpuProfile` profiles the API (node --cpu-prof) into bench/results/.
 */
export async function withApi<T>(
  bench: Bench,
  {
    env = {},
    cpuProfile = false,
    mailWorkers = 0,
  }: { env?: Record<string, string>; cpuProfile?: boolean; mailWorkers?: number },
  work: (run: ApiRun) => Promise<T>,
): Promise<T> {
  const profile = `${bench.scenario}-${fileStamp(bench.startedAt)}-api.cpuprofile`;
  const profiled = (name: string) =>
    cpuProfile ? ["--cpu-prof", `--cpu-prof-dir=${resultsDir}`, `--cpu-prof-name=${name}`] : [];
  const api = await startApi({
    databaseUrl: bench.databaseUrl,
    nodeArgs: profiled(profile),
    // mailWorkers: the API serves and plans mail; worker processes of their own send it (as in production).
    env: mailWorkers > 0 ? { ...env, API_ROLE: "serve" } : env,
  });
  const workers: RunningWorker[] = [];
  const workerProfile = (n: number) => profile.replace("-api.", `-worker${n}.`);
  try {
    console.log(`API at ${api.graphqlUrl} (${apiSummary(api)})`);
    for (let n = 1; n <= mailWorkers; n++) {
      const worker = await startWorker({
        databaseUrl: bench.databaseUrl,
        nodeArgs: profiled(workerProfile(n)),
        env,
        redisKeyPrefix: api.redisKeyPrefix,
      });
      workers.push(worker);
      console.log(`Mail worker ${n} (API_ROLE=worker, pid ${worker.pid}) running`);
    }
    const worker = workers.length > 0 ? workerGroup(workers) : undefined;
    return await work({ api, meter: bench.meter.forApi(api), worker });
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
    await api.stop();
    await dropKeys(bench.redis, api.redisKeyPrefix).catch((error: Error) =>
      console.error(`  (the run's Redis keys were not all deleted: ${error.message})`),
    );
    if (cpuProfile) console.log(`API CPU profile: ${join(resultsDir, profile)} (open in Chrome DevTools)`);
    if (cpuProfile)
      for (let n = 1; n <= mailWorkers; n++) console.log(`Worker CPU profile: ${workerProfile(n)}`);
  }
}

/** A password no one could guess, for a run's bench accounts. */
export const runPassword = (bench: Bench) =>
  `bench-${bench.startedAt.getTime().toString(36)}-${Math.random().toString(36).slice(2)}`;
