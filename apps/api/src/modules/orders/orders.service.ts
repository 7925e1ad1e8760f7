import { createHash, randomBytes } from "node:crypto";
import DataLoader from "dataloader";
import { AppError, badInput, ErrorCode, notFound } from "../../errors.js";
import { Prisma } from "../../generated/prisma/client.js";
import type { OrderStatus, TicketStatus } from "../../generated/prisma/enums.js";
import type { Logger } from "../../infra/logger.js";
import type { Db } from "../../infra/prisma.js";
import type { SqlPool } from "../../infra/sql.js";
import { uuidv7 } from "../../lib/uuid7.js";
import type { Viewer } from "../auth/session-store.js";
import { type EventView, toEventView } from "../catalog/catalog.service.js";
import type { HoldEffects } from "../holds/hold-store.js";
import type { HoldSeatView, Money } from "../holds/holds.service.js";
import {
  beginCheckout,
  ConversionRefused,
  convertHold,
  type HeldSeat,
  type HoldForCheckout,
  type OrderRow,
  ordersById,
  recordPaymentStep,
  refreshSoldOut,
} from "./order-store.js";
import { settlePayment } from "./payment-settlement.js";
import { PaymentOutcomeUnknown, type PaymentProvider } from "./payments.js";
import type { TicketCodes } from "./ticket-codes.js";

// Checkout, orders and tickets (docs/orders.md). Exactly once: the order and its payment state are
// recorded in Postgres before each call to the payment provider, every provider call is idempotent on
// the order id, and the seats change hands only in the guarded conversion statement.

export const DEFAULT_ORDERS_PAGE = 20;
export const MAX_ORDERS_PAGE = 50;
const MAX_KEY_LENGTH = 255;
const MAX_TOKEN_LENGTH = 255;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TRANSACTION_OPTIONS = { maxWait: 3_000, timeout: 10_000 };
const DUPLICATE_POLL_MS = 50;

/**
 * `extensions.reason` of PAYMENT_DECLINED: nothing was charged in every case and the hold stays, but a
 * client tells "try another card" (DECLINED) from "try again" (the provider did not answer, or answered
 * after the order was given up).
 */
export const PAYMENT_FAILURE = {
  DECLINED: "DECLINED",
  PROVIDER_UNAVAILABLE: "PROVIDER_UNAVAILABLE",
  TIMED_OUT: "TIMED_OUT",
} as const;

/** Where a test makes checkout "crash" to prove that recovery settles every step. */
export type CheckoutStep = "recorded" | "authorized" | "converted" | "captured";
export interface CheckoutFaults {
  /**
   * Runs right after `step`: throws SimulatedCrash to stop the checkout dead there, or returns a promise
   * to do something meanwhile (e.g. let payment recovery give the order up) before it goes on.
   */
  reached(step: CheckoutStep, orderId: string): void | Promise<void>;
}

/** Stops a checkout as a dying process would: nothing handles it, nothing runs after it. */
export class SimulatedCrash extends Error {
  constructor(step: CheckoutStep) {
    super(`simulated crash after ${step}`);
    this.name = "SimulatedCrash";
  }
}

export interface TicketView {
  id: string;
  status: TicketStatus;
  usedAt: Date | null;
  seat: HoldSeatView;
  price: Money;
  eventId: number;
  /** The per-ticket secret the rotating code is derived from; never sent to clients. */
  secret: Uint8Array;
}

/** Loads what a set of order views shows lazily, in one query per kind for all of them. */
export interface OrderRelations {
  event(eventId: number): Promise<EventView>;
  tickets(orderId: string): Promise<TicketView[]>;
}

export interface OrderView {
  id: string;
  status: OrderStatus;
  eventId: number;
  subtotal: Money;
  fees: Money;
  total: Money;
  createdAt: Date;
  cancelledAt: Date | null;
  cancellableUntil: Date;
  canCancel: boolean;
  userId: string;
  related: OrderRelations;
}

export interface OrderPage {
  nodes: OrderView[];
  cursors: string[];
  hasNextPage: boolean;
  totalCount: number;
}

export interface CheckoutInput {
  holdId: string;
  paymentToken: string;
  idempotencyKey: string;
}

export type VerificationResult = "VALID" | "ALREADY_USED" | "INVALID" | "VOID";

export interface VerificationView {
  result: VerificationResult;
  message: string;
  ticket: TicketView | null;
  usedAt: Date | null;
}

export interface OrdersOptions {
  /** How long a duplicate checkout (same key) waits for the first one to finish before answering. */
  duplicateWaitMs: number;
}

interface TicketRow {
  id: string;
  orderId: string;
  eventId: number;
  status: TicketStatus;
  usedAt: Date | null;
  priceMinor: number;
  currency: string;
  secret: Uint8Array;
  seatId: number;
  row: string;
  number: number;
  sectionId: number;
  section: string;
}

const TICKET_COLUMNS = `t.id, t.order_id AS "orderId", t.event_id AS "eventId", t.status, t.used_at AS "usedAt",
  t.price_minor AS "priceMinor", o.currency, t.secret, s.id AS "seatId", s.row_label AS "row", s.number,
  sec.id AS "sectionId", sec.name AS "section"`;

function ticketView(row: TicketRow): TicketView {
  return {
    id: row.id,
    status: row.status,
    usedAt: row.usedAt,
    eventId: row.eventId,
    secret: row.secret,
    price: { amount: row.priceMinor, currency: row.currency },
    seat: {
      id: row.seatId,
      row: row.row,
      number: row.number,
      sectionId: row.sectionId,
      section: row.section,
      price: { amount: row.priceMinor, currency: row.currency },
    },
  };
}

function requestHash({ holdId, paymentToken }: CheckoutInput): string {
  return createHash("sha256").update(`${holdId}\n${paymentToken}`).digest("hex");
}

// Cursors are opaque to clients: base64url of the sort key (createdAt, id) of the last order seen.
function encodeCursor(order: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([order.createdAt.toISOString(), order.id])).toString("base64url");
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    const date = new Date(String(createdAt));
    if (typeof id === "string" && UUID.test(id) && !Number.isNaN(date.getTime()))
      return { createdAt: date, id };
  } catch {
    // fall through to the client error below
  }
  throw badInput("after is not a cursor returned by this API", { argument: "after" });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class OrdersService {
  /** The current code of each ticket view: both code fields of one response show the same code. */
  private readonly codes = new WeakMap<TicketView, { code: string; expiresAt: Date }>();

  constructor(
    private readonly db: Db,
    /** The pool of the hot path (prepared statements, infra/sql.ts): checkout and payment steps. */
    private readonly pool: SqlPool,
    private readonly payments: PaymentProvider,
    private readonly ticketCodes: TicketCodes,
    private readonly effects: HoldEffects,
    private readonly log: Logger,
    private readonly options: OrdersOptions,
    private readonly faults: CheckoutFaults = { reached: () => undefined },
  ) {}

  async checkout(userId: string, input: CheckoutInput): Promise<OrderView> {
    const { holdId, paymentToken, idempotencyKey } = input;
    if (idempotencyKey.length < 1 || idempotencyKey.length > MAX_KEY_LENGTH) {
      throw badInput(`idempotencyKey must have 1 to ${MAX_KEY_LENGTH} characters`, {
        argument: "idempotencyKey",
      });
    }
    if (paymentToken.length < 1 || paymentToken.length > MAX_TOKEN_LENGTH) {
      throw badInput("paymentToken is not a payment token", { argument: "paymentToken" });
    }
    const hash = requestHash(input);
    if (!UUID.test(holdId)) throw notFound("Hold", holdId.slice(0, 40));
    const orderId = uuidv7();
    const start = await beginCheckout(this.pool, {
      userId,
      holdId,
      idempotencyKey,
      requestHash: hash,
      orderId,
      paymentId: uuidv7(),
      provider: this.payments.name,
    });
    // The key was used before (maybe by a concurrent request that won the insert): answer as it will.
    if (start.kind === "keyUsed") return this.replay(start.keyOrderId, hash);
    const { hold, createdAt } = start;
    this.checkHold(userId, holdId, hold);
    // Checked and not recorded: the only way left is another order for this hold that won the race.
    if (!createdAt) throw this.alreadyCheckedOut(hold.liveOrderId);
    const fees = hold.feesMinor;
    await this.faults.reached("recorded", orderId);

    const providerRef = await this.authorize(orderId, hold, paymentToken);
    await this.faults.reached("authorized", orderId);

    const tickets = await this.convert(orderId, hold, providerRef);
    await this.faults.reached("converted", orderId);

    // Confirmed: the capture can fail now without losing the sale; recovery retries it.
    const known = { status: "CONFIRMED", paymentState: "AUTHORIZED" } as const;
    await settlePayment(this.pool, this.payments, orderId, "capture", {
      known,
      afterProviderCall: () => this.faults.reached("captured", orderId),
    }).catch((error: unknown) => {
      if (error instanceof SimulatedCrash) throw error;
      this.log.warn({ err: error, orderId }, "capture failed; recovery will retry");
    });

    // Everything the answer shows is known here: no need to read the order back.
    const currency = hold.currency;
    const [view] = this.views(
      [
        {
          id: orderId,
          userId,
          eventId: hold.eventId,
          holdId,
          status: "CONFIRMED",
          paymentState: "CAPTURED",
          subtotalMinor: hold.totalMinor,
          feesMinor: fees,
          totalMinor: hold.totalMinor + fees,
          currency,
          requestHash: hash,
          createdAt,
          cancelledAt: null,
          cancellableUntil: hold.cancellableUntil,
        },
      ],
      new Map([[orderId, tickets]]),
    );
    return view as OrderView;
  }

  async cancelOrder(userId: string, orderId: string): Promise<OrderView> {
    if (!UUID.test(orderId)) throw notFound("Order", orderId.slice(0, 40));
    const cancelled = await this.db.$transaction(async (tx) => {
      const [order] = await tx.$queryRaw<(OrderRow & { inTime: boolean })[]>`
        SELECT o.id, o.user_id AS "userId", o.status, o.event_id AS "eventId", o.hold_id AS "holdId",
               e.starts_at - make_interval(hours => e.cancel_cutoff_hours) AS "cancellableUntil",
               e.starts_at - make_interval(hours => e.cancel_cutoff_hours) > now() AS "inTime"
        FROM "order" o JOIN event e ON e.id = o.event_id
        WHERE o.id = ${orderId}::uuid
        FOR UPDATE OF o`;
      if (!order) throw notFound("Order", orderId);
      if (order.userId !== userId)
        throw new AppError(ErrorCode.FORBIDDEN, "This order belongs to another account");
      if (order.status === "CANCELLED") return null;
      if (order.status !== "CONFIRMED") {
        throw badInput(`Only confirmed orders can be cancelled; this one is ${order.status}`, {
          status: order.status,
        });
      }
      if (!order.inTime) {
        throw badInput(`Cancellation closed at ${order.cancellableUntil.toISOString()}`, {
          cancellableUntil: order.cancellableUntil.toISOString(),
        });
      }
      const freed = await tx.$queryRaw<{ seatId: number }[]>`
        WITH released AS (
          SELECT event_id, seat_id FROM event_seat
          WHERE order_id = ${orderId}::uuid AND status = 'SOLD'
          ORDER BY event_id, seat_id
          FOR UPDATE
        )
        UPDATE event_seat es
        SET status = 'AVAILABLE', order_id = NULL, hold_id = NULL, held_until = NULL, version = es.version + 1
        FROM released r
        WHERE es.event_id = r.event_id AND es.seat_id = r.seat_id
        RETURNING es.seat_id AS "seatId"`;
      await tx.$executeRaw`
        WITH voided AS (
          UPDATE ticket SET status = 'VOID' WHERE order_id = ${orderId}::uuid AND status = 'VALID'
        ), announced AS (
          INSERT INTO outbox_event (topic, payload)
          VALUES ('order.cancelled', jsonb_build_object('orderId', ${orderId}::uuid, 'userId', ${userId}::uuid,
                  'eventId', ${order.eventId}::int, 'seatIds', to_jsonb(${freed.map((s) => s.seatId)}::int[])))
        )
        UPDATE "order" SET status = 'CANCELLED', cancelled_at = now(), updated_at = now()
        WHERE id = ${orderId}::uuid`;
      return { eventId: order.eventId, holdId: order.holdId, seatIds: freed.map((seat) => seat.seatId) };
    }, TRANSACTION_OPTIONS);

    if (cancelled) {
      this.effects.notifier.seatsChanged(cancelled.eventId, cancelled.seatIds);
      // The converted hold's Redis locks would keep turning fans away from these seats until it expires.
      await this.effects.seatLocks.release(cancelled.eventId, cancelled.holdId, cancelled.seatIds);
      await this.refreshSoldOutAfterCommit(cancelled.eventId);
      // The cancellation is recorded (CANCELLED, payment still CAPTURED or AUTHORIZED): the money goes
      // back now, or through the recovery job if the provider fails.
      await settlePayment(this.pool, this.payments, orderId, "return").catch((error: unknown) =>
        this.log.warn({ err: error, orderId }, "refund failed; recovery will retry"),
      );
    }
    const [row] = await ordersById(this.db, [orderId]);
    if (!row) throw new Error(`order ${orderId} vanished`);
    return this.views([row])[0] as OrderView;
  }

  async myOrders(userId: string, first = DEFAULT_ORDERS_PAGE, after?: string | null): Promise<OrderPage> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_ORDERS_PAGE) {
      throw badInput(`first must be between 1 and ${MAX_ORDERS_PAGE}`, { argument: "first" });
    }
    const cursor = after ? decodeCursor(after) : null;
    const afterCursor = cursor
      ? Prisma.sql`AND (created_at, id) < (${cursor.createdAt}, ${cursor.id}::uuid)`
      : Prisma.empty;
    const [ids, [count]] = await Promise.all([
      this.db.$queryRaw<{ id: string }[]>`
        SELECT id FROM "order"
        WHERE user_id = ${userId}::uuid AND status <> 'FAILED' ${afterCursor}
        ORDER BY created_at DESC, id DESC
        LIMIT ${first + 1}`,
      this.db.$queryRaw<{ total: number }[]>`
        SELECT count(*)::int AS total FROM "order" WHERE user_id = ${userId}::uuid AND status <> 'FAILED'`,
    ]);
    const pageIds = ids.slice(0, first).map((row) => row.id);
    const rows = new Map((await ordersById(this.db, pageIds)).map((row) => [row.id, row]));
    const nodes = this.views(pageIds.map((id) => rows.get(id) as OrderRow));
    return {
      nodes,
      cursors: nodes.map(encodeCursor),
      hasNextPage: ids.length > first,
      totalCount: count?.total ?? 0,
    };
  }

  /** One order, for its buyer, the event's organizer or an admin. */
  async order(viewer: Viewer, orderId: string): Promise<OrderView> {
    if (!UUID.test(orderId)) throw notFound("Order", orderId.slice(0, 40));
    const [row] = await ordersById(this.db, [orderId]);
    if (!row) throw notFound("Order", orderId);
    if (row.userId !== viewer.userId && !(await this.managesEvent(viewer, row.eventId))) {
      throw new AppError(ErrorCode.FORBIDDEN, "This order belongs to another account");
    }
    return this.views([row])[0] as OrderView;
  }

  /** A gate scan: genuine and current code, live ticket, first use. */
  async verifyTicket(viewer: Viewer, code: string): Promise<VerificationView> {
    const invalid = (message: string): VerificationView => ({
      result: "INVALID",
      message,
      ticket: null,
      usedAt: null,
    });
    const reading = this.ticketCodes.read(code.trim());
    if (!reading.valid) return invalid(reading.reason);
    const [row] = await this.ticketRows([reading.ticketId], "id");
    if (!row || !this.ticketCodes.tagMatches(reading, row.secret)) {
      return invalid("The code does not match this ticket (it was reissued or altered)");
    }
    if (!(await this.managesEvent(viewer, row.eventId))) {
      throw new AppError(ErrorCode.FORBIDDEN, "Only the event's organizer can scan its tickets");
    }
    const ticket = ticketView(row);
    if (row.status === "VOID") {
      return { result: "VOID", message: "This ticket was cancelled", ticket, usedAt: row.usedAt };
    }
    const [used] = await this.db.$queryRaw<{ usedAt: Date }[]>`
      UPDATE ticket SET used_at = now()
      WHERE id = ${row.id}::uuid AND status = 'VALID' AND used_at IS NULL
      RETURNING used_at AS "usedAt"`;
    if (used) {
      ticket.usedAt = used.usedAt;
      return { result: "VALID", message: "Valid ticket: admit", ticket, usedAt: used.usedAt };
    }
    const [now] = await this.ticketRows([row.id], "id");
    if (now?.status === "VOID")
      return { result: "VOID", message: "This ticket was cancelled", ticket, usedAt: now.usedAt };
    const usedAt = now?.usedAt ?? null;
    ticket.usedAt = usedAt;
    return {
      result: "ALREADY_USED",
      message: `Already used${usedAt ? ` at ${usedAt.toISOString()}` : ""}`,
      ticket,
      usedAt,
    };
  }

  currentCode(ticket: TicketView): { code: string; expiresAt: Date } {
    let code = this.codes.get(ticket);
    if (!code) {
      code = this.ticketCodes.issue(ticket);
      this.codes.set(ticket, code);
    }
    return code;
  }

  ticketCodeKey(): { algorithm: string; publicKeyPem: string; windowSeconds: number } {
    return {
      algorithm: "Ed25519",
      publicKeyPem: this.ticketCodes.publicKeyPem,
      windowSeconds: this.ticketCodes.windowSeconds,
    };
  }

  private async managesEvent(viewer: Viewer, eventId: number): Promise<boolean> {
    if (viewer.role === "ADMIN") return true;
    if (viewer.role !== "ORGANIZER") return false;
    const event = await this.db.event.findUnique({ where: { id: eventId }, select: { organizerId: true } });
    return event?.organizerId === viewer.userId;
  }

  /** Asserts that the hold is the caller's, live and not yet checked out; else the error says why not. */
  private checkHold(
    userId: string,
    holdId: string,
    hold: HoldForCheckout | null,
  ): asserts hold is HoldForCheckout {
    if (!hold) throw notFound("Hold", holdId);
    if (hold.userId !== userId) {
      throw new AppError(ErrorCode.FORBIDDEN, "This hold belongs to another account");
    }
    if (hold.liveOrderId) throw this.alreadyCheckedOut(hold.liveOrderId);
    if (!hold.live) {
      const why =
        hold.state === "RELEASED"
          ? "You released this hold"
          : `Your hold expired at ${hold.expiresAt.toISOString()}`;
      throw new AppError(
        ErrorCode.HOLD_EXPIRED,
        `${why}: its seats are no longer reserved for you. Hold seats again to buy them.`,
        { holdId, expiresAt: hold.expiresAt.toISOString() },
      );
    }
  }

  private alreadyCheckedOut(orderId: string | null): AppError {
    return badInput(
      "This hold is already being checked out with another idempotencyKey; use that key to get its order",
      { orderId },
    );
  }

  /**
   * The sold-out flag, refreshed after a sale or a cancellation has committed: it waits for the event
   * row, which every seat-map update locks too, and a wait past the transaction timeout must not turn the
   * committed change into an error for the fan. A missed refresh is repaired by the next one.
   */
  private async refreshSoldOutAfterCommit(eventId: number): Promise<void> {
    await refreshSoldOut(this.db, eventId).catch((error: unknown) =>
      this.log.warn(
        { err: error, eventId },
        "sold-out flag not refreshed; the next sale or cancellation will",
      ),
    );
  }

  /** The answer to a repeated key: the same order, once the first request has settled it. */
  private async replay(orderId: string, hash: string): Promise<OrderView> {
    let [order] = await ordersById(this.db, [orderId]);
    if (!order) throw new Error(`order ${orderId} vanished`);
    if (order.requestHash !== hash) {
      throw badInput("This idempotencyKey was already used for a different checkout (other hold or token)", {
        argument: "idempotencyKey",
      });
    }
    const deadline = Date.now() + this.options.duplicateWaitMs;
    while (order.status === "PENDING" && Date.now() < deadline) {
      await sleep(DUPLICATE_POLL_MS);
      order = (await ordersById(this.db, [orderId]))[0] ?? order;
    }
    return this.views([order])[0] as OrderView;
  }

  /** Authorizes the charge; on a decline or an unknown outcome the order fails and the hold stays. */
  private async authorize(orderId: string, hold: HoldForCheckout, token: string): Promise<string> {
    const provider = this.payments.name;
    let answer: Awaited<ReturnType<PaymentProvider["authorize"]>>;
    try {
      answer = await this.payments.authorize({
        reference: orderId,
        amountMinor: hold.totalMinor + hold.feesMinor,
        currency: hold.currency,
        token,
      });
    } catch (error) {
      if (!(error instanceof PaymentOutcomeUnknown))
        this.log.error({ err: error, orderId }, "authorize failed");
      // The money may be reserved: fail the order (recorded first), then void whatever exists.
      await recordPaymentStep(this.pool, orderId, {
        from: ["AUTHORIZING"],
        fromStatus: ["PENDING"],
        to: "AUTHORIZING",
        status: "FAILED",
        provider,
        operation: "authorize",
        error: error instanceof Error ? error.message : String(error),
        paymentId: uuidv7(),
      });
      await settlePayment(this.pool, this.payments, orderId, "void").catch((voidError: unknown) =>
        this.log.warn({ err: voidError, orderId }, "void failed; recovery will retry"),
      );
      throw new AppError(
        ErrorCode.PAYMENT_DECLINED,
        "The payment provider did not answer. Nothing will be charged for this attempt; your seats are still held, try again.",
        { orderId, reason: PAYMENT_FAILURE.PROVIDER_UNAVAILABLE },
      );
    }
    if (answer.outcome === "declined") {
      await recordPaymentStep(this.pool, orderId, {
        from: ["AUTHORIZING"],
        fromStatus: ["PENDING"],
        to: "DECLINED",
        status: "FAILED",
        provider,
        operation: "authorize",
        error: answer.reason,
        paymentId: uuidv7(),
      });
      throw new AppError(
        ErrorCode.PAYMENT_DECLINED,
        `The payment was declined (${answer.reason}). Your seats are still held: try another card.`,
        { orderId, reason: PAYMENT_FAILURE.DECLINED },
      );
    }
    return answer.providerRef;
  }

  /** The guarded conversion, giving the issued tickets; when refused, the authorization is voided. */
  private async convert(orderId: string, hold: HoldForCheckout, providerRef: string): Promise<TicketView[]> {
    const tickets = hold.seatIds.map((seatId, i) => ({
      id: uuidv7(),
      seatId,
      priceMinor: hold.seatPrices[i] as number,
      secretHex: randomBytes(32).toString("hex"),
    }));
    let seatsLeft: boolean;
    try {
      ({ seatsLeft } = await convertHold(this.pool, {
        orderId,
        hold,
        tickets,
        provider: this.payments.name,
        providerRef,
        paymentId: uuidv7(),
      }));
    } catch (error) {
      // Refused, or the statement failed (no connection in time; or it committed and the answer was
      // lost): fail the order if it is still pending, then void whatever failed.
      await this.abandon(orderId, providerRef).catch((abandonError: unknown) =>
        this.log.warn({ err: abandonError, orderId }, "could not fail and void the order; recovery will"),
      );
      if (!(error instanceof ConversionRefused)) throw error;
      if (error.reason === "order") {
        throw new AppError(
          ErrorCode.PAYMENT_DECLINED,
          "The payment took too long and was cancelled; nothing was charged. Try again.",
          { orderId, reason: PAYMENT_FAILURE.TIMED_OUT },
        );
      }
      throw new AppError(
        ErrorCode.HOLD_EXPIRED,
        "Your hold expired before the payment went through: the seats are no longer reserved for you " +
          "and nothing was charged. Hold seats again to buy them.",
        { holdId: hold.id, orderId },
      );
    }
    this.effects.notifier.seatsChanged(hold.eventId, hold.seatIds);
    if (!seatsLeft) await this.refreshSoldOutAfterCommit(hold.eventId);
    return tickets.map((ticket, i) => {
      const seat = hold.seats[i] as HeldSeat;
      const price = { amount: seat.price, currency: hold.currency };
      return {
        id: ticket.id,
        status: "VALID",
        usedAt: null,
        eventId: hold.eventId,
        secret: Buffer.from(ticket.secretHex, "hex"),
        price,
        seat: {
          id: seat.seatId,
          row: seat.row,
          number: seat.number,
          sectionId: seat.sectionId,
          section: seat.section,
          price,
        },
      };
    });
  }

  /** Fails an authorized order that was not confirmed, and voids its authorization (see convert). */
  private async abandon(orderId: string, providerRef: string): Promise<void> {
    await recordPaymentStep(this.pool, orderId, {
      from: ["AUTHORIZING"],
      // FAILED too: the recovery job may have failed it already, without the provider's reference.
      fromStatus: ["PENDING", "FAILED"],
      to: "AUTHORIZED",
      status: "FAILED",
      provider: this.payments.name,
      operation: "authorize",
      providerRef,
      paymentId: uuidv7(),
    });
    await settlePayment(this.pool, this.payments, orderId, "void");
  }

  /** Views of orders; `knownTickets` are used instead of loading those orders' tickets. */
  private views(rows: OrderRow[], knownTickets = new Map<string, TicketView[]>()): OrderView[] {
    const related = this.relations(knownTickets);
    const now = new Date();
    return rows.map((row) => ({
      id: row.id,
      status: row.status,
      eventId: row.eventId,
      userId: row.userId,
      subtotal: { amount: row.subtotalMinor, currency: row.currency },
      fees: { amount: row.feesMinor, currency: row.currency },
      total: { amount: row.totalMinor, currency: row.currency },
      createdAt: row.createdAt,
      cancelledAt: row.cancelledAt,
      cancellableUntil: row.cancellableUntil,
      canCancel: row.status === "CONFIRMED" && row.cancellableUntil > now,
      related,
    }));
  }

  /** Batch loaders shared by the order views built together (one response). */
  private relations(knownTickets: Map<string, TicketView[]>): OrderRelations {
    const events = new DataLoader<number, EventView>(async (ids) => {
      const rows = await this.db.event.findMany({ where: { id: { in: [...ids] } } });
      const byId = new Map(rows.map((row) => [row.id, toEventView(row)]));
      return ids.map((id) => byId.get(id) ?? new Error(`event ${id} is missing`));
    });
    const tickets = new DataLoader<string, TicketView[]>(async (orderIds) => {
      const rows = await this.ticketRows(orderIds, "order_id");
      const byOrder = new Map<string, TicketView[]>(orderIds.map((id) => [id, []]));
      for (const row of rows) byOrder.get(row.orderId)?.push(ticketView(row));
      return orderIds.map((id) => byOrder.get(id) ?? []);
    });
    return {
      event: (id) => events.load(id),
      tickets: (id) => Promise.resolve(knownTickets.get(id) ?? tickets.load(id)),
    };
  }

  private ticketRows(ids: readonly string[], by: "id" | "order_id"): Promise<TicketRow[]> {
    const column = by === "id" ? Prisma.sql`t.id` : Prisma.sql`t.order_id`;
    return this.db.$queryRaw<TicketRow[]>`
      SELECT ${Prisma.raw(TICKET_COLUMNS)}
      FROM ticket t JOIN "order" o ON o.id = t.order_id JOIN seat s ON s.id = t.seat_id
      JOIN section sec ON sec.id = s.section_id
      WHERE ${column} = ANY(${ids}::uuid[])
      ORDER BY t.order_id, sec.sort_order, s.row_rank, s.number`;
  }
}
