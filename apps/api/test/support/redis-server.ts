import { type ChildProcess, spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { freePort } from "./holds.js";

/**
 * A redis-server of the test's own, on a port of its own, that the test may stall (SIGSTOP), kill
 * (SIGKILL) and start again, always empty (no RDB, no AOF): what Redis losing everything looks like.
 */
export interface TestRedis {
  port: number;
  url: string;
  /** Connected to this server, for checks; survives its restarts. */
  probe: Redis;
  process(): ChildProcess | undefined;
  start(): Promise<void>;
  /** SIGKILL, and waits for the process to exit. */
  kill(): Promise<void>;
  /** Kills the server and disconnects the probe. */
  dispose(): Promise<void>;
}

export async function startTestRedis(): Promise<TestRedis> {
  const port = await freePort();
  const probe = new Redis({
    port,
    host: "127.0.0.1",
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => 100,
  });
  probe.on("error", () => undefined);
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    for (let attempt = 0; attempt < 50; attempt++) {
      const answered = await probe.ping().then(
        () => true,
        () => false,
      );
      if (answered) return;
      await sleep(100);
    }
    throw new Error("redis-server did not start");
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGKILL");
    await exited;
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    probe,
    process: () => child,
    start,
    kill,
    dispose: async () => {
      probe.disconnect();
      await kill();
    },
  };
}
