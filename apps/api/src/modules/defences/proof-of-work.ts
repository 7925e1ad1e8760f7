import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Logger } from "../../infra/logger.js";
import type { Db } from "../../infra/prisma.js";
import type { RedisClient } from "../../infra/redis.js";
import { RedisBreaker } from "../../infra/redis-breaker.js";
import { AppError, ErrorCode, notFound } from "../../kernel/errors.js";
import { powDifficultyOf } from "../queue/queue-records-store.js";
import { BotSignalKind, type BotSignalRecorder } from "./bot-signals.service.js";

// A hashcash-style proof of work in front of joinQueue (docs/defences.md). The server hands out a signed
// challenge bound to the fan, the event, the difficulty and an expiry; the client finds a decimal nonce
// such that SHA-256("<challenge>:<nonce>") starts with `difficulty` zero bits (about 2^difficulty
// hashes), and joins with that string. Verifying costs one hash and one HMAC.

export const POW_ALGORITHM = "sha256-leading-zero-bits";
/** 2^32 hashes is already minutes on a phone; anything above is a mistake. */
export const MAX_POW_DIFFICULTY = 32;

export interface ProofOfWorkChallengeView {
  challenge: string;
  difficulty: number;
  expiresAt: Date;
  algorithm: string;
}

export interface ProofOfWorkOptions {
  secret: string;
  ttlSeconds: number;
  /** After a Redis failure, how long the replay check leaves Redis alone. */
  redisRetryAfterMs?: number;
}

/** Why a proof was refused: `extensions.reason` of the error. */
export type ProofRefusal =
  | "REQUIRED"
  | "MALFORMED"
  | "FORGED"
  | "NOT_YOURS"
  | "EXPIRED"
  | "TOO_EASY"
  | "WRONG"
  | "USED";

const VERSION = "pw1";
const NONCE = /^\d{1,20}$/;
const MAC_LENGTH = 43; // 32 bytes, base64url

export function leadingZeroBits(hash: Uint8Array): number {
  let bits = 0;
  for (const byte of hash) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest();

/** The reference solver (the web app's worker does the same): the first nonce that meets the difficulty. */
export function solveProofOfWork(challenge: string, difficulty: number): string {
  for (let nonce = 0; ; nonce++) {
    const proof = `${challenge}:${nonce}`;
    if (leadingZeroBits(sha256(proof)) >= difficulty) return proof;
  }
}

interface ChallengeClaims {
  eventId: number;
  userId: string;
  difficulty: number;
  expiresAtMs: number;
  mac: string;
}

export class ProofOfWorkService {
  private readonly breaker: RedisBreaker;

  constructor(
    private readonly db: Db,
    private readonly redis: RedisClient,
    private readonly signals: BotSignalRecorder,
    log: Logger,
    private readonly options: ProofOfWorkOptions,
  ) {
    this.breaker = new RedisBreaker(
      log,
      {
        off: "proof-of-work replay check off: Redis failed, proofs are accepted without it",
        on: "proof-of-work replay check back on",
      },
      options.redisRetryAfterMs ?? 1_000,
      redis,
    );
  }

  /** A fresh challenge at the event's current difficulty (0: no proof needed, but a challenge all the same). */
  async challenge(userId: string, eventId: number): Promise<ProofOfWorkChallengeView> {
    const difficulty = await powDifficultyOf(this.db, eventId);
    if (difficulty === null) throw notFound("Event", String(eventId));
    return this.issue(userId, eventId, difficulty);
  }

  issue(userId: string, eventId: number, difficulty: number, now = Date.now()): ProofOfWorkChallengeView {
    const expiresAtMs = now + this.options.ttlSeconds * 1000;
    const payload = [
      VERSION,
      eventId,
      userId,
      difficulty,
      expiresAtMs,
      randomBytes(12).toString("base64url"),
    ].join(".");
    return {
      challenge: `${payload}.${this.mac(payload)}`,
      difficulty,
      expiresAt: new Date(expiresAtMs),
      algorithm: POW_ALGORITHM,
    };
  }

  /**
   * Accepts `proof` ("<challenge>:<nonce>") for this fan and event at `difficulty` (the event's current
   * one; 0 turns the check off), once. Refusals are BAD_USER_INPUT, or FORBIDDEN for a forged or another
   * fan's challenge, with `extensions.reason`, and are recorded as bot signals (but an expired one).
   */
  async verify(
    proof: string | null | undefined,
    userId: string,
    eventId: number,
    difficulty: number,
    meta: { ip?: string } = {},
  ): Promise<void> {
    if (difficulty <= 0) return;
    const refuse = async (reason: ProofRefusal, message: string): Promise<never> => {
      if (reason !== "EXPIRED") {
        await this.signals.record({
          kind: BotSignalKind.FAILED_PROOF_OF_WORK,
          userId,
          eventId,
          ip: meta.ip,
          detail: { reason },
        });
      }
      const code =
        reason === "FORGED" || reason === "NOT_YOURS" ? ErrorCode.FORBIDDEN : ErrorCode.BAD_USER_INPUT;
      throw new AppError(code, message, { reason, argument: "proofOfWork" });
    };
    if (!proof) {
      return refuse(
        "REQUIRED",
        "This event's queue asks for a proof of work: solve proofOfWorkChallenge(eventId)",
      );
    }
    const separator = proof.lastIndexOf(":");
    const challenge = proof.slice(0, separator);
    if (separator < 0 || !NONCE.test(proof.slice(separator + 1))) {
      return refuse("MALFORMED", 'proofOfWork must be "<challenge>:<nonce>" with a decimal nonce');
    }
    const claims = this.parse(challenge);
    if (!claims) return refuse("FORGED", "This proof-of-work challenge was not issued by Frontrow");
    if (claims.userId !== userId || claims.eventId !== eventId) {
      return refuse("NOT_YOURS", "This proof-of-work challenge was issued to another account or event");
    }
    if (claims.expiresAtMs <= Date.now()) {
      return refuse("EXPIRED", "This proof-of-work challenge has expired: ask for a new one");
    }
    if (claims.difficulty < difficulty) {
      return refuse("TOO_EASY", `The difficulty is now ${difficulty}: ask for a new challenge`);
    }
    if (leadingZeroBits(sha256(proof)) < claims.difficulty) {
      return refuse("WRONG", `This nonce does not give ${claims.difficulty} leading zero bits`);
    }
    if (!(await this.markUsed(claims))) {
      return refuse("USED", "This proof of work was already used: ask for a new challenge");
    }
  }

  private mac(payload: string): string {
    return createHmac("sha256", this.options.secret).update(payload).digest("base64url");
  }

  private parse(challenge: string): ChallengeClaims | null {
    const parts = challenge.split(".");
    if (parts.length !== 7 || parts[0] !== VERSION) return null;
    const mac = parts[6] ?? "";
    const expected = this.mac(parts.slice(0, 6).join("."));
    if (mac.length !== MAC_LENGTH || !timingSafeEqual(Buffer.from(mac), Buffer.from(expected))) return null;
    return {
      eventId: Number(parts[1]),
      userId: parts[2] ?? "",
      difficulty: Number(parts[3]),
      expiresAtMs: Number(parts[4]),
      mac,
    };
  }

  /**
   * Single use, remembered until the challenge expires. While Redis fails the proof is accepted
   * (logged): the waiting room itself lives in Redis, so there is no queue to flood meanwhile.
   */
  private async markUsed(claims: ChallengeClaims): Promise<boolean> {
    if (!this.breaker.available()) return true;
    const ttlMs = Math.max(1, claims.expiresAtMs - Date.now());
    try {
      const set = await this.redis.set(
        `pow:{ev:${claims.eventId}}:used:${claims.mac}`,
        "1",
        "PX",
        ttlMs,
        "NX",
      );
      this.breaker.succeeded();
      return set === "OK";
    } catch (error) {
      this.breaker.failed(error);
      return true;
    }
  }
}
