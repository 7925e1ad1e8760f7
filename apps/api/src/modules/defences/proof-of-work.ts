import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Db } from "../../infra/prisma.js";
import { AppError, ErrorCode, notFound } from "../../kernel/errors.js";
import type { NewEntryGate } from "../queue/queue.service.js";
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
  constructor(
    private readonly db: Db,
    private readonly signals: BotSignalRecorder,
    private readonly options: ProofOfWorkOptions,
  ) {}

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
   * What a new waiting-room entry of this fan and event must pass at `difficulty` (the event's current
   * one; 0 turns the check off): `proof` ("<challenge>:<nonce>") is checked here, and the room claims it,
   * once, as it makes the entry (until the challenge expires). A fan with a live entry gets it back
   * without a proof, so only a new entry is refused: BAD_USER_INPUT, or FORBIDDEN for a forged or another
   * fan's challenge, with `extensions.reason`, recorded as a bot signal (but an expired one).
   */
  entryGate(
    proof: string | null | undefined,
    userId: string,
    eventId: number,
    difficulty: number,
    meta: { ip?: string } = {},
  ): NewEntryGate | undefined {
    if (difficulty <= 0) return undefined;
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
    const checked = this.check(proof, userId, eventId, difficulty);
    if ("reason" in checked) return { claim: null, refuse: () => refuse(checked.reason, checked.message) };
    return {
      claim: checked,
      refuse: () => refuse("USED", "This proof of work was already used: ask for a new challenge"),
    };
  }

  /** The proof's single-use key and lifetime, or why it is refused; one HMAC and one hash, no I/O. */
  private check(
    proof: string | null | undefined,
    userId: string,
    eventId: number,
    difficulty: number,
  ): { key: string; ttlMs: number } | { reason: ProofRefusal; message: string } {
    const refusal = (reason: ProofRefusal, message: string) => ({ reason, message });
    if (!proof) {
      return refusal(
        "REQUIRED",
        "This event's queue asks for a proof of work: solve proofOfWorkChallenge(eventId)",
      );
    }
    const separator = proof.lastIndexOf(":");
    const challenge = proof.slice(0, separator);
    if (separator < 0 || !NONCE.test(proof.slice(separator + 1))) {
      return refusal("MALFORMED", 'proofOfWork must be "<challenge>:<nonce>" with a decimal nonce');
    }
    const claims = this.parse(challenge);
    if (!claims) return refusal("FORGED", "This proof-of-work challenge was not issued by Frontrow");
    if (claims.userId !== userId || claims.eventId !== eventId) {
      return refusal("NOT_YOURS", "This proof-of-work challenge was issued to another account or event");
    }
    const ttlMs = claims.expiresAtMs - Date.now();
    if (ttlMs <= 0) return refusal("EXPIRED", "This proof-of-work challenge has expired: ask for a new one");
    if (claims.difficulty < difficulty) {
      return refusal("TOO_EASY", `The difficulty is now ${difficulty}: ask for a new challenge`);
    }
    if (leadingZeroBits(sha256(proof)) < claims.difficulty) {
      return refusal("WRONG", `This nonce does not give ${claims.difficulty} leading zero bits`);
    }
    // In the room's hash-tag slot ({ev:<id>}): claimed in the script that makes the entry.
    return { key: `pow:{ev:${claims.eventId}}:used:${claims.mac}`, ttlMs };
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
}
