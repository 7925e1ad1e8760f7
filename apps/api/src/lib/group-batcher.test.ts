import assert from "node:assert/strict";
import { test } from "node:test";
import { BatchWaitTimeout, GroupBatcher } from "./group-batcher.js";

/** A batch runner whose batches finish when the test says so. */
function controlledRunner() {
  const batches: { items: number[]; finish: () => void; fail: (error: Error) => void }[] = [];
  const run = (items: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      batches.push({
        items,
        finish: () => resolve(items.map((item) => `done ${item}`)),
        fail: reject,
      });
    });
  return { batches, run };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test("an item submitted while nothing runs goes at once, alone", async () => {
  const { batches, run } = controlledRunner();
  const batcher = new GroupBatcher(run, { concurrency: 2, maxBatchSize: 10, maxWaitMs: 60_000 });
  const first = batcher.submit(1);
  const second = batcher.submit(2);
  assert.deepEqual(
    batches.map((batch) => batch.items),
    [[1], [2]],
    "below the concurrency, nothing waits",
  );
  for (const batch of batches) batch.finish();
  assert.deepEqual(await Promise.all([first, second]), ["done 1", "done 2"]);
});

test("items submitted while every batch runs go together in the next, split at maxBatchSize", async () => {
  const { batches, run } = controlledRunner();
  const batcher = new GroupBatcher(run, { concurrency: 1, maxBatchSize: 3, maxWaitMs: 60_000 });
  const results = [1, 2, 3, 4, 5, 6].map((item) => batcher.submit(item));
  assert.deepEqual(
    batches.map((batch) => batch.items),
    [[1]],
  );
  batches[0]?.finish();
  await settle();
  assert.deepEqual(
    batches.map((batch) => batch.items),
    [[1], [2, 3, 4]],
  );
  batches[1]?.finish();
  await settle();
  batches[2]?.finish();
  assert.deepEqual(
    await Promise.all(results),
    [1, 2, 3, 4, 5, 6].map((item) => `done ${item}`),
  );
  assert.deepEqual(batches[2]?.items, [5, 6]);
});

test("a failed batch fails each of its items and the next batch still runs", async () => {
  const { batches, run } = controlledRunner();
  const batcher = new GroupBatcher(run, { concurrency: 1, maxBatchSize: 10, maxWaitMs: 60_000 });
  const first = batcher.submit(1);
  const waiting = [2, 3].map((item) => batcher.submit(item));
  batches[0]?.fail(new Error("connection lost"));
  await assert.rejects(first, /connection lost/);
  await settle();
  batches[1]?.fail(new Error("statement timeout"));
  for (const item of waiting) await assert.rejects(item, /statement timeout/);
  const later = batcher.submit(4);
  batches[2]?.finish();
  assert.equal(await later, "done 4");
});

test("a batch that answers for the wrong number of items fails them all", async () => {
  const batcher = new GroupBatcher(async (items: number[]) => items.slice(1), {
    concurrency: 1,
    maxBatchSize: 10,
    maxWaitMs: 60_000,
  });
  await assert.rejects(batcher.submit(1), /A batch of 1 gave 0 results/);
});

test("items that wait too long while batches stall fail with BatchWaitTimeout and are never sent", async () => {
  const { batches, run } = controlledRunner();
  const batcher = new GroupBatcher(run, { concurrency: 1, maxBatchSize: 10, maxWaitMs: 50 });
  const stalled = batcher.submit(1);
  const started = performance.now();
  const waiting = batcher.submit(2);
  await assert.rejects(waiting, BatchWaitTimeout);
  assert.ok(performance.now() - started >= 45, "not before maxWaitMs");
  batches[0]?.finish();
  assert.equal(await stalled, "done 1", "the batch already sent still answers");
  await settle();
  assert.deepEqual(
    batches.map((batch) => batch.items),
    [[1]],
    "the expired item was not sent afterwards",
  );
});
