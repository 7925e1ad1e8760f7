import type { Jobs } from "../../infra/jobs.js";
import { enqueueJobs } from "../../infra/jobs.js";
import type { Logger } from "../../infra/logger.js";
import type { Db } from "../../infra/prisma.js";
import { AppError, ErrorCode, notFound } from "../../kernel/errors.js";
import { isUuid } from "../../kernel/ids.js";
import { TRANSACTION_OPTIONS } from "../../kernel/transactions.js";
import type { Viewer } from "../../kernel/viewer.js";
import { inParallel } from "../../lib/in-parallel.js";
import {
  countOrdersToRefund,
  orderEventId,
  ordersToRefund,
  pendingRefundIds,
  refundedOrderCount,
} from "../orders/refund-store.js";
import {
  REFUND_JOB,
  type RefundFaults,
  type RefundsService,
  type RequestedRefund,
} from "../orders/refunds.service.js";
import type { SeatChangeNotifier } from "../seating/seat-changes.js";
import { recordAudit } from "./audit-store.js";
import { requireEventManager } from "./event-access.js";
import {
  announce,
  cancellationOf,
  endAllHolds,
  finishCancellation,
  insertCancellation,
  lockEvent,
  setEventStatus,
} from "./event-store.js";
import { Problems } from "./problems.js";

// Cancelling an event (docs/organizers.md, "Cancellation"). One transaction stops everything at once:
// the event is CANCELLED (no hold can be placed: place_holds sells only ON_SALE events), every live hold
// ends, `event.cancelled` is announced, and a durable job (graphile-worker, infra/jobs.ts) is added to
// refund the orders. The job works in batches through the refund rule of the orders module
// (refunds.service.ts): each order's refund is recorded before the provider is called with the refund's
// id, so a job killed half-way and run again completes what was pending, refunds nobody twice and
// misses nobody (it stops only when no confirmed order with valid tickets is left).

export const CANCELLATION_JOB = "events.cancel-refunds";
const BATCH = 50;
const PARALLEL_REFUNDS = 8;

export interface CancellationProgress {
  eventId: number;
  reason: string;
  totalOrders: number;
  refundedOrders: number;
  startedAt: Date;
  finishedAt: Date | null;
}

export class CancellationService {
  constructor(
    private readonly db: Db,
    private readonly refunds: RefundsService,
    private readonly seatChanges: SeatChangeNotifier,
    private readonly log: Logger,
  ) {}

  register(jobs: Jobs): void {
    jobs.register(CANCELLATION_JOB, async (payload) => {
      const { eventId } = payload as { eventId?: unknown };
      if (typeof eventId === "number") await this.runRefunds(eventId);
    });
  }

  async cancelEvent(viewer: Viewer, eventId: number, reason: string): Promise<CancellationProgress> {
    const problems = new Problems();
    problems.text("reason", reason, { min: 3, max: 1_000, label: "reason" });
    problems.throwIfAny();
    await requireEventManager(this.db, viewer, eventId);
    const ended = await this.db.$transaction(async (tx) => {
      const event = await lockEvent(tx, eventId);
      if (!event) throw notFound("Event", String(eventId));
      if (event.status === "CANCELLED" || event.status === "ENDED") {
        throw new AppError(ErrorCode.CONFLICT, `This event is already ${event.status.toLowerCase()}`, {
          status: event.status,
        });
      }
      await setEventStatus(tx, eventId, "CANCELLED");
      const holds = await endAllHolds(tx, eventId);
      const totalOrders = await countOrdersToRefund(tx, eventId);
      await insertCancellation(tx, { eventId, reason: reason.trim(), actorId: viewer.userId, totalOrders });
      await announce(tx, "event.cancelled", { eventId, reason: reason.trim() });
      await recordAudit(tx, {
        eventId,
        actorId: viewer.userId,
        action: "event.cancel",
        before: { status: event.status },
        after: { status: "CANCELLED", reason: reason.trim(), ordersToRefund: totalOrders },
      });
      await enqueueJobs(tx, [
        {
          task: CANCELLATION_JOB,
          payload: { eventId },
          jobKey: `cancel-refunds:${eventId}`,
          maxAttempts: 25,
        },
      ]);
      return holds;
    }, TRANSACTION_OPTIONS);
    this.seatChanges.seatsChanged(eventId, ended.seatIds);
    return this.requireProgress(eventId);
  }

  /**
   * The refund job's body (idempotent): first the refunds a previous run left pending, then the orders
   * still to refund, batch after batch, until none is left.
   */
  async runRefunds(eventId: number, faults: RefundFaults = {}): Promise<void> {
    const cancellation = await cancellationOf(this.db, eventId);
    if (!cancellation) return;
    for (;;) {
      const pending = await pendingRefundIds(this.db, eventId, BATCH);
      await inParallel(pending, PARALLEL_REFUNDS, (row) =>
        this.refunds.completeRefund(row.id, faults).then(() => undefined),
      );
      const orders = await ordersToRefund(this.db, eventId, BATCH);
      if (orders.length === 0 && pending.length === 0) break;
      // Orders are independent: a few at a time keep the provider and Postgres busy.
      await inParallel(orders, PARALLEL_REFUNDS, async (orderId) => {
        const refund = await this.db
          .$transaction(
            (tx) =>
              this.refunds.requestRefund(tx, {
                orderId,
                ticketIds: null,
                reason: `Event cancelled: ${cancellation.reason}`,
                actorId: null,
              }),
            TRANSACTION_OPTIONS,
          )
          .catch((error: unknown) => {
            // The buyer cancelled it (or it was refunded) since the batch was read: nothing left to do.
            if (error instanceof AppError) return null;
            throw error;
          });
        if (!refund) return;
        // Its seats were freed: open seat maps and the sales dashboard hear it now, not at the next audit.
        this.seatChanges.seatsChanged(eventId, refund.seatIds);
        await this.refunds.completeRefund(refund.refundId, faults);
      });
    }
    await finishCancellation(this.db, eventId);
    this.log.info({ eventId }, "cancelled event: every order refunded");
  }

  /**
   * An organizer's refund of an order of their event: all its valid tickets, or `ticketIds`. The refund is
   * recorded with a job that completes it if this request is cut short; it is completed here at once.
   */
  async refundOrder(
    viewer: Viewer,
    orderId: string,
    ticketIds: string[] | null,
    reason: string | null,
  ): Promise<RequestedRefund> {
    if (!isUuid(orderId)) throw notFound("Order", orderId.slice(0, 40));
    const eventId = await orderEventId(this.db, orderId);
    if (eventId === null) throw notFound("Order", orderId);
    await requireEventManager(this.db, viewer, eventId);
    const problems = new Problems();
    problems.text("reason", reason, { max: 1_000, label: "reason" });
    problems.check(
      ticketIds === null || ticketIds.every(isUuid),
      "ticketIds",
      "ticketIds must be ticket ids",
    );
    problems.throwIfAny();
    const refund = await this.db.$transaction(async (tx) => {
      const requested = await this.refunds.requestRefund(tx, {
        orderId,
        ticketIds,
        reason: reason?.trim() || "Refunded by the organizer",
        actorId: viewer.userId,
      });
      await recordAudit(tx, {
        eventId,
        actorId: viewer.userId,
        action: "order.refund",
        before: { orderId, ...requested.before },
        after: {
          orderId,
          refundId: requested.refundId,
          ticketIds: requested.ticketIds,
          amountMinor: requested.amountMinor,
        },
      });
      await enqueueJobs(tx, [
        { task: REFUND_JOB, payload: { refundId: requested.refundId }, runAt: new Date(Date.now() + 30_000) },
      ]);
      return requested;
    }, TRANSACTION_OPTIONS);
    this.seatChanges.seatsChanged(eventId, refund.seatIds);
    await this.refunds
      .completeRefund(refund.refundId)
      .catch((error: unknown) =>
        this.log.warn(
          { err: error, refundId: refund.refundId },
          "refund not completed yet; its job will retry",
        ),
      );
    return refund;
  }

  async progress(viewer: Viewer, eventId: number): Promise<CancellationProgress | null> {
    await requireEventManager(this.db, viewer, eventId);
    return (await cancellationOf(this.db, eventId)) ? this.requireProgress(eventId) : null;
  }

  private async requireProgress(eventId: number): Promise<CancellationProgress> {
    const row = await cancellationOf(this.db, eventId);
    if (!row) throw notFound("Cancellation", String(eventId));
    return {
      eventId,
      reason: row.reason,
      totalOrders: row.totalOrders,
      refundedOrders: Math.min(await refundedOrderCount(this.db, eventId, row.createdAt), row.totalOrders),
      startedAt: row.createdAt,
      finishedAt: row.finishedAt,
    };
  }
}
