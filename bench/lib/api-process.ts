import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { generateSecrets } from "../../apps/api/src/config.js";
import { freePort } from "../../scripts/services/service.js";
import { apiEntry, repoRoot, requireApiBuild } from "./api-build.js";
import { onShutdown } from "./cleanup.js";
import { processTreeCpuSeconds } from "./cpu.js";
import { httpRequest } from "./http.js";
import { NO_REQUEST_BUDGET } from "./rate-limits.js";

const READY_TIMEOUT_MS = 30_000;
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
  const child = spawn(process.execPath, [...nodeArgs, apiEntry], {
    cwd: repoRoot,
    env: {
      ...process.env,
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      REDIS_KEY_PREFIX: redisKeyPrefix,
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
  forwardOutput(child, onOutput);

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
