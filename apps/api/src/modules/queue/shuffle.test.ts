import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { test } from "node:test";
import { commitmentOf, drawOrder, newSeed } from "./shuffle.js";

const SEED = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

test("the commitment is the SHA-256 of the seed's 32 bytes, not of its hex text", () => {
  assert.equal(commitmentOf(SEED), createHash("sha256").update(Buffer.from(SEED, "hex")).digest("hex"));
  assert.notEqual(commitmentOf(SEED), createHash("sha256").update(SEED).digest("hex"));
  assert.match(newSeed(), /^[0-9a-f]{64}$/);
});

test("the draw sorts entries by HMAC-SHA256(seed, entry id), as anyone can recompute", () => {
  const entries = Array.from({ length: 50 }, (_, i) => `entry-${i}`);
  const key = (entry: string) => createHmac("sha256", Buffer.from(SEED, "hex")).update(entry).digest("hex");
  const expected = [...entries].sort((a, b) => key(a).localeCompare(key(b)));
  assert.deepEqual(drawOrder(SEED, entries), expected);
});

test("the draw is a permutation that depends on the seed, not on the order entries arrived in", () => {
  const entries = Array.from({ length: 200 }, (_, i) => `e${i}`);
  const drawn = drawOrder(SEED, entries);
  assert.deepEqual([...drawn].sort(), [...entries].sort());
  assert.deepEqual(drawOrder(SEED, [...entries].reverse()), drawn);
  assert.notDeepEqual(drawOrder(newSeed(), entries), drawn);
});
