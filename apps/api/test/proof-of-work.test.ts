import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { GraphQLError } from "graphql";
import { Counter } from "prom-client";
import { createLogger } from "../src/infra/logger.js";
import { BotSignalsService } from "../src/modules/defences/bot-signals.service.js";
import {
  leadingZeroBits,
  POW_ALGORITHM,
  ProofOfWorkService,
  solveProofOfWork,
} from "../src/modules/defences/proof-of-work.js";
import { NOTABLE_EVENT_SLUGS } from "../src/seed/seed.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { asFan, createFans, errorCode, eventIdOf, type Fan, MANY_LOGINS } from "./support/holds.js";
import { gql, startTestServer, type TestServer } from "./support/server.js";

const DIFFICULTY = 8;
const TTL_SECONDS = 120;
const CHALLENGE = `query ($eventId: ID!) {
  proofOfWorkChallenge(eventId: $eventId) { challenge difficulty expiresAt algorithm } }`;

let database: TestDatabase;
let api: TestServer;
let fans: Fan[];
let eventId: number;
let otherEventId: number;
let pow: ProofOfWorkService;

before(async () => {
  database = await createTestDatabase({ seeded: true });
  api = await startTestServer(database.url, {
    ...MANY_LOGINS,
    POW_CHALLENGE_TTL_SECONDS: String(TTL_SECONDS),
  });
  fans = await createFans(database.db, api.url, 2, "pow");
  eventId = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.theatreOnSale);
  otherEventId = (await database.db.event.findFirstOrThrow({ where: { id: { not: eventId } } })).id;
  await database.db.event.update({
    where: { id: eventId },
    data: { powDifficulty: DIFFICULTY, queueEnabled: true },
  });
  // The service as the queue's joinQueue uses it, against the server's Redis and the same secret.
  const log = createLogger("silent");
  const signals = new BotSignalsService(
    database.db,
    api.server.redis,
    log,
    new Counter({ name: "test_bot_signals", help: "test", labelNames: ["kind"], registers: [] }),
    { signUpsPerIpBeforeSignal: 100 },
  );
  pow = new ProofOfWorkService(database.db, signals, {
    secret: api.server.config.POW_SECRET,
    ttlSeconds: TTL_SECONDS,
  });
});

after(async () => {
  await api.close();
  await database.dispose();
});

const fan = () => fans[0] as Fan;

async function challengeFor(who: Fan, event = eventId) {
  const result = await asFan<{
    proofOfWorkChallenge: { challenge: string; difficulty: number; expiresAt: string; algorithm: string };
  }>(api.url, who, CHALLENGE, { eventId: String(event) });
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data?.proofOfWorkChallenge as NonNullable<typeof result.data>["proofOfWorkChallenge"];
}

/** The gate's verdict on `proof` for a new entry: its claim, or (thrown) its refusal. */
async function verify(
  proof: string | undefined,
  userId: string,
  event: number,
  difficulty: number,
  meta?: { ip?: string },
): Promise<{ key: string; ttlMs: number } | undefined> {
  const gate = pow.entryGate(proof, userId, event, difficulty, meta);
  if (gate?.claim === null) return gate.refuse(false);
  return gate?.claim;
}

/** The refusal's code and reason. */
async function refusal(promise: Promise<unknown>): Promise<{ code: unknown; reason: unknown }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GraphQLError, String(error));
    return { code: error.extensions.code, reason: error.extensions.reason };
  }
  assert.fail("the proof was accepted");
}

/** A nonce whose hash does not meet the difficulty. */
function wrongProof(challenge: string, difficulty: number): string {
  for (let nonce = 0; ; nonce++) {
    const proof = `${challenge}:${nonce}`;
    if (leadingZeroBits(createHash("sha256").update(proof).digest()) < difficulty) return proof;
  }
}

describe("proofOfWorkChallenge", () => {
  test("needs a signed-in account", async () => {
    const result = await gql(api.url, CHALLENGE, { eventId: String(eventId) });
    assert.equal(errorCode(result), "UNAUTHENTICATED");
  });

  test("gives a signed challenge at the event's difficulty, expiring after the TTL", async () => {
    const started = Date.now();
    const issued = await challengeFor(fan());
    assert.equal(issued.difficulty, DIFFICULTY);
    assert.equal(issued.algorithm, POW_ALGORITHM);
    assert.doesNotMatch(issued.challenge, /:/);
    const expiresIn = new Date(issued.expiresAt).getTime() - started;
    assert.ok(Math.abs(expiresIn - TTL_SECONDS * 1000) < 5_000, `expires in ${expiresIn} ms`);
    assert.notEqual((await challengeFor(fan())).challenge, issued.challenge, "a fresh nonce each time");
  });

  test("unknown event: NOT_FOUND", async () => {
    const result = await asFan(api.url, fan(), CHALLENGE, { eventId: "999999" });
    assert.equal(errorCode(result), "NOT_FOUND");
  });
});

describe("ProofOfWorkService.entryGate", () => {
  test("counts leading zero bits", () => {
    assert.equal(leadingZeroBits(Uint8Array.from([0, 0, 0x80])), 16);
    assert.equal(leadingZeroBits(Uint8Array.from([0, 0x0f])), 12);
    assert.equal(leadingZeroBits(Uint8Array.from([0xff])), 0);
  });

  test("a solved challenge gives a single-use claim in the room's slot, until the challenge expires", async () => {
    const { challenge, expiresAt } = await challengeFor(fan());
    const claim = await verify(solveProofOfWork(challenge, DIFFICULTY), fan().id, eventId, DIFFICULTY);
    assert.ok(claim);
    assert.ok(claim.key.startsWith(`pow:{ev:${eventId}}:used:`), claim.key);
    const left = new Date(expiresAt).getTime() - Date.now();
    assert.ok(Math.abs(claim.ttlMs - left) < 5_000, `claimed for ${claim.ttlMs} ms, ${left} ms left`);
  });

  test("refuses missing, malformed, wrong, forged, expired, too easy and other fans' proofs", async () => {
    const userId = fan().id;
    const { challenge } = await challengeFor(fan());
    const check = (proof: string | undefined, user = userId, event = eventId) =>
      refusal(verify(proof, user, event, DIFFICULTY));

    assert.deepEqual(await check(undefined), { code: "BAD_USER_INPUT", reason: "REQUIRED" });
    assert.deepEqual(await check(challenge), { code: "BAD_USER_INPUT", reason: "MALFORMED" });
    assert.deepEqual(await check(`${challenge}:12ab`), { code: "BAD_USER_INPUT", reason: "MALFORMED" });
    assert.deepEqual(await check(wrongProof(challenge, DIFFICULTY)), {
      code: "BAD_USER_INPUT",
      reason: "WRONG",
    });

    // Claiming a difficulty of 0 in the signed text breaks the signature.
    const parts = challenge.split(".");
    parts[3] = "0";
    assert.deepEqual(await check(`${parts.join(".")}:0`), { code: "FORBIDDEN", reason: "FORGED" });

    const solved = solveProofOfWork(challenge, DIFFICULTY);
    assert.deepEqual(await check(solved, (fans[1] as Fan).id), { code: "FORBIDDEN", reason: "NOT_YOURS" });
    assert.deepEqual(await check(solved, userId, otherEventId), { code: "FORBIDDEN", reason: "NOT_YOURS" });

    const expired = pow.issue(userId, eventId, DIFFICULTY, Date.now() - TTL_SECONDS * 1000 - 1);
    assert.deepEqual(await check(solveProofOfWork(expired.challenge, DIFFICULTY)), {
      code: "BAD_USER_INPUT",
      reason: "EXPIRED",
    });

    // The organizer raised the difficulty after this challenge was handed out.
    const easy = pow.issue(userId, eventId, 2);
    assert.deepEqual(await check(solveProofOfWork(easy.challenge, 2)), {
      code: "BAD_USER_INPUT",
      reason: "TOO_EASY",
    });

    // None of the refusals used the challenge up: the right fan's solution still passes.
    assert.ok(await verify(solved, userId, eventId, DIFFICULTY));
  });

  test("difficulty 0 turns the check off", () => {
    assert.equal(pow.entryGate(undefined, fan().id, eventId, 0), undefined);
    assert.equal(pow.entryGate("anything at all", fan().id, eventId, 0), undefined);
  });

  test("failed proofs are recorded as bot signals (expired ones are not)", async () => {
    const userId = (fans[1] as Fan).id;
    const before = await database.db.botSignal.count({ where: { userId, kind: "FAILED_PROOF_OF_WORK" } });
    await refusal(verify("nonsense", userId, eventId, DIFFICULTY, { ip: "10.9.9.9" }));
    const expired = pow.issue(userId, eventId, DIFFICULTY, Date.now() - TTL_SECONDS * 1000 - 1);
    await refusal(verify(solveProofOfWork(expired.challenge, DIFFICULTY), userId, eventId, DIFFICULTY));
    const signals = await database.db.botSignal.findMany({
      where: { userId, kind: "FAILED_PROOF_OF_WORK" },
      orderBy: { id: "asc" },
    });
    assert.equal(signals.length, before + 1);
    assert.equal(signals.at(-1)?.eventId, eventId);
    assert.equal(signals.at(-1)?.ip, "10.9.9.9");
    assert.deepEqual(signals.at(-1)?.detail, { reason: "MALFORMED" });
  });
});

describe("joinQueue", () => {
  const JOIN = `mutation ($eventId: ID!, $proof: String) {
    joinQueue(eventId: $eventId, proofOfWork: $proof) { state entryId } }`;
  const LEAVE = "mutation ($eventId: ID!) { leaveQueue(eventId: $eventId) }";
  const join = (who: Fan, proof?: string) =>
    asFan<{ joinQueue: { state: string; entryId: string | null } }>(api.url, who, JOIN, {
      eventId: String(eventId),
      proof: proof ?? null,
    });

  test("asks new entries for a solved challenge; joining again returns the entry without one", async () => {
    const [newcomer] = await createFans(database.db, api.url, 1, "pow-join");
    const who = newcomer as Fan;
    const refused = await join(who);
    assert.equal(errorCode(refused), "BAD_USER_INPUT");
    assert.equal(refused.errors?.[0]?.extensions?.reason, "REQUIRED");
    const { challenge } = await challengeFor(who);
    const joined = await join(who, solveProofOfWork(challenge, DIFFICULTY));
    assert.equal(joined.errors, undefined, JSON.stringify(joined.errors));
    assert.ok(joined.data?.joinQueue.entryId);
    const again = await join(who);
    assert.equal(again.errors, undefined, JSON.stringify(again.errors));
    assert.equal(again.data?.joinQueue.entryId, joined.data?.joinQueue.entryId);
  });

  test("a proof makes one entry: after leaving, the same proof is refused as used, a new one gets back in", async () => {
    const [leaver] = await createFans(database.db, api.url, 1, "pow-replay");
    const who = leaver as Fan;
    const proof = solveProofOfWork((await challengeFor(who)).challenge, DIFFICULTY);
    const joined = await join(who, proof);
    assert.equal(joined.errors, undefined, JSON.stringify(joined.errors));
    const left = await asFan<{ leaveQueue: boolean }>(api.url, who, LEAVE, { eventId: String(eventId) });
    assert.equal(left.data?.leaveQueue, true);
    const replayed = await join(who, proof);
    assert.equal(errorCode(replayed), "BAD_USER_INPUT");
    assert.equal(replayed.errors?.[0]?.extensions?.reason, "USED");
    const back = await join(who, solveProofOfWork((await challengeFor(who)).challenge, DIFFICULTY));
    assert.equal(back.errors, undefined, JSON.stringify(back.errors));
    assert.equal(back.data?.joinQueue.entryId, joined.data?.joinQueue.entryId, "the account keeps its entry");
    assert.equal(back.data?.joinQueue.state, "WAITING");
  });

  test("another fan's solved challenge does not get a fan in", async () => {
    const [thief] = await createFans(database.db, api.url, 1, "pow-thief");
    const { challenge } = await challengeFor(fans[1] as Fan);
    const refused = await join(thief as Fan, solveProofOfWork(challenge, DIFFICULTY));
    assert.equal(errorCode(refused), "FORBIDDEN");
    assert.equal(refused.errors?.[0]?.extensions?.reason, "NOT_YOURS");
  });

  test("with difficulty 0 no proof is needed", async () => {
    await database.db.event.update({ where: { id: eventId }, data: { powDifficulty: 0 } });
    try {
      // The queue caches event settings for a second.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const [easy] = await createFans(database.db, api.url, 1, "pow-off");
      const joined = await join(easy as Fan);
      assert.equal(joined.errors, undefined, JSON.stringify(joined.errors));
    } finally {
      await database.db.event.update({ where: { id: eventId }, data: { powDifficulty: DIFFICULTY } });
    }
  });
});
