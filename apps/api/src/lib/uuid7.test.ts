import assert from "node:assert/strict";
import { test } from "node:test";
import { uuidv7 } from "./uuid7.js";

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test("a v7 UUID: its first 48 bits are the milliseconds given, then version 7 and the RFC variant", () => {
  for (const now of [0, 1, Date.UTC(2026, 11, 8, 10), 2 ** 48 - 1]) {
    const id = uuidv7(now);
    assert.match(id, V7);
    assert.equal(Number.parseInt(id.replace(/-/g, "").slice(0, 12), 16), now);
  }
});

test("ids of later milliseconds sort after earlier ones; ids of one millisecond differ in 74 random bits", () => {
  const now = Date.now();
  assert.ok(uuidv7(now) < uuidv7(now + 1));
  const ids = Array.from({ length: 10_000 }, () => uuidv7(now));
  assert.equal(new Set(ids).size, ids.length);
  // Every random hex digit takes several values: none of them is fixed by the construction.
  for (const position of [15, 16, 17, 20, 21, 22, 24, 30, 35]) {
    assert.ok(new Set(ids.map((id) => id[position])).size > 8, `position ${position}`);
  }
  // The variant digit carries two random bits.
  assert.equal(new Set(ids.map((id) => id[19])).size, 4);
});
