import { createHash, randomBytes } from "node:crypto";
import type { Logger } from "../../infra/logger.js";
import type { Db } from "../../infra/prisma.js";
import type { SqlPool } from "../../infra/sql.js";
import { AppError, badInput, ErrorCode, notFound } from "../../kernel/errors.js";
import { isUuid } from "../../kernel/ids.js";
import { uuidv7 } from "../../lib/uuid7.js";
import type { HoldEffects } from "../holds/hold-store.js";
import {
  beginCheckout,
  ConversionRefused,
  convertHold,
  type HeldSeat,
  type HoldForCheckout,
  ordersById,
  recordPaymentStep,
} from "./order-store.js";
import { type OrderView, orderView, orderViews, type TicketView } from "./order-views.js";
import { settlePayment } from "./payment-settlement.js";
import { PaymentOutcomeUnknown, type PaymentProvider } from "./payments.js";
import { refreshSoldOutAfterCommit } from "./sold-out.js";

// Checkout (docs/orders.md). Exactly once: the order and its payment state are recorded in Postgres
// before each call to the payment provider, every provider call is idempotent on the order id, and the
// seats change hands only in the guarded conversion statement.

const MAX_KEY_LENGTH = 255;
const MAX_TOKEN_LENGTH = 255;
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

export interface CheckoutInput {
  holdId: string;
  paymentToken: string;
  idempotencyKey: string;
}

export interface CheckoutOptions {
  /** How long a duplicate checkout (same key) waits for the first one to finish before answering. */
  duplicateWaitMs: number;
}

function requestHash({ holdId, paymentToken }: CheckoutInput): string {
  return createHash("sha256").update(`${holdId}\n${paymentToken}`).digest("hex");
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function alreadyCheckedOut(orderId: string | null): AppError {
  return badInput(
    "This hold is already being checked out with another idempotencyKey; use that key to get its order",
    { orderId },
  );
}

/** Asserts that the hold is the caller's, live and not yet checked out; else the error says why not. */
function checkHold(
  userId: string,
  holdId: string,
  hold: HoldForCheckout | null,
): asserts hold is HoldForCheckout {
  if (!hold) throw notFound("Hold", holdId);
  if (hold.userId !== userId) {
    throw new AppError(ErrorCode.FORBIDDEN, "This hold belongs to another account");
  }
  if (hold.liveOrderId) throw alreadyCheckedOut(hold.liveOrderId);
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

/** The tickets a conversion issued, as views (everything they show is known from the hold). */
function issuedTickets(
  orderId: string,
  hold: HoldForCheckout,
  tickets: { id: string; secretHex: string }[],
): TicketView[] {
  return tickets.map((ticket, i) => {
    const seat = hold.seats[i] as HeldSeat;
    const price = { amount: seat.price, currency: hold.currency };
    return {
      id: ticket.id,
      orderId,
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

export class CheckoutService {
  constructor(
    private readonly db: Db,
    /** The pool of the hot path (prepared statements, infra/sql.ts): checkout and payment steps. */
    private readonly pool: SqlPool,
    private readonly payments: PaymentProvider,
    private readonly effects: HoldEffects,
    private readonly log: Logger,
    private readonly options: CheckoutOptions,
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
    if (!isUuid(holdId)) throw notFound("Hold", holdId.slice(0, 40));
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
    checkHold(userId, holdId, hold);
    // Checked and not recorded: the only way left is another order for this hold that won the race.
    if (!createdAt) throw alreadyCheckedOut(hold.liveOrderId);
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
    const [view] = orderViews(
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
    return orderView(order);
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
    if (!seatsLeft) await refreshSoldOutAfterCommit(this.db, this.log, hold.eventId);
    return issuedTickets(orderId, hold, tickets);
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
}
