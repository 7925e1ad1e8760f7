import type { Logger } from "../../infra/logger.js";
import type { Db } from "../../infra/prisma.js";
import type { SqlPool } from "../../infra/sql.js";
import { AppError, badInput, ErrorCode, notFound } from "../../kernel/errors.js";
import { isUuid } from "../../kernel/ids.js";
import { TRANSACTION_OPTIONS } from "../../kernel/transactions.js";
import type { Viewer } from "../../kernel/viewer.js";
import type { HoldEffects } from "../holds/hold-store.js";
import {
  countOrders,
  lockOrderForCancel,
  type OrderRow,
  orderPageIds,
  ordersById,
  recordCancellation,
  releaseSoldSeats,
} from "./order-store.js";
import { managesEvent, type OrderView, orderView, orderViews } from "./order-views.js";
import { settlePayment } from "./payment-settlement.js";
import type { PaymentProvider } from "./payments.js";
import { refreshSoldOutAfterCommit } from "./sold-out.js";

// A buyer's orders (docs/orders.md): the paged list, one order, and cancellation with its refund.
// Checkout is checkout.service.ts; tickets at the gate are tickets.service.ts.

export const DEFAULT_ORDERS_PAGE = 20;
export const MAX_ORDERS_PAGE = 50;

export interface OrderPage {
  nodes: OrderView[];
  cursors: string[];
  hasNextPage: boolean;
  totalCount: number;
}

// Cursors are opaque to clients: base64url of the sort key (createdAt, id) of the last order seen.
function encodeCursor(order: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([order.createdAt.toISOString(), order.id])).toString("base64url");
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    const date = new Date(String(createdAt));
    if (typeof id === "string" && isUuid(id) && !Number.isNaN(date.getTime())) return { createdAt: date, id };
  } catch {
    // fall through to the client error below
  }
  throw badInput("after is not a cursor returned by this API", { argument: "after" });
}

export class OrdersService {
  constructor(
    private readonly db: Db,
    /** The pool of the hot path (prepared statements, infra/sql.ts): payment steps. */
    private readonly pool: SqlPool,
    private readonly payments: PaymentProvider,
    private readonly effects: HoldEffects,
    private readonly log: Logger,
  ) {}

  async cancelOrder(userId: string, orderId: string): Promise<OrderView> {
    if (!isUuid(orderId)) throw notFound("Order", orderId.slice(0, 40));
    const cancelled = await this.db.$transaction(async (tx) => {
      const order = await lockOrderForCancel(tx, orderId);
      if (!order) throw notFound("Order", orderId);
      if (order.userId !== userId)
        throw new AppError(ErrorCode.FORBIDDEN, "This order belongs to another account");
      if (order.status === "CANCELLED") return null;
      if (order.status !== "CONFIRMED") {
        throw badInput(`Only confirmed orders can be cancelled; this one is ${order.status}`, {
          status: order.status,
        });
      }
      if (order.transferredOut) {
        // cancelOrder refunds the whole order; tickets passed on are not the buyer's to refund.
        throw new AppError(
          ErrorCode.CONFLICT,
          "Some tickets of this order were transferred to someone else: the order can no longer be cancelled",
        );
      }
      if (!order.inTime) {
        throw badInput(`Cancellation closed at ${order.cancellableUntil.toISOString()}`, {
          cancellableUntil: order.cancellableUntil.toISOString(),
        });
      }
      const seatIds = await releaseSoldSeats(tx, orderId);
      await recordCancellation(tx, { orderId, userId, eventId: order.eventId, seatIds });
      return { eventId: order.eventId, holdId: order.holdId, seatIds };
    }, TRANSACTION_OPTIONS);

    if (cancelled) {
      this.effects.notifier.seatsChanged(cancelled.eventId, cancelled.seatIds);
      // The converted hold's Redis locks would keep turning fans away from these seats until it expires.
      await this.effects.seatLocks.release(cancelled.eventId, cancelled.holdId, cancelled.seatIds);
      await refreshSoldOutAfterCommit(this.db, this.log, cancelled.eventId);
      // The cancellation is recorded (CANCELLED, payment still CAPTURED or AUTHORIZED): the money goes
      // back now, or through the recovery job if the provider fails.
      await settlePayment(this.pool, this.payments, orderId, "return").catch((error: unknown) =>
        this.log.warn({ err: error, orderId }, "refund failed; recovery will retry"),
      );
    }
    const [row] = await ordersById(this.db, [orderId]);
    if (!row) throw new Error(`order ${orderId} vanished`);
    return orderView(row);
  }

  async myOrders(userId: string, first = DEFAULT_ORDERS_PAGE, after?: string | null): Promise<OrderPage> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_ORDERS_PAGE) {
      throw badInput(`first must be between 1 and ${MAX_ORDERS_PAGE}`, { argument: "first" });
    }
    const cursor = after ? decodeCursor(after) : null;
    const [ids, totalCount] = await Promise.all([
      orderPageIds(this.db, userId, first + 1, cursor),
      countOrders(this.db, userId),
    ]);
    const pageIds = ids.slice(0, first);
    const rows = new Map((await ordersById(this.db, pageIds)).map((row) => [row.id, row]));
    const nodes = orderViews(pageIds.map((id) => rows.get(id) as OrderRow));
    return { nodes, cursors: nodes.map(encodeCursor), hasNextPage: ids.length > first, totalCount };
  }

  /** One order, for its buyer, the event's organizer or an admin. */
  async order(viewer: Viewer, orderId: string): Promise<OrderView> {
    if (!isUuid(orderId)) throw notFound("Order", orderId.slice(0, 40));
    const [row] = await ordersById(this.db, [orderId]);
    if (!row) throw notFound("Order", orderId);
    if (row.userId !== viewer.userId && !(await managesEvent(this.db, viewer, row.eventId))) {
      throw new AppError(ErrorCode.FORBIDDEN, "This order belongs to another account");
    }
    return orderView(row);
  }
}
