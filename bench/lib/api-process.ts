import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { generateSecrets } from "../../apps/api/src/config.js";
import { freePort } from "../../scripts/services/service.js";
import { apiEntry, repoRoot, requireApiBuild } from "./api-build.js";
import { onShutdown } from "./cleanup.js";
import { processTreeCpuSeconds } from "./cpu.js";
import { httpRequest } from "./http.js";
import { NO_REQUEST_BUDGET } from "./rate-limits.js";

/** A shared, loaded machine has taken more than 30 s to boot the API. */
const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 10_000;
const REDIS_GRACE_MS = 5_000;

export interface RunningApi {
  baseUrl: URL;
  graphqlUrl: URL;
  /** Whether /readyz saw Redis up ("ready") or down ("degraded": the API still serves). */
  readiness: string;
  /** API processes serving the port (API_WORKERS). */
  workers: number;
  /** The API's Redis key and channel prefix, for a scenario that plays a second instance. */
  redisKeyPrefix: string;
  /** CPU time the API process has used so far, in seconds; undefined where /proc is not available. */
  cpuSeconds(): number | undefined;
  /** The API process, for a drill that freezes (SIGSTOP) or kills it. */
  pid: number | undefined;
  /** Resolves when the process has exited, however it ended. */
  exited: Promise<void>;
  stop(): Promise<void>;
}

export interface ApiOptions {
  databaseUrl: string;
  /** Extra flags for node itself, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  /** Extra environment for the API, e.g. a login rate limit a scenario's many accounts would trip. */
  env?: Record<string, string>;
  /** Where its output lines go (default: this process's stderr, prefixed). */
  onOutput?: (line: string) => void;
  /** Instances of one deployment share a key prefix (default: one per bench process). */
  redisKeyPrefix?: string;
}

const toStderr = (line: string) => console.error(`  api │ ${line}`);

function forwardOutput(child: ChildProcess, onOutput: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on("line", onOutput);
  }
}

/**
 * Polls /readyz until the API answers 200 and, for up to REDIS_GRACE_MS more, until it has connected to
 * Redis too (it answers "degraded" until then): the status it settles on.
 */
async function waitUntilReady(child: ChildProcess, baseUrl: URL): Promise<string> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let degradedSince: number | undefined;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `The API exited before it was ready (code ${child.exitCode}, signal ${child.signalCode})`,
      );
    }
    const response = await httpRequest(new URL("/readyz", baseUrl), { timeoutMs: 2_000 }).catch(
      () => undefined,
    );
    if (response?.status === 200) {
      const { status = "unknown" } = JSON.parse(response.body.toString("utf8")) as { status?: string };
      degradedSince ??= Date.now();
      if (status !== "degraded" || Date.now() - degradedSince > REDIS_GRACE_MS) return status;
    }
    await sleep(100);
  }
  throw new Error(`The API was not ready within ${READY_TIMEOUT_MS / 1000} s`);
}

/** How the API under test runs, for the bench's header. */
export function apiSummary(api: RunningApi): string {
  return `NODE_ENV=production, API_WORKERS=${api.workers}, Redis ${api.readiness}`;
}

const runSecrets = generateSecrets();

/** Starts the built API on a free local port, as in production, and waits until /readyz says so. */
export async function startApi({
  databaseUrl,
  nodeArgs = [],
  env = {},
  onOutput = toStderr,
  // Keys of this run apart from any other user of the same Redis.
  redisKeyPrefix = `bench:${process.pid}:`,
}: ApiOptions): Promise<RunningApi> {
  requireApiBuild();
  const port = await freePort();
  const { child, exited, stop } = spawnApiProcess(nodeArgs, {
    HOST: "127.0.0.1",
    PORT: String(port),
    DATABASE_URL: databaseUrl,
    REDIS_KEY_PREFIX: redisKeyPrefix,
    ...env,
  });
  forwardOutput(child, onOutput);

  const baseUrl = new URL(`http://127.0.0.1:${port}`);
  try {
    const readiness = await waitUntilReady(child, baseUrl);
    return {
      workers: Number(env.API_WORKERS ?? process.env.API_WORKERS ?? 1),
      baseUrl,
      graphqlUrl: new URL("/graphql", baseUrl),
      readiness,
      redisKeyPrefix,
      cpuSeconds: () => processTreeCpuSeconds(child.pid),
      pid: child.pid,
      exited,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The built API as the bench runs it (production, the run's secrets, mail off unless `env` says). */
function spawnApiProcess(nodeArgs: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [...nodeArgs, apiEntry], {
    cwd: repoRoot,
    env: {
      ...process.env,
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      SHUTDOWN_GRACE_MS: "2000",
      ...NO_REQUEST_BUDGET,
      // Production refuses the development secrets; the run's instances share these.
      ...runSecrets,
      // Production needs SMTP_URL: mail is off unless a scenario starts a maildev (pnpm bench mail).
      SMTP_URL: "off",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = onShutdown(
    async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const stopped = await Promise.race([exited.then(() => true), sleep(STOP_TIMEOUT_MS, false)]);
      if (!stopped) {
        child.kill("SIGKILL");
        await exited;
      }
    },
    () => child.kill("SIGKILL"),
  );
  return { child, exited, stop };
}

export interface RunningWorker {
  pid: number | undefined;
  /** CPU time the worker has used so far, in seconds. */
  cpuSeconds(): number | undefined;
  /** Its peak resident memory so far (VmHWM), in MB. */
  peakRssMb(): number;
  stop(): Promise<void>;
}

/** What a bench reads of its mail workers while they run (withApi starts and stops them). */
export type WorkerUsage = Pick<RunningWorker, "cpuSeconds" | "peakRssMb">;

/** Several workers read as one: their CPU summed, the highest peak memory of any one of them. */
export function workerGroup(workers: RunningWorker[]): WorkerUsage {
  return {
    cpuSeconds: () => {
      const each = workers.map((worker) => worker.cpuSeconds());
      return each.some((seconds) => seconds === undefined)
        ? undefined
        : each.reduce<number>((sum, seconds) => sum + (seconds ?? 0), 0);
    },
    peakRssMb: () => Math.max(0, ...workers.map((worker) => worker.peakRssMb())),
  };
}

/** Peak resident memory of a process (Linux VmHWM), in MB; NaN where /proc is not available. */
export function peakRssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
  } catch {
    return Number.NaN;
  }
}

const WORKER_READY_LINE = "Frontrow worker running";

/**
 * An API_ROLE=worker process beside an API_ROLE=serve one (docs/notifications.md, "Off the sale's
 * path"): the same build and environment, no port; resolves once its job workers run.
 */
export async function startWorker({
  databaseUrl,
  nodeArgs = [],
  env = {},
  onOutput = toStderr,
  redisKeyPrefix = `bench:${process.pid}:`,
}: ApiOptions): Promise<RunningWorker> {
  requireApiBuild();
  const { child, exited, stop } = spawnApiProcess(nodeArgs, {
    DATABASE_URL: databaseUrl,
    REDIS_KEY_PREFIX: redisKeyPrefix,
    ...env,
    API_ROLE: "worker",
    // Info, to see it start; only its warnings are shown.
    LOG_LEVEL: "info",
  });
  const ready = new Promise<void>((resolve) => {
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on("line", (line) => {
        if (line.includes(WORKER_READY_LINE)) resolve();
        else if (/"level":"(warn|error|fatal)"/.test(line)) onOutput(`worker │ ${line}`);
      });
    }
  });
  const started = await Promise.race([
    ready.then(() => true),
    exited.then(() => false),
    sleep(READY_TIMEOUT_MS, false),
  ]);
  if (!started) {
    await stop();
    throw new Error(`The worker did not start within ${READY_TIMEOUT_MS / 1000} s`);
  }
  return {
    pid: child.pid,
    cpuSeconds: () => processTreeCpuSeconds(child.pid),
    peakRssMb: () => peakRssMb(child.pid),
    stop,
  };
}
