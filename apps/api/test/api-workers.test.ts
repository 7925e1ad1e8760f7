import assert from "node:assert/strict";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { freePort } from "./support/holds.js";
import { testRedisPrefix } from "./support/redis-prefix.js";
import { type ApiProcess, spawnApi } from "./support/server.js";
import { waitFor } from "./support/wait.js";

// API_WORKERS > 1: one port served by several processes (node:cluster), kept running by the primary.

let database: TestDatabase;
let api: ApiProcess | undefined;

before(async () => {
  database = await createTestDatabase({ seeded: false });
});

after(async () => {
  const primary = api?.child.pid;
  if (primary !== undefined && api?.child.exitCode === null) {
    // Workers first: orphans would keep this file's output open.
    for (const worker of workersOf(primary)) process.kill(worker, "SIGKILL");
    api.child.kill("SIGKILL");
  }
  await database.dispose();
});

function workersOf(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").split(" ").filter(Boolean).map(Number);
}

const typename = async (origin: string) => {
  const response = await fetch(`${origin}/graphql`, {
    method: "POST",
    signal: AbortSignal.timeout(10_000),
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: "{ __typename }" }),
  });
  return (await response.json()) as { data?: { __typename?: string } };
};

test("two workers share the port; a dead worker is replaced; SIGTERM stops them all", async () => {
  api = await spawnApi(await freePort(), {
    DATABASE_URL: database.url,
    REDIS_KEY_PREFIX: testRedisPrefix(),
    API_WORKERS: "2",
  });
  const primary = api.child.pid as number;
  const [first, second] = await waitFor(
    "two workers",
    () => {
      const workers = workersOf(primary);
      return workers.length === 2 ? workers : undefined;
    },
    30_000,
  );
  assert.ok(first && second);

  // A connection the primary hands to a worker at the instant it dies is lost with it (node:cluster),
  // so requests are checked once the primary has seen the death and started a replacement.
  process.kill(first, "SIGKILL");
  const replaced = await waitFor(
    "a replacement worker",
    () => {
      const workers = workersOf(primary);
      return workers.length === 2 && !workers.includes(first) ? workers : undefined;
    },
    30_000,
  );
  assert.ok(replaced.includes(second), "the surviving worker is kept");
  for (let request = 0; request < 20; request++) {
    assert.equal((await typename(api.origin)).data?.__typename, "Query");
  }

  const exited = once(api.child, "exit");
  api.child.kill("SIGTERM");
  const [code] = await exited;
  assert.equal(code, 0, "the primary exits cleanly once its workers have stopped");
  for (const worker of replaced) {
    assert.throws(() => process.kill(worker, 0), "no worker outlives the primary");
  }
});
