import type { Db } from "../../infra/prisma.js";
import { type Authorization, type Charge, PaymentOutcomeUnknown, type PaymentProvider } from "./payments.js";

// The built-in payment gateway for development, tests and benchmarks. It keeps its own ledger in the
// `fake_gateway_charge` table, standing for the provider's records: they outlive the API process, so
// the recovery job and the tests can check that every authorization was captured or voided.

/** Test tokens, like a real provider's test cards. */
export const TestTokens = {
  /** Authorized, then captured normally. */
  VISA: "tok_visa",
  /** Declined by the "bank": nothing is reserved. */
  DECLINED: "tok_declined",
  /** Authorized by the gateway, but the answer never arrives (the caller sees a timeout). */
  TIMEOUT: "tok_timeout",
} as const;

type LedgerState = "AUTHORIZED" | "CAPTURED" | "VOIDED" | "REFUNDED" | "DECLINED";

export class PaymentRejected extends Error {
  constructor(operation: string, reference: string, state: string | undefined) {
    super(`${operation} refused for ${reference}: the charge is ${state ?? "unknown"}`);
    this.name = "PaymentRejected";
  }
}

export class FakeGateway implements PaymentProvider {
  readonly name = "fake";

  constructor(private readonly db: Db) {}

  async authorize(charge: Charge): Promise<Authorization> {
    const known = [TestTokens.VISA, TestTokens.DECLINED, TestTokens.TIMEOUT] as string[];
    const state: LedgerState =
      charge.token === TestTokens.DECLINED || !known.includes(charge.token) ? "DECLINED" : "AUTHORIZED";
    // A reference seen before keeps its first answer; a voided one (recovery got there first) stays void.
    const [row] = await this.db.$queryRaw<{ state: LedgerState }[]>`
      INSERT INTO fake_gateway_charge (reference, token, amount_minor, currency, state)
      VALUES (${charge.reference}, ${charge.token}, ${charge.amountMinor}, ${charge.currency}, ${state})
      ON CONFLICT (reference) DO UPDATE SET reference = EXCLUDED.reference
      RETURNING state`;
    if (charge.token === TestTokens.TIMEOUT) throw new PaymentOutcomeUnknown("authorize");
    if (row?.state === "DECLINED") {
      const reason = known.includes(charge.token) ? "card declined" : "unknown payment token";
      return { outcome: "declined", reason };
    }
    if (row?.state === "VOIDED") return { outcome: "declined", reason: "authorization voided" };
    return { outcome: "authorized", providerRef: `fake_${charge.reference}` };
  }

  async capture(reference: string): Promise<void> {
    await this.transition(reference, "capture", ["AUTHORIZED", "CAPTURED"], "CAPTURED");
  }

  async void(reference: string): Promise<void> {
    // Recording the void even without an authorization turns away an authorize still on its way.
    const [row] = await this.db.$queryRaw<{ state: LedgerState }[]>`
      INSERT INTO fake_gateway_charge (reference, token, amount_minor, currency, state)
      VALUES (${reference}, '', 0, 'XXX', 'VOIDED')
      ON CONFLICT (reference) DO UPDATE
        SET state = CASE WHEN fake_gateway_charge.state = 'AUTHORIZED' THEN 'VOIDED'
                         ELSE fake_gateway_charge.state END,
            updated_at = now()
      RETURNING state`;
    if (row?.state !== "VOIDED" && row?.state !== "DECLINED") {
      throw new PaymentRejected("void", reference, row?.state);
    }
  }

  async refund(reference: string): Promise<void> {
    await this.transition(reference, "refund", ["CAPTURED", "REFUNDED"], "REFUNDED");
  }

  private async transition(
    reference: string,
    operation: string,
    from: LedgerState[],
    to: LedgerState,
  ): Promise<void> {
    const changed = await this.db.$executeRaw`
      UPDATE fake_gateway_charge SET state = ${to}, updated_at = now()
      WHERE reference = ${reference} AND state = ANY(${from}::text[])`;
    if (changed === 1) return;
    const [row] = await this.db.$queryRaw<{ state: LedgerState }[]>`
      SELECT state FROM fake_gateway_charge WHERE reference = ${reference}`;
    throw new PaymentRejected(operation, reference, row?.state);
  }
}
