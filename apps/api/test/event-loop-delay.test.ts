import assert from "node:assert/strict";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createMetrics } from "../src/infra/metrics.js";

/** Keeps the event loop busy for `ms`, as a slow request would. */
function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy
  }
}

async function scrape(registry: ReturnType<typeof createMetrics>["registry"]) {
  const text = await registry.metrics();
  const read = (name: string) => {
    const value = new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1];
    assert.ok(value !== undefined, `${name} is exported`);
    return Number(value);
  };
  return {
    p99: read("frontrow_event_loop_delay_p99_seconds"),
    max: read("frontrow_event_loop_delay_max_seconds"),
    window: read("frontrow_event_loop_delay_window_seconds"),
  };
}

test("a stall shows in the next scrape's max, and only in that one", async () => {
  const { registry } = createMetrics();
  await scrape(registry);
  await sleep(20);
  block(150);
  await sleep(30);
  const stalled = await scrape(registry);
  assert.ok(stalled.max >= 0.14, `max ${stalled.max} s after a 150 ms stall`);
  assert.ok(stalled.p99 <= stalled.max);
  assert.ok(stalled.window >= 0.19, `window ${stalled.window} s covers the stall`);

  await sleep(50);
  const after = await scrape(registry);
  assert.ok(after.max < 0.14, `max ${after.max} s: the stall was counted in the scrape before`);
  assert.ok(after.window < 1, `window ${after.window} s: since the previous scrape`);
});

test("tasks of a few milliseconds read as a few milliseconds at p99", async () => {
  const { registry } = createMetrics();
  await scrape(registry);
  // 4 ms of work every 5 ms for half a second: most samples wait for a task to end.
  const until = performance.now() + 500;
  while (performance.now() < until) {
    block(4);
    await sleep(1);
  }
  const { p99, max } = await scrape(registry);
  assert.ok(p99 >= 0.002, `p99 ${p99} s shows the 4 ms tasks`);
  assert.ok(max >= p99);
});
