import {
  createHmac,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign,
  timingSafeEqual,
  verify,
} from "node:crypto";

// Rotating, signed ticket codes (docs/orders.md). A code is base64url of
//   version (1 byte) | ticket id (16 bytes) | window (uint32) | tag (4 bytes) | Ed25519 signature (64)
// where window = floor(unix seconds / windowSeconds) and tag = HMAC-SHA256(ticket secret, window)
// truncated, TOTP-style. The signature covers everything before it, so scanners holding only the
// public key can check a code offline (genuine, current window); the API also checks the tag against
// the ticket's secret, the ticket's status and its first use.
//
// The static code (printed on the PDF, in Wallet passes) is a second, separate credential:
//   version 2 (1 byte) | ticket id (16 bytes) | tag (8 bytes) | Ed25519 signature (64)
// with tag = HMAC-SHA256(ticket secret, "frontrow static code")[0..8]. It never expires on its own; the
// server refuses it when the event turns static codes off, and a re-issued ticket (new secret) or a
// void one kills it. Knowing it says nothing about the rotating codes (HMAC is one-way).

const VERSION = 1;
const STATIC_VERSION = 2;
const ID_BYTES = 16;
const TAG_BYTES = 4;
const STATIC_TAG_BYTES = 8;
const SIGNATURE_BYTES = 64;
const PAYLOAD_BYTES = 1 + ID_BYTES + 4 + TAG_BYTES;
const STATIC_PAYLOAD_BYTES = 1 + ID_BYTES + STATIC_TAG_BYTES;
const STATIC_TAG_LABEL = Buffer.from("frontrow static code");
// PKCS#8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410).
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
/** Codes of the window before and after the current one still pass: scanner and phone clocks drift. */
const SKEW_WINDOWS = 1;

export type CodeReading =
  | { valid: true; kind: "rotating"; ticketId: string; window: number; tag: Buffer }
  | { valid: true; kind: "static"; ticketId: string; tag: Buffer }
  | { valid: false; reason: string };

type ValidReading = Extract<CodeReading, { valid: true }>;

function uuidToBytes(id: string): Buffer {
  return Buffer.from(id.replace(/-/g, ""), "hex");
}

function bytesToUuid(bytes: Buffer): string {
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** An Ed25519 private key from its 32-byte seed, given base64url (TICKET_SIGNING_KEY). */
export function signingKeyFromSeed(seed: string): KeyObject {
  const raw = Buffer.from(seed, "base64url");
  if (raw.length !== 32) throw new Error("TICKET_SIGNING_KEY must be 32 bytes, base64url encoded");
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, raw]), format: "der", type: "pkcs8" });
}

export class TicketCodes {
  private readonly publicKey: KeyObject;
  readonly publicKeyPem: string;

  constructor(
    private readonly privateKey: KeyObject,
    readonly windowSeconds: number,
  ) {
    this.publicKey = createPublicKey(privateKey);
    this.publicKeyPem = this.publicKey.export({ format: "pem", type: "spki" }).toString();
  }

  windowAt(now: number): number {
    return Math.floor(now / 1000 / this.windowSeconds);
  }

  /** The code to show now and when it stops being the current one. */
  issue(ticket: { id: string; secret: Uint8Array }, now = Date.now()): { code: string; expiresAt: Date } {
    const window = this.windowAt(now);
    const payload = Buffer.alloc(PAYLOAD_BYTES);
    payload.writeUInt8(VERSION, 0);
    uuidToBytes(ticket.id).copy(payload, 1);
    payload.writeUInt32BE(window, 1 + ID_BYTES);
    this.tag(ticket.secret, window).copy(payload, 1 + ID_BYTES + 4);
    const signature = sign(null, payload, this.privateKey);
    return {
      code: Buffer.concat([payload, signature]).toString("base64url"),
      expiresAt: new Date((window + 1) * this.windowSeconds * 1000),
    };
  }

  /** The ticket's static code (printed, emailed, in Wallet): the same every time it is asked for. */
  issueStatic(ticket: { id: string; secret: Uint8Array }): string {
    const payload = Buffer.alloc(STATIC_PAYLOAD_BYTES);
    payload.writeUInt8(STATIC_VERSION, 0);
    uuidToBytes(ticket.id).copy(payload, 1);
    this.staticTag(ticket.secret).copy(payload, 1 + ID_BYTES);
    return Buffer.concat([payload, sign(null, payload, this.privateKey)]).toString("base64url");
  }

  /**
   * Checks the format, the signature and (rotating codes) the window; the tag is checked by
   * `tagMatches`, whether static codes are allowed by the caller (they depend on the event).
   */
  read(code: string, now = Date.now()): CodeReading {
    const bytes = /^[A-Za-z0-9_-]+$/.test(code) ? Buffer.from(code, "base64url") : Buffer.alloc(0);
    const payloadBytes = bytes[0] === VERSION ? PAYLOAD_BYTES : STATIC_PAYLOAD_BYTES;
    if (
      (bytes[0] !== VERSION && bytes[0] !== STATIC_VERSION) ||
      bytes.length !== payloadBytes + SIGNATURE_BYTES
    ) {
      return { valid: false, reason: "This is not a Frontrow ticket code" };
    }
    const payload = bytes.subarray(0, payloadBytes);
    if (!verify(null, payload, this.publicKey, bytes.subarray(payloadBytes))) {
      return { valid: false, reason: "The code's signature is not genuine" };
    }
    const ticketId = bytesToUuid(payload.subarray(1, 1 + ID_BYTES));
    if (bytes[0] === STATIC_VERSION) {
      return { valid: true, kind: "static", ticketId, tag: Buffer.from(payload.subarray(1 + ID_BYTES)) };
    }
    const window = payload.readUInt32BE(1 + ID_BYTES);
    if (Math.abs(window - this.windowAt(now)) > SKEW_WINDOWS) {
      return { valid: false, reason: "The code has expired: ask for the live ticket, not a screenshot" };
    }
    return {
      valid: true,
      kind: "rotating",
      ticketId,
      window,
      tag: Buffer.from(payload.subarray(1 + ID_BYTES + 4)),
    };
  }

  tagMatches(reading: ValidReading, secret: Uint8Array): boolean {
    const expected = reading.kind === "static" ? this.staticTag(secret) : this.tag(secret, reading.window);
    return timingSafeEqual(reading.tag, expected);
  }

  private staticTag(secret: Uint8Array): Buffer {
    return createHmac("sha256", secret).update(STATIC_TAG_LABEL).digest().subarray(0, STATIC_TAG_BYTES);
  }

  private tag(secret: Uint8Array, window: number): Buffer {
    const counter = Buffer.alloc(8);
    counter.writeBigUInt64BE(BigInt(window));
    return createHmac("sha256", secret).update(counter).digest().subarray(0, TAG_BYTES);
  }
}
