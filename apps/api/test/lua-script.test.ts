import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { LuaScript } from "../src/infra/lua-script.js";
import { startTestRedis, type TestRedis } from "./support/redis-server.js";

// LuaScript.runEach (infra/lua-script.ts) sends several runs of a script in one pipeline (the rate
// limits' counters of a request). A Redis that does not know the script yet (new, restarted, flushed)
// refuses the whole pipeline with NOSCRIPT: every run must still happen exactly once, answered in order.
// A Redis of the test's own: SCRIPT FLUSH would touch every test on the machine's.

let redis: TestRedis;

before(async () => {
  redis = await startTestRedis();
});

after(() => redis.dispose());

const COUNT = new LuaScript("return {KEYS[1], redis.call('INCR', KEYS[1])}");
const calls = (...keys: string[]) => keys.map((key) => ({ keys: [key], args: [] }));

test("every run happens once and in order, whether Redis knows the script or not", async () => {
  assert.deepEqual(await COUNT.runEach(redis.probe, calls("a", "b", "a")), [
    ["a", 1],
    ["b", 1],
    ["a", 2],
  ]);
  assert.deepEqual(await COUNT.runEach(redis.probe, calls("b", "a")), [
    ["b", 2],
    ["a", 3],
  ]);
  await redis.probe.script("FLUSH");
  assert.deepEqual(await COUNT.runEach(redis.probe, calls("a", "c")), [
    ["a", 4],
    ["c", 1],
  ]);
});

test("a run that fails fails the whole call, after the others ran", async () => {
  await redis.probe.set("words", "not a number");
  await assert.rejects(COUNT.runEach(redis.probe, calls("d", "words")), /not an integer/);
  assert.equal(await redis.probe.get("d"), "1");
});
