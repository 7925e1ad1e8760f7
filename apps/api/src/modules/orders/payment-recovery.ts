import type { Logger } from "../../infra/logger.js";
import type { Db } from "../../infra/prisma.js";
import type { SqlPool } from "../../infra/sql.js";
import { BackgroundJob } from "../../lib/background-job.js";
import { claimStaleOrders, failPendingOrder } from "./order-store.js";
import { type Settlement, settlePayment } from "./payment-settlement.js";
import type { PaymentProvider } from "./payments.js";

export interface PaymentRecoveryOptions {
  intervalMs: number;
  /** An order whose payment has not moved for this long is taken to be abandoned by its request. */
  staleAfterMs: number;
  batchSize?: number;
}

export interface RecoveryResult {
  captured: number;
  voided: number;
  returned: number;
  /** Orders whose settlement failed this time (the provider is down): retried on the next run. */
  failed: number;
}

/**
 * Settles the money of orders a request left half-done: a crash, a timeout or a provider outage
 * between the order's recorded state and the provider's answer. Runs on every instance; each run
 * leases a batch of stale orders with `FOR UPDATE SKIP LOCKED` (and a fresh updated_at), so instances
 * never settle the same order at the same time, and every step is idempotent anyway:
 * - PENDING (payment AUTHORIZING/AUTHORIZED): the seats were never sold to it. Fail it, then void.
 * - FAILED with an authorization that may exist: void.
 * - CONFIRMED and only AUTHORIZED: its seats are sold to it, so capture.
 * - CANCELLED and still CAPTURED or AUTHORIZED: refund or void.
 */
export class PaymentRecovery {
  private readonly job: BackgroundJob<RecoveryResult>;

  constructor(
    private readonly db: Db,
    private readonly pool: SqlPool,
    private readonly payments: PaymentProvider,
    private readonly log: Logger,
    private readonly options: PaymentRecoveryOptions,
  ) {
    this.job = new BackgroundJob("payment recovery", () => this.recover(), log, options.intervalMs);
  }

  start(): void {
    this.job.start();
  }

  stop(): Promise<void> {
    return this.job.stop();
  }

  /** Runs now, after any run in progress; `staleAfterMs` overrides the configured age (tests use 0). */
  runNow(staleAfterMs = this.options.staleAfterMs): Promise<RecoveryResult> {
    return this.job.runNow(() => this.recover(staleAfterMs));
  }

  private async recover(staleAfterMs = this.options.staleAfterMs): Promise<RecoveryResult> {
    const result: RecoveryResult = { captured: 0, voided: 0, returned: 0, failed: 0 };
    const stale = await claimStaleOrders(this.db, staleAfterMs, this.options.batchSize ?? 100);
    for (const order of stale) {
      const settlement: Settlement =
        order.status === "CONFIRMED" ? "capture" : order.status === "CANCELLED" ? "return" : "void";
      try {
        if (order.status === "PENDING") {
          // Failing it first turns away the request's conversion, should that request still be alive.
          await failPendingOrder(this.db, order.id);
        }
        if (await settlePayment(this.pool, this.payments, order.id, settlement)) {
          if (settlement === "capture") result.captured++;
          else if (settlement === "void") result.voided++;
          else result.returned++;
        }
      } catch (error) {
        result.failed++;
        this.log.warn({ err: error, orderId: order.id, settlement }, "payment recovery: settlement failed");
      }
    }
    if (stale.length) this.log.info({ ...result }, "payment recovery settled abandoned orders");
    return result;
  }
}
