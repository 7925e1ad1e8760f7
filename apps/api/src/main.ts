import cluster from "node:cluster";
import { setPriority } from "node:os";
import { type Config, ConfigError, loadConfig } from "./config.js";
import { createLogger } from "./infra/logger.js";
import { createServer } from "./server.js";

/** A worker that dies is replaced after this pause, so a crash at boot does not spin. */
const RESPAWN_DELAY_MS = 1_000;

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

function onStopSignal(stop: (signal: string) => Promise<void>): void {
  let stopping = false;
  const once = (signal: string) => {
    if (stopping) return;
    stopping = true;
    void stop(signal);
  };
  process.on("SIGTERM", () => once("SIGTERM"));
  process.on("SIGINT", () => once("SIGINT"));
}

/** Niceness of an API_ROLE=worker process: on shared cores the API's processes go first. */
const WORKER_NICENESS = 10;

/**
 * One API process: the whole server (every instance is alike; shared state lives in Postgres and Redis).
 * API_ROLE=worker: the same instance without a port, running the heavy jobs only (infra/jobs.ts).
 */
async function serve(config: Config): Promise<void> {
  if (config.API_ROLE === "worker") setPriority(WORKER_NICENESS);
  const server = await createServer(config);
  if (config.API_ROLE === "worker") {
    server.log.info({ tasks: server.jobs.tasks(), env: config.NODE_ENV }, "Frontrow worker running");
  } else {
    const { port } = await server.listen();
    server.log.info({ port, env: config.NODE_ENV }, `Frontrow API on http://localhost:${port}/graphql`);
  }
  onStopSignal(async (signal) => {
    server.log.info({ signal }, "shutting down");
    await server.close();
    server.log.info("stopped");
    process.exit(0);
  });
}

/**
 * API_WORKERS > 1: this process only keeps that many workers running; they share the port through
 * node:cluster and are separate instances in every other way, as on separate machines.
 */
function supervise(config: Config): void {
  const log = createLogger(config.LOG_LEVEL, { role: "primary" });
  let stopping = false;
  const start = () => {
    cluster.fork();
  };
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    log.error({ pid: worker.process.pid, code, signal }, "API worker died: starting another");
    setTimeout(start, RESPAWN_DELAY_MS);
  });
  for (let index = 0; index < config.API_WORKERS; index++) start();
  log.info({ workers: config.API_WORKERS }, "API workers starting");
  onStopSignal(async (signal) => {
    stopping = true;
    log.info({ signal }, "stopping API workers");
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) process.exit(0);
    for (const worker of workers) worker?.process.kill("SIGTERM");
  });
}

function main(): void {
  const config = configOrExit();
  if (config.API_WORKERS > 1 && cluster.isPrimary) {
    supervise(config);
    return;
  }
  serve(config).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

main();
