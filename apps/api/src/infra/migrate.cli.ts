import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../config.js";
import { migrateJobs } from "./jobs.js";
import { ensureDatabase, migrate } from "./migrate.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../..");
const migrationsDir = resolve(repoRoot, "prisma/migrations");

async function main(): Promise<void> {
  const config = loadConfig();
  if (await ensureDatabase(config.DATABASE_URL)) {
    console.log(`Created database ${new URL(config.DATABASE_URL).pathname.slice(1)}`);
  }
  const engine = process.env.PRISMA_SCHEMA_ENGINE_BINARY;
  if (engine && existsSync(engine) && engine !== process.execPath) {
    // A real schema engine is installed: let Prisma itself apply the same folders.
    const result = spawnSync(
      "prisma",
      ["migrate", "deploy", "--config", resolve(repoRoot, "prisma.config.ts")],
      {
        stdio: "inherit",
        env: { ...process.env, DATABASE_URL: config.DATABASE_URL },
      },
    );
    if (result.status !== 0) process.exit(result.status ?? 1);
  } else {
    const result = await migrate(config.DATABASE_URL, migrationsDir);
    for (const name of result.applied) console.log(`Applied migration ${name}`);
    console.log(
      result.applied.length
        ? `Database is up to date (${result.applied.length} applied now, ${result.alreadyApplied} before).`
        : `Database is up to date (${result.alreadyApplied} migrations, nothing to apply).`,
    );
  }
  // graphile-worker's own schema (background jobs); the API also does this at start.
  await migrateJobs(config.DATABASE_URL);
  console.log("Job queue schema is up to date.");
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
