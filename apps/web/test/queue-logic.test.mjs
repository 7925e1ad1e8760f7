// Unit tests for the waiting room's pure logic: the proof-of-work solver and the words and numbers shown.
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { describe, test } from "node:test";
import { CombinedGraphQLErrors } from "@apollo/client/errors";
import {
  expectedAttempts,
  leadingZeroBits,
  meetsDifficulty,
  searchNonces,
} from "../src/queue/proof-of-work.ts";
import { describeQueueError } from "../src/queue/queue-errors.ts";
import { formatEtaRange, formatTimeLeft, queueProgress } from "../src/queue/queue-format.ts";
import { checkDraw, commitmentOf, drawOrder } from "../src/queue/verify-draw.ts";

const sha256 = (text) => createHash("sha256").update(text).digest();

describe("proof of work", () => {
  test("counts leading zero bits across byte boundaries", () => {
    assert.equal(leadingZeroBits(Uint8Array.of(0xff, 0)), 0);
    assert.equal(leadingZeroBits(Uint8Array.of(0x01, 0xff)), 7);
    assert.equal(leadingZeroBits(Uint8Array.of(0x00, 0x80)), 8);
    assert.equal(leadingZeroBits(Uint8Array.of(0x00, 0x00, 0x1f)), 19);
    assert.equal(leadingZeroBits(new Uint8Array(4)), 32);
  });

  test("finds the first nonce whose SHA-256 has enough zero bits, as the server checks it", () => {
    const challenge = "c2VlZC1jaGFsbGVuZ2U";
    const difficulty = 12;
    let answer = null;
    for (let first = 0; answer === null; first += 1000)
      answer = searchNonces(challenge, difficulty, first, 1000);
    const [prefix, nonce] = [
      answer.slice(0, answer.lastIndexOf(":")),
      answer.slice(answer.lastIndexOf(":") + 1),
    ];
    assert.equal(prefix, challenge);
    assert.match(nonce, /^\d+$/, "the nonce is decimal");
    // Checked independently with Node's own SHA-256: the answer meets the difficulty...
    assert.ok(leadingZeroBits(sha256(answer)) >= difficulty);
    // ...and no smaller nonce does (the search skips nothing).
    for (let smaller = 0; smaller < Number(nonce); smaller++)
      assert.ok(
        leadingZeroBits(sha256(`${challenge}:${smaller}`)) < difficulty,
        `nonce ${smaller} was skipped`,
      );
  });

  test("difficulty 0 is met by the first nonce; misses return null", () => {
    assert.equal(searchNonces("abc", 0, 0, 1), "abc:0");
    assert.ok(meetsDifficulty("abc:0", 0));
    // 40 zero bits are all but impossible in 50 attempts.
    assert.equal(searchNonces("abc", 40, 0, 50), null);
  });

  test("expects 2^difficulty attempts", () => {
    assert.equal(expectedAttempts(0), 1);
    assert.equal(expectedAttempts(16), 65_536);
  });
});

describe("waiting-room wording", () => {
  const eta = (etaSeconds, etaLowSeconds = null, etaHighSeconds = null) => ({
    etaSeconds,
    etaLowSeconds,
    etaHighSeconds,
  });

  test("ETA ranges are widened to whole minutes", () => {
    assert.equal(formatEtaRange(eta(null)), null);
    assert.equal(formatEtaRange(eta(30, 10, 50)), "under a minute");
    assert.equal(formatEtaRange(eta(200, 170, 410)), "2–7 min");
    assert.equal(formatEtaRange(eta(30, 20, 200)), "under 4 min");
    assert.equal(formatEtaRange(eta(600)), "about 10 min");
    assert.equal(formatEtaRange(eta(4000, 3500, 5000)), "58 min – 1 h 24 min");
    // A range given upside down is still shown low to high.
    assert.equal(formatEtaRange(eta(200, 410, 170)), "2–7 min");
  });

  test("progress runs from 0 when placed to 1 at the front", () => {
    assert.equal(queueProgress(101, 101), 0);
    assert.equal(queueProgress(51, 101), 0.5);
    assert.equal(queueProgress(1, 101), 1);
    assert.equal(queueProgress(1, 1), 1);
    // A position above where the fan started (the line was reshuffled) does not go below 0.
    assert.equal(queueProgress(150, 101), 0);
  });

  test("time left reads as m:ss, then hours and days", () => {
    assert.equal(formatTimeLeft(0), "0:00");
    assert.equal(formatTimeLeft(65_001), "1:06");
    assert.equal(formatTimeLeft(3_600_000), "1 h 00 min");
    assert.equal(formatTimeLeft((26 * 60 + 5) * 60_000), "1 d 2 h 05 min");
  });
});

describe("waiting-room errors", () => {
  const apiError = (code, extensions = {}) =>
    new CombinedGraphQLErrors({
      errors: [{ message: `failed with ${code}`, extensions: { code, ...extensions } }],
    });

  test("a waiting room without Redis says when to ask again, and the page does", () => {
    const problem = describeQueueError(apiError("SERVICE_UNAVAILABLE", { retryAfterSeconds: 2 }));
    assert.equal(problem.retryAfterSeconds, 2);
    assert.match(problem.message, /try again in 2 s/);
    assert.equal(problem.signIn, false);
    // Without the extension it still waits a little, never hammers the API.
    assert.equal(describeQueueError(apiError("SERVICE_UNAVAILABLE")).retryAfterSeconds, 5);
    assert.equal(
      describeQueueError(apiError("RATE_LIMITED", { retryAfterSeconds: 3 })).retryAfterSeconds,
      undefined,
    );
  });
});

describe("the draw, checked in the browser", () => {
  // The API's own definition (apps/api/src/modules/queue/shuffle.ts), with Node's crypto.
  const seed = "5f".repeat(16) + "a0".repeat(16);
  const entries = Array.from({ length: 50 }, (_, index) => `entry-${index}-${index * 7919}`);
  const nodeCommitment = createHash("sha256").update(Buffer.from(seed, "hex")).digest("hex");
  const nodeOrder = entries
    .map((entry) => ({
      entry,
      rank: createHmac("sha256", Buffer.from(seed, "hex")).update(entry, "utf8").digest("hex"),
    }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0))
    .map(({ entry }) => entry);

  test("recomputes the commitment and the order as the API defines them", () => {
    assert.equal(commitmentOf(seed), nodeCommitment);
    assert.deepEqual(drawOrder(seed, entries), nodeOrder);
    assert.deepEqual(
      checkDraw({ commitment: nodeCommitment, seed, preQueueEntries: entries, drawnOrder: nodeOrder }),
      {
        commitmentMatches: true,
        orderMatches: true,
      },
    );
  });

  test("catches a swapped order, another seed, and has nothing to check before the reveal", () => {
    const swapped = [nodeOrder[1], nodeOrder[0], ...nodeOrder.slice(2)];
    assert.deepEqual(
      checkDraw({ commitment: nodeCommitment, seed, preQueueEntries: entries, drawnOrder: swapped }),
      {
        commitmentMatches: true,
        orderMatches: false,
      },
    );
    const otherSeed = "00".repeat(32);
    assert.equal(
      checkDraw({
        commitment: nodeCommitment,
        seed: otherSeed,
        preQueueEntries: entries,
        drawnOrder: nodeOrder,
      })?.commitmentMatches,
      false,
    );
    assert.equal(
      checkDraw({ commitment: nodeCommitment, seed: null, preQueueEntries: entries, drawnOrder: null }),
      null,
    );
  });
});
