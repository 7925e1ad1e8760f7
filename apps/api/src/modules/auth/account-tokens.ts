import { createHash, createHmac, timingSafeEqual } from "node:crypto";

// The tokens of emailed links (docs/defences.md, "Password reset"). Neither is stored anywhere:
// - a reset token is HMAC(secret, reset id): the database keeps the id and a SHA-256 of the token, and the
//   mail job computes the token again from the id, so no table and no job payload ever holds it;
// - a verification token carries the account, the address and an expiry, signed: proving an address
//   needs no row, and it proves only that address (changing the email makes older links useless).

const b64 = (buffer: Buffer) => buffer.toString("base64url");

export const sha256 = (text: string) => createHash("sha256").update(text).digest("base64url");

export interface EmailClaim {
  userId: string;
  email: string;
  expiresAt: Date;
}

export class AccountTokens {
  constructor(private readonly secret: string) {}

  private sign(text: string): string {
    return b64(createHmac("sha256", this.secret).update(text).digest());
  }

  resetToken(resetId: string): string {
    return this.sign(`password-reset:${resetId}`);
  }

  verificationToken(claim: EmailClaim): string {
    const body = b64(
      Buffer.from(JSON.stringify({ u: claim.userId, e: claim.email, x: claim.expiresAt.getTime() })),
    );
    return `${body}.${this.sign(`verify-email:${body}`)}`;
  }

  /** The claim of a well-signed verification token (expired or not), or null. */
  readVerificationToken(token: string): EmailClaim | null {
    const [body, signature, extra] = token.split(".");
    if (!body || !signature || extra !== undefined) return null;
    const expected = Buffer.from(this.sign(`verify-email:${body}`));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    try {
      const claim = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as {
        u?: unknown;
        e?: unknown;
        x?: unknown;
      };
      if (typeof claim.u !== "string" || typeof claim.e !== "string" || typeof claim.x !== "number")
        return null;
      return { userId: claim.u, email: claim.e, expiresAt: new Date(claim.x) };
    } catch {
      return null;
    }
  }
}
