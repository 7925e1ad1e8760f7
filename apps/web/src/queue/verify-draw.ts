import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";

/**
 * The pre-queue lottery recomputed in the fan's browser, as the API's `queueAudit.algorithm` states it:
 * commitment = hex SHA-256 of the seed's 32 bytes; each entry id's key = hex HMAC-SHA256(seed bytes, entry
 * id as UTF-8); the drawn order sorts the entries by key, ascending. A fan need not trust the page either:
 * the same takes a few lines in any language.
 */

export function commitmentOf(seedHex: string): string {
  return bytesToHex(sha256(hexToBytes(seedHex)));
}

export function drawOrder(seedHex: string, entryIds: readonly string[]): string[] {
  const key = hexToBytes(seedHex);
  return entryIds
    .map((entryId) => ({ entryId, rank: bytesToHex(hmac(sha256, key, utf8ToBytes(entryId))) }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0))
    .map(({ entryId }) => entryId);
}

export interface DrawFacts {
  commitment: string | null;
  seed: string | null;
  preQueueEntries: readonly string[];
  drawnOrder: readonly string[] | null;
}

export interface DrawCheck {
  /** The revealed seed hashes to the commitment published before the draw. */
  commitmentMatches: boolean;
  /** The published order is the one the seed and the entries give. */
  orderMatches: boolean;
}

/** Null until the seed is revealed (nothing to check yet). */
export function checkDraw({
  commitment,
  seed,
  preQueueEntries,
  drawnOrder: published,
}: DrawFacts): DrawCheck | null {
  if (!seed || !commitment || !published || !/^[0-9a-f]{64}$/i.test(seed)) return null;
  const recomputed = drawOrder(seed, preQueueEntries);
  return {
    commitmentMatches: commitmentOf(seed) === commitment.toLowerCase(),
    orderMatches:
      recomputed.length === published.length &&
      recomputed.every((entry, index) => entry === published[index]),
  };
}
