import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

// The benchmarks run the API as built by `pnpm build`: the code that ships, compiled by tsc.

export const repoRoot = resolve(import.meta.dirname, "../..");
const apiDist = resolve(repoRoot, "apps/api/dist/src");
export const apiEntry = resolve(apiDist, "main.js");

/** A module of the built API, e.g. `importApiModule<typeof import("…/x.js")>("infra/x.js")`. */
export async function importApiModule<TModule>(path: string): Promise<TModule> {
  requireApiBuild();
  return (await import(pathToFileURL(resolve(apiDist, path)).href)) as TModule;
}

export class SetupError extends Error {}

export function requireApiBuild(): void {
  if (!existsSync(apiEntry)) {
    throw new SetupError(`The API is not built (${apiEntry} is missing): run \`pnpm build\` first.`);
  }
}

/** `BENCH_DATABASE_URL`, else the database `frontrow_bench` on the server of `DATABASE_URL` (or the default). */
export function benchDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BENCH_DATABASE_URL) return env.BENCH_DATABASE_URL;
  const url = new URL(env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/frontrow");
  url.pathname = "/frontrow_bench";
  return url.toString();
}

/** Runs one of the API's compiled CLIs; its output is shown only when it fails. */
function runCli(script: string, databaseUrl: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [resolve(apiDist, script)], {
      cwd: repoRoot,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: timeoutMs,
    });
    const output: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) {
        resolvePromise(performance.now() - started);
        return;
      }
      const why = signal ? `was stopped by ${signal} (limit ${timeoutMs / 1000} s)` : `exited with ${code}`;
      reject(new SetupError(`${script} ${why}:\n${Buffer.concat(output).toString("utf8")}`));
    });
  });
}

/** Migrates and seeds the benchmark database; both CLIs are idempotent, so a second run is quick. */
export async function prepareDatabase(databaseUrl: string): Promise<{ migrateMs: number; seedMs: number }> {
  const migrateMs = await runCli("infra/migrate.cli.js", databaseUrl, 120_000);
  const seedMs = await runCli("seed/seed.cli.js", databaseUrl, 600_000);
  return { migrateMs, seedMs };
}
