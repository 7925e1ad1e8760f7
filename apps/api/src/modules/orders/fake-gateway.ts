import { type PreparedStatement, queryPrepared, type SqlPool } from "../../infra/sql.js";
import {
  type Authorization,
  type Charge,
  type PartialRefund,
  PaymentOutcomeUnknown,
  type PaymentProvider,
} from "./payments.js";

// The built-in payment gateway for development, tests and benchmarks. It keeps its own ledger in the
// `fake_gateway_charge` table, standing for the provider's records: they outlive the API process, so
// the recovery job and the tests can check that every authorization was captured or voided. It stays
// in Postgres rather than Redis (docs/orders.md): the tests' and the benchmark's invariants join it with
// the orders in one SQL statement, and Redis here may not persist. Its statements are prepared, like
// the checkout's, through the same pool.

// A reference seen before keeps its first answer; a voided one (recovery got there first) stays void.
const AUTHORIZE: PreparedStatement = {
  name: "fake-gateway.authorize",
  text: `
    INSERT INTO fake_gateway_charge (reference, token, amount_minor, currency, state)
    VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (reference) DO UPDATE SET reference = EXCLUDED.reference
    RETURNING state`,
};

// Recording the void even without an authorization turns away an authorize still on its way.
const VOID: PreparedStatement = {
  name: "fake-gateway.void",
  text: `
    INSERT INTO fake_gateway_charge (reference, token, amount_minor, currency, state)
    VALUES ($1, '', 0, 'XXX', 'VOIDED')
    ON CONFLICT (reference) DO UPDATE
      SET state = CASE WHEN fake_gateway_charge.state = 'AUTHORIZED' THEN 'VOIDED'
                       ELSE fake_gateway_charge.state END,
          updated_at = now()
    RETURNING state`,
};

// Moves the charge from one of the states $3 to $2; the charge's state either way.
const TRANSITION: PreparedStatement = {
  name: "fake-gateway.transition",
  text: `
    WITH moved AS (
      UPDATE fake_gateway_charge SET state = $2, updated_at = now()
      WHERE reference = $1 AND state = ANY($3::text[])
      RETURNING state
    )
    SELECT state, true AS moved FROM moved
    UNION ALL
    SELECT state, false AS moved FROM fake_gateway_charge WHERE reference = $1 AND NOT EXISTS (SELECT FROM moved)`,
};

// A part of a captured charge given back, once per refund id, never more than what is left; the charge is
// REFUNDED when nothing is left.
const REFUND_PART: PreparedStatement = {
  name: "fake-gateway.refund-part",
  text: `
    WITH charge AS (
      SELECT reference, amount_minor FROM fake_gateway_charge
      WHERE reference = $1 AND state IN ('CAPTURED', 'REFUNDED')
      FOR UPDATE
    ), given AS (
      INSERT INTO fake_gateway_refund (refund_id, reference, amount_minor)
      SELECT $2, c.reference,
             least($3::int, c.amount_minor - (SELECT coalesce(sum(r.amount_minor), 0)::int
                                               FROM fake_gateway_refund r WHERE r.reference = $1))
      FROM charge c
      ON CONFLICT (refund_id) DO NOTHING
      RETURNING amount_minor
    ), settled AS (
      UPDATE fake_gateway_charge f SET state = 'REFUNDED', updated_at = now()
      FROM charge c, given g
      WHERE f.reference = c.reference AND c.amount_minor <= g.amount_minor
        + (SELECT coalesce(sum(r.amount_minor), 0) FROM fake_gateway_refund r WHERE r.reference = $1)
    )
    SELECT count(*)::int AS charges FROM charge`,
};

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

  constructor(private readonly pool: SqlPool) {}

  async authorize(charge: Charge): Promise<Authorization> {
    const known = [TestTokens.VISA, TestTokens.DECLINED, TestTokens.TIMEOUT] as string[];
    const state: LedgerState =
      charge.token === TestTokens.DECLINED || !known.includes(charge.token) ? "DECLINED" : "AUTHORIZED";
    const [row] = await queryPrepared<{ state: LedgerState }>(this.pool, AUTHORIZE, [
      charge.reference,
      charge.token,
      charge.amountMinor,
      charge.currency,
      state,
    ]);
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
    const [row] = await queryPrepared<{ state: LedgerState }>(this.pool, VOID, [reference]);
    if (row?.state !== "VOIDED" && row?.state !== "DECLINED") {
      throw new PaymentRejected("void", reference, row?.state);
    }
  }

  async refund(reference: string, part?: PartialRefund): Promise<void> {
    if (!part) {
      await this.transition(reference, "refund", ["CAPTURED", "REFUNDED"], "REFUNDED");
      return;
    }
    const [row] = await queryPrepared<{ charges: number }>(this.pool, REFUND_PART, [
      reference,
      part.refundId,
      part.amountMinor,
    ]);
    if (row?.charges !== 1) throw new PaymentRejected("refund", reference, "not captured");
  }

  private async transition(
    reference: string,
    operation: string,
    from: LedgerState[],
    to: LedgerState,
  ): Promise<void> {
    const [row] = await queryPrepared<{ state: LedgerState; moved: boolean }>(this.pool, TRANSITION, [
      reference,
      to,
      from,
    ]);
    if (row?.moved) return;
    throw new PaymentRejected(operation, reference, row?.state);
  }
}
