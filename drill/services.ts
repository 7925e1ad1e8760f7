// The drill's own Postgres and Redis: children of this process on free ports, data in a temporary folder,
// so that killing, stalling and restarting them harms nobody else on the machine.
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { onShutdown } from "../bench/lib/cleanup.js";
import { connectPg, type PgClient } from "../bench/lib/pg.js";
import { freePort } from "../scripts/services/service.js";

/** Sends `signal` to `child` (if any) and resolves once it has exited (at once if it already had). */
function signalAndWait(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  return exited;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what} within ${timeoutMs / 1000} s`);
}

// ---------------------------------------------------------------------------------------------------
// Postgres: the machine's initdb and postgres (Debian's /usr/lib/postgresql/<version>/bin)

function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(join(root, name, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0]) throw new Error(`No PostgreSQL server under ${root} (apt-get install postgresql)`);
  return join(root, versions[0], "bin");
}

/** PostgreSQL refuses to run as root: as root it runs in a user namespace where it is `nobody`. */
function asNonRoot(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  const namespace = ["--user", "--map-user=65534", "--map-group=65534"];
  if (spawnSync("unshare", [...namespace, "true"], { stdio: "ignore" }).status !== 0)
    throw new Error("Running as root without util-linux unshare: run the drill as another user");
  return ["unshare", [...namespace, command, ...args]];
}

export interface DrillPostgres {
  url: string;
  /** `pg_ctl stop -m immediate` (SIGQUIT: no checkpoint, crash recovery at start), then start again. */
  restartImmediate(): Promise<void>;
  stop(): Promise<void>;
}

export async function startPostgres(dir: string): Promise<DrillPostgres> {
  const bin = postgresBin();
  const data = join(dir, "postgres");
  const [initdb, initArgs] = asNonRoot(join(bin, "initdb"), [
    ...["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
  ]);
  execFileSync(initdb, initArgs, { stdio: "ignore" });
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    // fsync off: a drill's data need not survive the machine, and an immediate stop is still a crash.
    const flags = ["-D", data, "-p", String(port), "-c", "listen_addresses=127.0.0.1"];
    const settings = ["unix_socket_directories=", "fsync=off", "max_connections=200"];
    const [command, args] = asNonRoot(join(bin, "postgres"), [
      ...flags,
      ...settings.flatMap((s) => ["-c", s]),
    ]);
    child = spawn(command, args, { stdio: "ignore" });
    const admin = `postgresql://postgres@127.0.0.1:${port}/postgres`;
    await until(
      "PostgreSQL did not answer",
      async () => {
        const db = await connectPg(admin, "drill-probe");
        await db.end();
        return true;
      },
      60_000,
    );
  };
  const kill = (signal: NodeJS.Signals) => signalAndWait(child, signal);
  await start();
  const admin = await connectPg(`postgresql://postgres@127.0.0.1:${port}/postgres`, "drill-setup");
  await admin.query("CREATE DATABASE frontrow");
  await admin.end();
  const stop = onShutdown(
    () => kill("SIGINT"),
    () => child?.kill("SIGKILL"),
  );
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/frontrow`,
    restartImmediate: async () => {
      await kill("SIGQUIT");
      await start();
    },
    stop,
  };
}

// ---------------------------------------------------------------------------------------------------
// Redis: the machine's redis-server, no persistence (a restart is empty, as after losing the machine)

export interface DrillRedis {
  url: string;
  port: number;
  /** SIGKILL, then a new empty server on the same port. */
  killAndRestartEmpty(): Promise<void>;
  /** `CLIENT PAUSE ms ALL`: every client's commands wait. */
  pause(ms: number): Promise<void>;
  stop(): Promise<void>;
}

function redisCli(port: number, ...args: string[]): string {
  return execFileSync("redis-cli", ["-p", String(port), ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  }).trim();
}

export async function startRedis(): Promise<DrillRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
    child = spawn("redis-server", args, { stdio: "ignore" });
    await until("redis-server did not answer", async () => redisCli(port, "PING") === "PONG", 10_000);
  };
  const kill = (signal: NodeJS.Signals) => signalAndWait(child, signal);
  await start();
  const stop = onShutdown(
    () => kill("SIGTERM"),
    () => child?.kill("SIGKILL"),
  );
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    killAndRestartEmpty: async () => {
      await kill("SIGKILL");
      await start();
    },
    pause: async (ms) => {
      redisCli(port, "CLIENT", "PAUSE", String(ms), "ALL");
    },
    stop,
  };
}

/**
 * A Postgres connection for the drill's own queries that survives the restarts it causes: a query that
 * finds the connection broken reconnects once and runs again.
 */
export async function reconnectingPg(url: string, name: string): Promise<PgClient> {
  let client = await connectPg(url, name);
  const query: PgClient["query"] = async (text, values) => {
    try {
      return await client.query(text, values);
    } catch (error) {
      if (!/not queryable|terminat|ECONNRE|Connection/i.test(String(error))) throw error;
      client.end().catch(() => undefined);
      client = await connectPg(url, name);
      return client.query(text, values);
    }
  };
  return { query, end: () => client.end() };
}
