import { createHash, createHmac, randomBytes } from "node:crypto";

// The pre-queue lottery (docs/queue.md): anyone holding the revealed seed and the entry ids can
// recompute the drawn order, and the commitment published before the draw proves the seed was not
// chosen after seeing the entries.

export const SHUFFLE_ALGORITHM =
  "seed = 32 random bytes, shown as 64 lowercase hex chars; commitment = lowercase hex SHA-256 of the " +
  "seed's 32 bytes (not of its hex text). For each pre-queue entry id e, key(e) = lowercase hex " +
  "HMAC-SHA256(key = the seed's 32 bytes, message = the UTF-8 bytes of e). The drawn order sorts the " +
  "entries by key(e) ascending (byte order of the hex text); the first gets ticket 1, the next 2, and " +
  "so on. Fans who join after sale start get the following ticket numbers in arrival order.";

export function newSeed(): string {
  return randomBytes(32).toString("hex");
}

export function commitmentOf(seedHex: string): string {
  return createHash("sha256").update(Buffer.from(seedHex, "hex")).digest("hex");
}

/** The pre-queue's entry ids in drawn order (see SHUFFLE_ALGORITHM). */
export function drawOrder(seedHex: string, entryIds: readonly string[]): string[] {
  const key = Buffer.from(seedHex, "hex");
  return entryIds
    .map((entryId) => ({ entryId, rank: createHmac("sha256", key).update(entryId, "utf8").digest("hex") }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0))
    .map(({ entryId }) => entryId);
}
