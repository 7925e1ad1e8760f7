// Runs `prisma generate` on a machine without Prisma's native schema engine (which cannot be
// downloaded offline): generate itself never uses the engine, so a placeholder path satisfies the CLI.
// Where PRISMA_SCHEMA_ENGINE_BINARY points at a real engine, it is kept.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY || !existsSync(env.PRISMA_SCHEMA_ENGINE_BINARY)) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
}
const result = spawnSync(
  "prisma",
  [
    "generate",
    "--schema",
    resolve(root, "prisma/schema.prisma"),
    "--config",
    resolve(root, "prisma.config.ts"),
  ],
  { stdio: ["ignore", "ignore", "inherit"], env, shell: process.platform === "win32" },
);
process.exit(result.status ?? 1);
