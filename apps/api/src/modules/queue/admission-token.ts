import { createHmac, timingSafeEqual } from "node:crypto";

// Admission tokens: `<base64url(JSON claims)>.<base64url(HMAC-SHA256(secret, first part))>`.
// The signature makes them unforgeable; the claims bind them to one account, one event, one
// admission (entry and session ids) and the end of its shopping window. Whether that admission is
// still live is checked against the waiting room's state (AdmissionGate), so a token stops working
// as soon as its session ends, even before `exp`.

export interface AdmissionClaims {
  /** The account admitted. */
  userId: string;
  eventId: number;
  /** The queue entry, and which of its admissions (a fan who rejoins gets a new one). */
  entryId: string;
  sessionId: string;
  /** The end of the shopping window, in ms since the epoch. */
  expiresAt: number;
}

interface WireClaims {
  u: string;
  e: number;
  n: string;
  s: string;
  x: number;
}

export class AdmissionTokens {
  constructor(private readonly secret: string) {}

  sign(claims: AdmissionClaims): string {
    const wire: WireClaims = {
      u: claims.userId,
      e: claims.eventId,
      n: claims.entryId,
      s: claims.sessionId,
      x: claims.expiresAt,
    };
    const body = Buffer.from(JSON.stringify(wire)).toString("base64url");
    return `${body}.${this.signature(body).toString("base64url")}`;
  }

  /** The claims of a token this secret signed; null for anything else (malformed or forged). */
  verify(token: string): AdmissionClaims | null {
    const [body, signature, extra] = token.split(".");
    if (!body || !signature || extra !== undefined || token.length > 1_000) return null;
    const given = Buffer.from(signature, "base64url");
    const expected = this.signature(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    try {
      const wire = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as Partial<WireClaims>;
      if (
        typeof wire.u !== "string" ||
        typeof wire.e !== "number" ||
        typeof wire.n !== "string" ||
        typeof wire.s !== "string" ||
        typeof wire.x !== "number"
      ) {
        return null;
      }
      return { userId: wire.u, eventId: wire.e, entryId: wire.n, sessionId: wire.s, expiresAt: wire.x };
    } catch {
      return null;
    }
  }

  private signature(body: string): Buffer {
    return createHmac("sha256", this.secret).update(body).digest();
  }
}
