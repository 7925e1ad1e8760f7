import type { Db } from "../../infra/prisma.js";
import type { SqlPool } from "../../infra/sql.js";
import { AppError, ErrorCode, notFound } from "../../kernel/errors.js";
import { isUuid } from "../../kernel/ids.js";
import { TRANSACTION_OPTIONS, type Tx } from "../../kernel/transactions.js";
import { uuidv7 } from "../../lib/uuid7.js";
import { settlePayment } from "./payment-settlement.js";
import type { PaymentProvider } from "./payments.js";
import {
  lockOrderForRefund,
  markRefunded,
  type PendingRefund,
  recordRefund,
  refundById,
  validTickets,
} from "./refund-store.js";

// The one refund rule (docs/organizers.md, "Refunds"), used by an organizer's refundOrder and by the
// cancellation of a whole event. Two steps, so that every ticket's money goes back exactly once:
// 1. `requestRefund`, inside the caller's transaction: voids the tickets, frees their seats, cancels
//    the order when none is left, and records a PENDING refund with its own id and amount;
// 2. `completeRefund`, after commit: asks the provider to refund that amount under the refund's id (the
//    provider refunds an id once, so a retry after a crash gives nothing twice), then marks the refund
//    REFUNDED with its `order.refunded` outbox event. A refund left PENDING is completed by whoever
//    comes next (the cancellation job, or the refund job refundOrder enqueues).

export const REFUND_JOB = "orders.refund";

export interface RequestedRefund {
  refundId: string;
  orderId: string;
  eventId: number;
  seatIds: number[];
  ticketIds: string[];
  amountMinor: number;
  currency: string;
  /** The order before the refund (for the audit log). */
  before: { status: string; validTickets: string[] };
}

export class RefundsService {
  constructor(
    private readonly db: Db,
    private readonly pool: SqlPool,
    private readonly payments: PaymentProvider,
  ) {}

  /**
   * Step 1 (in `tx`): refunds the given tickets of a confirmed order, or all its valid tickets when
   * `ticketIds` is null. BAD_USER_INPUT (field ticketIds) names tickets that are not valid tickets of it.
   */
  async requestRefund(
    tx: Tx,
    request: { orderId: string; ticketIds: string[] | null; reason: string; actorId: string | null },
  ): Promise<RequestedRefund> {
    const { orderId } = request;
    if (!isUuid(orderId)) throw notFound("Order", orderId.slice(0, 40));
    const order = await lockOrderForRefund(tx, orderId);
    if (!order) throw notFound("Order", orderId);
    if (order.status !== "CONFIRMED") {
      throw new AppError(
        ErrorCode.CONFLICT,
        `Only confirmed orders can be refunded; this one is ${order.status}`,
        {
          status: order.status,
        },
      );
    }
    const valid = await validTickets(tx, orderId);
    const wanted =
      request.ticketIds === null ? valid.map((ticket) => ticket.id) : [...new Set(request.ticketIds)];
    const byId = new Map(valid.map((ticket) => [ticket.id, ticket]));
    const unknown = wanted.filter((id) => !byId.has(id));
    if (unknown.length > 0 || wanted.length === 0) {
      throw new AppError(
        ErrorCode.BAD_USER_INPUT,
        wanted.length === 0
          ? "Name at least one ticket to refund"
          : `These are not valid tickets of the order: ${unknown.join(", ")}`,
        { field: "ticketIds", tickets: unknown },
      );
    }
    const tickets = wanted.map((id) => byId.get(id) as (typeof valid)[number]);
    const whole = tickets.length === valid.length;
    const feePerTicket = order.ticketCount > 0 ? Math.floor(order.feesMinor / order.ticketCount) : 0;
    // The last refund gives back all that is left, so rounding never keeps or doubles a cent.
    const amountMinor = whole
      ? order.totalMinor - order.refundedMinor
      : tickets.reduce((sum, ticket) => sum + ticket.priceMinor + feePerTicket, 0);
    const refundId = uuidv7();
    await recordRefund(tx, {
      refundId,
      order,
      tickets,
      amountMinor,
      reason: request.reason,
      actorId: request.actorId,
      whole,
    });
    return {
      refundId,
      orderId,
      eventId: order.eventId,
      seatIds: tickets.map((ticket) => ticket.seatId),
      ticketIds: wanted,
      amountMinor,
      currency: order.currency,
      before: { status: order.status, validTickets: valid.map((ticket) => ticket.id) },
    };
  }

  /** Step 2 (after commit; idempotent): the provider's refund, then the record. */
  async completeRefund(refundId: string, faults: RefundFaults = {}): Promise<boolean> {
    const refund = await refundById(this.db, refundId);
    if (!refund || refund.state === "REFUNDED") return false;
    await this.giveMoneyBack(refund);
    await faults.afterProviderRefund?.(refund);
    return this.db.$transaction(
      (tx) => markRefunded(tx, refund, this.payments.name, uuidv7()),
      TRANSACTION_OPTIONS,
    );
  }

  private async giveMoneyBack(refund: PendingRefund): Promise<void> {
    if (refund.amountMinor === 0 || refund.paymentState === "NONE") return;
    if (refund.paymentState === "AUTHORIZED") {
      if (refund.orderStatus === "CANCELLED") {
        // Nothing was taken yet: cancelling the authorization gives everything back.
        await settlePayment(this.pool, this.payments, refund.orderId, "return");
        return;
      }
      await settlePayment(this.pool, this.payments, refund.orderId, "capture");
    }
    await this.payments.refund(refund.orderId, { refundId: refund.id, amountMinor: refund.amountMinor });
  }
}

/** Test hooks: a crash between the provider's refund and its record. */
export interface RefundFaults {
  afterProviderRefund?: (refund: PendingRefund) => void | Promise<void>;
}
