import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { Cluster } from "ioredis";
import { freePort } from "./holds.js";

const run = promisify(execFile);

/** A local Redis Cluster of the test's own: three primaries, no replicas, no persistence. */
export interface TestRedisCluster {
  ports: number[];
  /** `redis+cluster://127.0.0.1:<port>,…`, what REDIS_URL says to use a cluster. */
  url: string;
  /** A cluster client without a key prefix, for checks. */
  probe: Cluster;
  dispose(): Promise<void>;
}

async function clusterState(port: number): Promise<string> {
  const { stdout } = await run("redis-cli", ["-p", String(port), "CLUSTER", "INFO"]);
  return /cluster_state:(\w+)/.exec(stdout)?.[1] ?? "unknown";
}

export async function startTestRedisCluster(primaries = 3): Promise<TestRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), "frontrow-redis-cluster-"));
  const ports = await Promise.all(Array.from({ length: primaries }, () => freePort()));
  const children: ChildProcess[] = ports.map((port) =>
    spawn(
      "redis-server",
      [
        ...["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        ...["--cluster-enabled", "yes", "--cluster-config-file", join(dir, `nodes-${port}.conf`)],
        ...["--dir", dir],
      ],
      { stdio: "ignore" },
    ),
  );
  const dispose = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGKILL");
          }),
      ),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      for (let attempt = 0; ; attempt++) {
        const answered = await run("redis-cli", ["-p", String(port), "PING"]).then(
          ({ stdout }) => stdout.trim() === "PONG",
          () => false,
        );
        if (answered) break;
        if (attempt > 50) throw new Error(`redis-server on ${port} did not start`);
        await sleep(100);
      }
    }
    await run("redis-cli", [
      "--cluster",
      "create",
      ...ports.map((port) => `127.0.0.1:${port}`),
      "--cluster-replicas",
      "0",
      "--cluster-yes",
    ]);
    for (let attempt = 0; (await clusterState(ports[0] as number)) !== "ok"; attempt++) {
      if (attempt > 100) throw new Error("the Redis Cluster did not reach cluster_state:ok");
      await sleep(100);
    }
  } catch (error) {
    await dispose();
    throw error;
  }
  const probe = new Cluster(ports.map((port) => ({ host: "127.0.0.1", port })));
  probe.on("error", () => undefined);
  return {
    ports,
    url: `redis+cluster://${ports.map((port) => `127.0.0.1:${port}`).join(",")}`,
    probe,
    dispose: async () => {
      probe.disconnect();
      await dispose();
    },
  };
}

/** A Redis Sentinel of the test's own, watching `primaryPort` under the name `name` (quorum 1). */
export interface TestSentinel {
  port: number;
  /** `redis+sentinel://127.0.0.1:<port>/<name>`. */
  url: string;
  dispose(): Promise<void>;
}

export async function startTestSentinel(primaryPort: number, name = "frontrow"): Promise<TestSentinel> {
  const dir = mkdtempSync(join(tmpdir(), "frontrow-sentinel-"));
  const port = await freePort();
  // Sentinel rewrites its config file: it must be a file of its own.
  const config = join(dir, "sentinel.conf");
  writeFileSync(
    config,
    [
      `port ${port}`,
      "bind 127.0.0.1",
      `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 1`,
      `sentinel down-after-milliseconds ${name} 1000`,
      "",
    ].join("\n"),
  );
  const child = spawn("redis-server", [config, "--sentinel"], { stdio: "ignore" });
  const dispose = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let attempt = 0; ; attempt++) {
      const primary = await run("redis-cli", [
        ...["-p", String(port), "SENTINEL", "get-master-addr-by-name", name],
      ]).then(
        ({ stdout }) => stdout.trim().split("\n"),
        () => [],
      );
      if (primary[1] === String(primaryPort)) break;
      if (attempt > 50) throw new Error("the Sentinel did not name its primary");
      await sleep(100);
    }
  } catch (error) {
    await dispose();
    throw error;
  }
  return { port, url: `redis+sentinel://127.0.0.1:${port}/${name}`, dispose };
}
