import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import {
  type Runner,
  run,
  runMigrations,
  type Task,
  type WorkerEvents,
  Logger as WorkerLogger,
} from "graphile-worker";
import type { Logger } from "./logger.js";
import type { Prisma } from "./prisma.js";

// Durable background work on graphile-worker (docs/architecture.md, "Background work"): jobs live in
// Postgres (schema `graphile_worker`), are added in the same transaction as the change that calls for
// them, survive a crash and are retried. Modules register handlers by task name; every instance runs them,
// except heavy tasks (CPU-bound, such as mail with its PDF) where API_ROLE gives them processes of their own.

/** A job to add: `queueName` runs the jobs of one queue one after another; `jobKey` de-duplicates. */
export interface JobSpec {
  task: string;
  payload: unknown;
  queueName?: string;
  runAt?: Date;
  jobKey?: string;
  maxAttempts?: number;
}

/** Throwing makes graphile-worker retry the job later (exponential backoff, up to its max attempts). */
export type JobHandler = (payload: unknown, job: { id: string; attempts: number }) => Promise<void>;

/**
 * Which registered tasks an instance runs (API_ROLE): `all` of them; `serve`, all but the heavy ones
 * (they wait for a worker); `worker`, only the heavy ones. graphile-worker takes only jobs of the tasks
 * it was given, so a heavy job is never started by an instance that serves the sale.
 */
export type JobsRole = "all" | "serve" | "worker";

export interface JobsOptions {
  databaseUrl: string;
  concurrency: number;
  /** How often idle workers look for jobs that became due (new jobs are announced by NOTIFY at once). */
  pollIntervalMs: number;
  /** A worker of an instance silent this long is dead: its jobs are unlocked for others. */
  staleWorkerMs: number;
  /** Default `all`. */
  role?: JobsRole;
}

const RESTART_DELAY_MS = 2_000;
const LOCAL_QUEUE_SIZE = 50;

/** Creates or updates the `graphile_worker` schema (also run by `pnpm db:migrate` and at start). */
export async function migrateJobs(databaseUrl: string): Promise<void> {
  await runMigrations({ connectionString: databaseUrl, logger: new WorkerLogger(() => () => undefined) });
}

/**
 * Adds jobs inside `tx`: they exist exactly when the transaction commits. Jobs without a `runAt` run
 * from now, each a microsecond after the one before it: graphile-worker orders a queue by run_at alone,
 * so this keeps the jobs of one queue in the order given. A job whose `jobKey` is already queued (and not
 * yet running) is updated in place; `preserveRunAt` then keeps the queued job's time (an earlier wake-up
 * is not pushed back). A running job with the key is left to finish and a new one is added.
 */
export async function enqueueJobs(
  tx: Prisma.TransactionClient,
  jobs: JobSpec[],
  { preserveRunAt = false }: { preserveRunAt?: boolean } = {},
): Promise<void> {
  if (jobs.length === 0) return;
  const specs = jobs.map((job) => ({
    identifier: job.task,
    payload: job.payload ?? {},
    queue_name: job.queueName ?? null,
    run_at: job.runAt?.toISOString() ?? null,
    max_attempts: job.maxAttempts ?? null,
    job_key: job.jobKey ?? null,
  }));
  await tx.$executeRaw`
    SELECT graphile_worker.add_jobs(ARRAY(
      SELECT ROW(s.identifier, s.payload, s.queue_name,
                 coalesce(s.run_at, now() + (n - 1) * interval '1 microsecond'),
                 s.max_attempts, s.job_key, s.priority, s.flags)::graphile_worker.job_spec
      FROM json_populate_recordset(null::graphile_worker.job_spec, ${JSON.stringify(specs)}::json)
           WITH ORDINALITY AS s(identifier, payload, queue_name, run_at, max_attempts, job_key, priority, flags, n)
      ORDER BY n), ${preserveRunAt})`;
}

/**
 * Runs the registered handlers on this instance. graphile-worker leaves a job locked by a crashed
 * process for 4 hours; so each instance records its worker ids with a heartbeat (`job_worker_heartbeat`)
 * and unlocks the jobs of instances whose heartbeat stopped, within `staleWorkerMs`. A pool that fails
 * while this instance lives on leaves its jobs locked too: they are unlocked before the pool restarts.
 */
export class Jobs {
  private readonly handlers = new Map<string, { handler: JobHandler; heavy: boolean }>();
  private readonly instanceId = randomUUID();
  private readonly workerIds = new Set<string>();
  /** The ids of this instance's failed pools that may still lock jobs (and their named queues). */
  private failedWorkerIds: string[] = [];
  private runner: Runner | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private starting: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly db: Prisma.TransactionClient,
    private readonly log: Logger,
    private readonly options: JobsOptions,
  ) {}

  /** `heavy`: CPU-bound work that must not share a process with the sale when API_ROLE splits them. */
  register(task: string, handler: JobHandler, { heavy = false }: { heavy?: boolean } = {}): void {
    if (this.handlers.has(task)) throw new Error(`job task ${task} is registered twice`);
    this.handlers.set(task, { handler, heavy });
  }

  /** The tasks this instance runs (API_ROLE). */
  tasks(): string[] {
    const { role = "all" } = this.options;
    return [...this.handlers]
      .filter(([, { heavy }]) => role === "all" || heavy === (role === "worker"))
      .map(([task]) => task);
  }

  /**
   * Starts the workers (migrating graphile-worker's schema first). Never throws: without Postgres the
   * API still starts (and answers SERVICE_UNAVAILABLE); the workers start when Postgres is back, and
   * start again if their pool fails.
   */
  async start(): Promise<void> {
    this.stopped = false;
    this.starting = this.startRunner().then(
      () => undefined,
      (error: unknown) => {
        this.log.warn({ err: error }, "jobs: could not start the workers; retrying");
        this.retryLater();
      },
    );
    await this.starting;
  }

  private retryLater(): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => void this.start(), RESTART_DELAY_MS);
    this.retryTimer.unref();
  }

  private async startRunner(): Promise<void> {
    await this.unlockFailedWorkers();
    const taskList: Record<string, Task> = {};
    for (const name of this.tasks()) {
      const { handler } = this.handlers.get(name) as { handler: JobHandler };
      taskList[name] = (payload, helpers) =>
        handler(payload, { id: helpers.job.id, attempts: helpers.job.attempts });
    }
    if (Object.keys(taskList).length > 0) await this.startPool(taskList);
    else this.log.info({ role: this.options.role }, "jobs: no task for this instance's role");
    if (this.heartbeat) return;
    const interval = Math.max(Math.floor(this.options.staleWorkerMs / 3), 100);
    this.heartbeat = setInterval(() => {
      this.beating ??= this.beat().finally(() => {
        this.beating = undefined;
      });
    }, interval);
    this.heartbeat.unref();
    await this.beat();
  }

  /**
   * A failed pool's jobs stay locked by its ids: a job whose completion could not be recorded, and the
   * named queue it belongs to (a webhook endpoint's, say), would wait 4 hours. The pool has stopped (its
   * promise settles after its workers have), so nothing of it still runs them.
   */
  private async unlockFailedWorkers(): Promise<void> {
    if (this.failedWorkerIds.length === 0) return;
    await this.db.$executeRaw`SELECT graphile_worker.force_unlock_workers(${this.failedWorkerIds}::text[])`;
    this.log.warn(
      { workers: this.failedWorkerIds.length },
      "jobs: unlocked the jobs of the workers that failed",
    );
    this.failedWorkerIds = [];
  }

  private async startPool(taskList: Record<string, Task>): Promise<void> {
    const log = this.log;
    // Listening before the pool starts: its workers are created while `run()` is still starting.
    const events: WorkerEvents = new EventEmitter();
    // Jobs are locked by a worker's id or, when taken in batches, by its pool's: record both. One pool
    // runs at a time, so these are the running pool's ids.
    events.on("pool:create", ({ workerPool }) => {
      this.workerIds.add(workerPool.id);
    });
    events.on("worker:create", ({ worker }) => {
      this.workerIds.add(worker.workerId);
    });
    events.on("worker:release", ({ worker }) => {
      this.workerIds.delete(worker.workerId);
    });
    this.runner = await run({
      events,
      connectionString: this.options.databaseUrl,
      concurrency: this.options.concurrency,
      // One connection per worker at most, and the LISTEN connection: they are opened only as needed
      // (jobs are fetched and completed in batches, and a worker holds none while a webhook waits), and
      // a pool smaller than the concurrency makes graphile-worker warn at every start. Test servers
      // run two workers (many share one Postgres).
      maxPoolSize: this.options.concurrency + 2,
      pollInterval: this.options.pollIntervalMs,
      // main.ts owns SIGTERM/SIGINT (a graceful stop of the whole server).
      noHandleSignals: true,
      // Fetch jobs in batches and complete them in batches (graphile-worker's "batching"): one round trip
      // for many jobs instead of two per job. Jobs a killed instance had fetched are unlocked with its
      // pool id by the heartbeat below.
      // Failures are batched too, and not only for speed: unbatched, graphile-worker 0.18 records a failed
      // job with a promise nobody awaits, so a connection lost at that moment (Postgres restarting) was an
      // unhandled rejection that killed the API process (found by `pnpm drill`, postgres-restart). Batched,
      // a failure to record goes to the pool's error path: the pool stops and `start` starts it again.
      // A batch that fails with a deadlock or a serialization failure is tried again (graphile-worker 0.18
      // never retried one, graphile/worker#636: patches/graphile-worker@0.18.0.patch), so that a webhook
      // drain's completion meeting the relay's re-queueing of its job does not stop the pool.
      preset: {
        worker: { localQueue: { size: LOCAL_QUEUE_SIZE }, completeJobBatchDelay: 0, failJobBatchDelay: 0 },
      },
      taskList,
      logger: new WorkerLogger((scope) => (level, message, meta) => {
        if (level === "error") log.error({ ...scope, ...meta }, `jobs: ${message}`);
        else if (level === "warning") log.warn({ ...scope, ...meta }, `jobs: ${message}`);
        else log.debug({ ...scope, ...meta }, `jobs: ${message}`);
      }),
    });
    const runner = this.runner;
    // graphile-worker 0.18 resolves the runner's promise when its pool stops on an error (it has logged
    // the error): any end that `stop()` did not ask for is a failure.
    const ended = () => {
      if (this.stopped || this.runner !== runner) return;
      this.log.error("jobs: the workers stopped; starting them again");
      this.runner = undefined;
      this.failedWorkerIds.push(...this.workerIds);
      this.workerIds.clear();
      this.retryLater();
    };
    runner.promise.then(ended, ended);
  }

  /** Records this instance's workers as alive, and frees the jobs of instances that stopped beating. */
  private async beat(): Promise<void> {
    try {
      // A failed pool's ids too, until they are unlocked: if this instance dies first, others unlock them.
      const ids = [...this.workerIds, ...this.failedWorkerIds];
      await this.db.$executeRaw`
        INSERT INTO job_worker_heartbeat (instance_id, worker_ids, seen_at)
        VALUES (${this.instanceId}, ${ids}::text[], now())
        ON CONFLICT (instance_id) DO UPDATE SET worker_ids = EXCLUDED.worker_ids, seen_at = now()`;
      const dead = await this.db.$queryRaw<{ worker_ids: string[] }[]>`
        DELETE FROM job_worker_heartbeat
        WHERE seen_at < now() - make_interval(secs => ${this.options.staleWorkerMs / 1000}::float8)
        RETURNING worker_ids`;
      const orphans = dead.flatMap((row) => row.worker_ids);
      if (orphans.length) {
        await this.db.$executeRaw`SELECT graphile_worker.force_unlock_workers(${orphans}::text[])`;
        this.log.warn({ workers: orphans.length }, "jobs: unlocked the jobs of a stopped instance");
      }
    } catch (error) {
      this.log.warn({ err: error }, "jobs: heartbeat failed");
    }
  }

  /** Lets running jobs finish (graphile-worker's graceful shutdown), then forgets this instance. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    await this.starting;
    await this.beating;
    await this.runner?.stop();
    this.runner = undefined;
    // Its heartbeat goes next: nobody else would unlock a failed pool's jobs.
    await this.unlockFailedWorkers().catch((error: unknown) =>
      this.log.warn({ err: error }, "jobs: could not unlock the jobs of the workers that failed"),
    );
    await this.db.$executeRaw`DELETE FROM job_worker_heartbeat WHERE instance_id = ${this.instanceId}`.catch(
      () => undefined,
    );
  }
}
