import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { leadingZeroBits, solveProofOfWork } from "./proof-of-work.js";

test("leadingZeroBits counts zero bits from the first byte on", () => {
  assert.equal(leadingZeroBits(Uint8Array.of(0x80)), 0);
  assert.equal(leadingZeroBits(Uint8Array.of(0x01)), 7);
  assert.equal(leadingZeroBits(Uint8Array.of(0x00, 0x40)), 9);
  assert.equal(leadingZeroBits(Uint8Array.of(0x00, 0x00, 0x0f)), 20);
  assert.equal(leadingZeroBits(new Uint8Array(4)), 32);
});

test("a solution hashes with at least the asked number of leading zero bits", () => {
  for (const difficulty of [0, 1, 8, 12]) {
    const challenge = `challenge-${difficulty}`;
    const proof = solveProofOfWork(challenge, difficulty);
    assert.match(proof, new RegExp(`^${challenge}:\\d+$`));
    const hash = createHash("sha256").update(proof).digest();
    assert.ok(leadingZeroBits(hash) >= difficulty, `difficulty ${difficulty}, proof ${proof}`);
  }
});
