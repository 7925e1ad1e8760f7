import assert from "node:assert/strict";
import { test } from "node:test";
import { ConcurrencyLimit } from "./concurrency-limit.js";

const settle = () => new Promise((resolve) => setImmediate(resolve));

test("at most `max` tasks run at once; the rest start in arrival order as slots free, failures too", async () => {
  const limit = new ConcurrencyLimit(2);
  const started: number[] = [];
  const finishers = new Map<number, { finish: () => void; fail: () => void }>();
  const task = (id: number) =>
    limit.run(
      () =>
        new Promise<number>((resolve, reject) => {
          started.push(id);
          finishers.set(id, { finish: () => resolve(id), fail: () => reject(new Error(`task ${id}`)) });
        }),
    );
  const results = [1, 2, 3, 4].map((id) => task(id).catch((error: Error) => error.message));
  await settle();
  assert.deepEqual(started, [1, 2]);
  finishers.get(2)?.fail();
  await settle();
  assert.deepEqual(started, [1, 2, 3], "a failed task frees its slot");
  finishers.get(1)?.finish();
  await settle();
  assert.deepEqual(started, [1, 2, 3, 4]);
  finishers.get(3)?.finish();
  finishers.get(4)?.finish();
  assert.deepEqual(await Promise.all(results), [1, "task 2", 3, 4]);
  // Both slots are free again: two new tasks start at once (a leaked slot would leave one waiting).
  const both = Promise.all([limit.run(async () => "a"), limit.run(async () => "b")]);
  assert.deepEqual(await both, ["a", "b"]);
});
