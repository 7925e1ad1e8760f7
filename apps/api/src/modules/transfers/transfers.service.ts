import { randomBytes } from "node:crypto";
import type { Db } from "../../infra/prisma.js";
import { AppError, badInput, ErrorCode, notFound } from "../../kernel/errors.js";
import { isUuid } from "../../kernel/ids.js";
import { TRANSACTION_OPTIONS } from "../../kernel/transactions.js";
import type { Viewer } from "../../kernel/viewer.js";
import { uuidv7 } from "../../lib/uuid7.js";
import { validEmail } from "../auth/auth.service.js";
import { recordAudit } from "../events/audit-store.js";
import { mayManage, requireEventManager } from "../events/event-access.js";
import { eventOrganizerId } from "../events/event-store.js";
import { fanAllowance, lockFanForEvent } from "../holds/hold-store.js";
import {
  accountEmail,
  cancelPendingTransfer,
  eventTransferPolicy,
  insertTransfer,
  lockOrderForTransfer,
  lockTransfer,
  pendingTransfersTo,
  reissueTickets,
  type TransferPolicy,
  type TransferRow,
  ticketsForTransfer,
  transfersById,
  transfersOfEvent,
  transfersOfOrders,
} from "./transfer-store.js";

// Passing tickets on (docs/transfers.md): the sender offers tickets of an order to an e-mail address,
// the account with that address accepts, and the tickets are re-issued to it with new secrets while the
// sender's die. Lock order: the recipient's per-account advisory lock (holds/lock-keys.ts), then the
// transfer row, then the order's seats (in seat order): the same discipline as holds and checkout.

/** A transfer as the API shows it. */
export type TransferView = TransferRow;

/** At most this many tickets in one transfer (an order has at most a hold's worth anyway). */
const MAX_TICKETS_PER_TRANSFER = 50;

function notAllowed(message: string, policy: TransferPolicy): AppError {
  return new AppError(ErrorCode.TRANSFER_NOT_ALLOWED, message, {
    transferableUntil: policy.transferableUntil.toISOString(),
  });
}

/** Refuses unless the event lets fans pass tickets on right now. */
function checkPolicy(policy: TransferPolicy): void {
  if (!policy.transfersAllowed) {
    throw notAllowed("The organizer does not allow ticket transfers for this event", policy);
  }
  if (policy.eventStatus === "CANCELLED" || policy.eventStatus === "ENDED") {
    throw notAllowed(
      `This event is ${policy.eventStatus.toLowerCase()}: its tickets cannot be transferred`,
      policy,
    );
  }
  if (!policy.inTime) {
    throw notAllowed(`Transfers closed at ${policy.transferableUntil.toISOString()}`, policy);
  }
}

export class TransfersService {
  constructor(private readonly db: Db) {}

  /** Offers tickets of the caller's order to `toEmail` (pending until accepted or cancelled). */
  async transferTickets(
    userId: string,
    input: { orderId: string; ticketIds: string[]; toEmail: string },
  ): Promise<TransferView> {
    const toEmail = validEmail(input.toEmail, "toEmail");
    const ticketIds = [...new Set(input.ticketIds)];
    if (ticketIds.length === 0) throw badInput("Choose at least one ticket", { field: "ticketIds" });
    if (ticketIds.length > MAX_TICKETS_PER_TRANSFER || !ticketIds.every(isUuid)) {
      throw badInput("These are not tickets of this order", { field: "ticketIds" });
    }
    if (!isUuid(input.orderId)) throw notFound("Order", input.orderId.slice(0, 40));
    const transferId = uuidv7();
    await this.db.$transaction(async (tx) => {
      const order = await lockOrderForTransfer(tx, input.orderId);
      if (!order) throw notFound("Order", input.orderId);
      if (order.userId !== userId)
        throw new AppError(ErrorCode.FORBIDDEN, "This order belongs to another account");
      if (order.status !== "CONFIRMED") {
        throw new AppError(
          ErrorCode.CONFLICT,
          `Only tickets of a confirmed order can be transferred; this one is ${order.status}`,
        );
      }
      checkPolicy(order);
      if ((await accountEmail(tx, userId)) === toEmail) {
        throw badInput("These tickets are already yours: enter someone else's email", { field: "toEmail" });
      }
      const tickets = await ticketsForTransfer(tx, order.orderId, ticketIds);
      if (tickets.length !== ticketIds.length) {
        throw badInput("These are not tickets of this order", { field: "ticketIds" });
      }
      if (tickets.some((ticket) => !ticket.live)) {
        throw badInput("Only valid, unused tickets can be transferred", { field: "ticketIds" });
      }
      if (tickets.some((ticket) => ticket.pending)) {
        throw badInput("Some of these tickets are already in a pending transfer: cancel it first", {
          field: "ticketIds",
        });
      }
      const offered = {
        transferId,
        orderId: order.orderId,
        toEmail,
        ticketIds: tickets.map((ticket) => ticket.id),
      };
      await insertTransfer(tx, { ...offered, id: transferId, eventId: order.eventId, fromUserId: userId });
      await recordAudit(tx, {
        eventId: order.eventId,
        actorId: userId,
        action: "transfer.offer",
        after: offered,
      });
    }, TRANSACTION_OPTIONS);
    return this.one(transferId);
  }

  /**
   * The recipient (the account whose e-mail the transfer names) takes the tickets: they are re-issued to
   * a new order of theirs, within their per-account limit; the sender's codes read INVALID at once.
   */
  async acceptTransfer(userId: string, transferId: string): Promise<TransferView> {
    const transfer = await this.visible({ userId, role: "FAN" }, transferId);
    await this.db.$transaction(async (tx) => {
      // The recipient's limit lock first, like every step that counts their tickets (holds, checkout).
      await lockFanForEvent(tx, userId, transfer.eventId);
      const locked = await lockTransfer(tx, transferId);
      if (!locked) throw notFound("Transfer", transferId);
      if (locked.state !== "PENDING") {
        throw new AppError(ErrorCode.CONFLICT, `This transfer was ${locked.state.toLowerCase()} already`, {
          state: locked.state,
        });
      }
      if ((await accountEmail(tx, userId)) !== locked.toEmail) {
        throw new AppError(
          ErrorCode.FORBIDDEN,
          `This transfer is for ${locked.toEmail}: sign in with that account`,
        );
      }
      checkPolicy(locked);
      const tickets = await ticketsForTransfer(tx, locked.orderId, locked.ticketIds);
      if (tickets.length !== locked.ticketIds.length || tickets.some((ticket) => !ticket.live)) {
        throw new AppError(
          ErrorCode.CONFLICT,
          "Some of these tickets were used or cancelled since they were offered: ask the sender for a new transfer",
        );
      }
      const { used, limit } = await fanAllowance(tx, userId, locked.eventId);
      if (used + tickets.length > limit) {
        throw new AppError(
          ErrorCode.LIMIT_EXCEEDED,
          `At most ${limit} tickets per account for this event; you hold or have ${used}`,
          { limit, used, requested: tickets.length },
        );
      }
      const reissued = tickets.map((ticket) => ({
        oldId: ticket.id,
        newId: uuidv7(),
        seatId: ticket.seatId,
        areaId: ticket.areaId,
        priceMinor: ticket.priceMinor,
        secretHex: randomBytes(32).toString("hex"),
        burnHex: randomBytes(32).toString("hex"),
      }));
      const newOrderId = uuidv7();
      await reissueTickets(tx, {
        transfer: locked,
        toUserId: userId,
        newOrderId,
        newHoldId: uuidv7(),
        tickets: reissued,
      });
      await recordAudit(tx, {
        eventId: locked.eventId,
        actorId: userId,
        action: "transfer.accept",
        before: {
          transferId,
          orderId: locked.orderId,
          fromUserId: locked.fromUserId,
          ticketIds: locked.ticketIds,
        },
        after: { transferId, orderId: newOrderId, toUserId: userId, ticketIds: reissued.map((t) => t.newId) },
      });
    }, TRANSACTION_OPTIONS);
    return this.one(transferId);
  }

  /** The sender takes back a pending transfer (idempotent: a cancelled one is returned as it is). */
  async cancelTransfer(userId: string, transferId: string): Promise<TransferView> {
    if (!isUuid(transferId)) throw notFound("Transfer", transferId.slice(0, 40));
    await this.db.$transaction(async (tx) => {
      const locked = await lockTransfer(tx, transferId);
      if (!locked) throw notFound("Transfer", transferId);
      if (locked.fromUserId !== userId) {
        throw new AppError(ErrorCode.FORBIDDEN, "Only the sender can cancel a transfer");
      }
      if (locked.state === "ACCEPTED") {
        throw new AppError(ErrorCode.CONFLICT, "This transfer was accepted already", { state: locked.state });
      }
      if (locked.state === "CANCELLED") return;
      await cancelPendingTransfer(tx, transferId);
      await recordAudit(tx, {
        eventId: locked.eventId,
        actorId: userId,
        action: "transfer.cancel",
        before: { transferId, toEmail: locked.toEmail, ticketIds: locked.ticketIds },
      });
    }, TRANSACTION_OPTIONS);
    return this.one(transferId);
  }

  /**
   * One transfer, for its sender, its recipient (by e-mail, before and after accepting), the event's
   * organizer and admins. Anyone else gets NOT_FOUND: a transfer id must not tell who sends what.
   */
  transfer(viewer: Viewer, transferId: string): Promise<TransferView> {
    return this.visible(viewer, transferId);
  }

  /** Whether fans may transfer this event's tickets, and until when. */
  async policy(eventId: number): Promise<{ allowed: boolean; until: Date }> {
    const policy = await eventTransferPolicy(this.db, eventId);
    if (!policy) throw notFound("Event", String(eventId));
    const open = policy.eventStatus !== "CANCELLED" && policy.eventStatus !== "ENDED";
    return { allowed: policy.transfersAllowed && open && policy.inTime, until: policy.transferableUntil };
  }

  async transfersOfOrders(orderIds: readonly string[]): Promise<Map<string, TransferView[]>> {
    const byOrder = new Map<string, TransferView[]>(orderIds.map((id) => [id, []]));
    for (const row of await transfersOfOrders(this.db, orderIds)) byOrder.get(row.orderId)?.push(row);
    return byOrder;
  }

  /** Transfers offered to the caller's e-mail address and still pending. */
  async incomingTransfers(userId: string): Promise<TransferView[]> {
    const email = await accountEmail(this.db, userId);
    return email ? pendingTransfersTo(this.db, email) : [];
  }

  /** Every transfer of an event, oldest first: for the event's organizer and admins (the chain). */
  async eventTransfers(viewer: Viewer, eventId: number): Promise<TransferView[]> {
    await requireEventManager(this.db, viewer, eventId);
    return transfersOfEvent(this.db, eventId);
  }

  private async visible(viewer: Viewer, transferId: string): Promise<TransferView> {
    if (!isUuid(transferId)) throw notFound("Transfer", transferId.slice(0, 40));
    const [row] = await transfersById(this.db, [transferId]);
    if (!row) throw notFound("Transfer", transferId);
    if (row.fromUserId === viewer.userId || row.toUserId === viewer.userId) return row;
    if ((await accountEmail(this.db, viewer.userId)) === row.toEmail) return row;
    if (viewer.role !== "FAN" && mayManage(viewer, (await eventOrganizerId(this.db, row.eventId)) ?? null))
      return row;
    throw notFound("Transfer", transferId);
  }

  private async one(transferId: string): Promise<TransferView> {
    const [row] = await transfersById(this.db, [transferId]);
    if (!row) throw new Error(`transfer ${transferId} vanished`);
    return row;
  }
}
