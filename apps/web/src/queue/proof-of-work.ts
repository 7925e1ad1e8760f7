import { sha256 } from "@noble/hashes/sha2.js";

/**
 * The waiting room's proof of work: find a decimal nonce such that SHA-256("<challenge>:<nonce>") starts
 * with at least `difficulty` zero bits; the answer sent to `joinQueue` is "<challenge>:<nonce>".
 * Synchronous hashing (no `crypto.subtle` promise per attempt) keeps the search loop tight in the worker.
 */

const encoder = new TextEncoder();

/** How many zero bits the digest starts with. */
export function leadingZeroBits(digest: Uint8Array): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

export function proofOfWorkAnswer(challenge: string, nonce: number): string {
  return `${challenge}:${nonce}`;
}

export function meetsDifficulty(answer: string, difficulty: number): boolean {
  return leadingZeroBits(sha256(encoder.encode(answer))) >= difficulty;
}

/** On average a search tries 2^difficulty nonces: the denominator of the progress shown to the fan. */
export function expectedAttempts(difficulty: number): number {
  return 2 ** Math.max(0, difficulty);
}

/**
 * Tries `count` nonces from `firstNonce` on; returns the answer, or null when none of them meets the
 * difficulty (the caller reports progress and goes on with the next batch).
 */
export function searchNonces(
  challenge: string,
  difficulty: number,
  firstNonce: number,
  count: number,
): string | null {
  for (let nonce = firstNonce; nonce < firstNonce + count; nonce++) {
    const answer = proofOfWorkAnswer(challenge, nonce);
    if (meetsDifficulty(answer, difficulty)) return answer;
  }
  return null;
}

/** Messages between the page and `proof-of-work.worker.ts`. */
export interface ProofOfWorkRequest {
  challenge: string;
  difficulty: number;
}

export type ProofOfWorkMessage =
  | { type: "progress"; attempts: number }
  | { type: "solved"; answer: string; attempts: number };
