import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTemplates, dropDatabase } from "./support/database.js";
import { deleteRedisKeys, redisRootEnv, testRedisRoot } from "./support/redis-prefix.js";

// The API test entry point: builds the template databases once, runs every *.test.js file (test/ and
// the unit tests beside the code in src/) with node's test runner (each file in its own process), then drops the templates and the run's Redis keys.

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
// The integration tests here, and the unit tests beside the code they test (src/**/*.test.ts).
const unitTests = join(here, "../src");
const files = [
  ...readdirSync(here).map((file) => join(here, file)),
  ...readdirSync(unitTests, { recursive: true, encoding: "utf8" }).map((file) => join(unitTests, file)),
]
  .filter((file) => file.endsWith(".test.js"))
  .filter((file) => only.length === 0 || only.some((name) => basename(file).includes(name)))
  .sort();

const runId = `${process.pid}_${randomBytes(3).toString("hex")}`;
const redisRoot = testRedisRoot(runId);
const started = Date.now();
const templates = await createTemplates(runId);
console.log(`Template databases ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);

/**
 * Files that bound a time or the event loop's delay: they run after the others, one at a time, so that
 * no other file moves their figures. The others run three at a time: most of a
 * file's time is spent waiting (databases cloned, servers started, holds expiring), not computing.
 */
const SOLO = [
  "event-loop-delay",
  "hostile-requests",
  "fuzz",
  "holds-redis-outage",
  "holds-redis-stall",
  "queue-redis-loss",
  "queue-room",
  "seat-map-bytes",
  "chart-upload",
  "idle-transactions",
];
const isSolo = (file: string) => SOLO.some((name) => basename(file).startsWith(`${name}.test.`));

function runFiles(group: string[], concurrency: number): Promise<number> {
  if (group.length === 0) return Promise.resolve(0);
  return new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      [
        "--enable-source-maps",
        "--test",
        "--test-reporter=spec",
        `--test-concurrency=${concurrency}`,
        // A hung test fails after three minutes instead of stalling the whole run.
        "--test-timeout=180000",
        ...group,
      ],
      {
        stdio: "inherit",
        env: {
          ...process.env,
          FRONTROW_TEST_TEMPLATE_MIGRATED: templates.migrated,
          FRONTROW_TEST_TEMPLATE_SEEDED: templates.seeded,
          ...redisRootEnv(redisRoot),
        },
      },
    );
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

let exitCode = 1;
try {
  const together = await runFiles(
    files.filter((file) => !isSolo(file)),
    3,
  );
  const alone = await runFiles(files.filter(isSolo), 1);
  exitCode = together || alone;
} finally {
  await dropDatabase(templates.seeded);
  await dropDatabase(templates.migrated);
  await deleteRedisKeys(redisRoot).then(
    (deleted) => console.log(`Deleted the run's ${deleted} Redis keys`),
    (error: unknown) => console.error(`Could not delete the run's Redis keys under ${redisRoot}:`, error),
  );
}
process.exit(exitCode);
