import { randomUUID } from "node:crypto";

/**
 * A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Time-ordered like the ids
 * Prisma's `uuid(7)` default creates, for rows whose id the API must know before inserting them.
 *
 * The random bits are a v4 UUID's: `randomUUID` draws from an entropy cache that Node refills in
 * blocks, where `randomBytes(16)` asks OpenSSL on every call (3.7 µs against 0.3 µs here, and a
 * checkout makes six ids). The v4 UUID's version nibble goes, and its variant bits are v7's too.
 */
export function uuidv7(now = Date.now()): string {
  const random = randomUUID();
  const time = now.toString(16).padStart(12, "0");
  return `${time.slice(0, 8)}-${time.slice(8)}-7${random.slice(15)}`;
}
