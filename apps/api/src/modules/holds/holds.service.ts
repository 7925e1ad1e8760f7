import { AppError, badInput, ErrorCode, notFound } from "../../errors.js";
import type { Db } from "../../infra/prisma.js";
import { uuidv7 } from "../../lib/uuid7.js";
import type { AdmissionGate } from "../queue/queue.service.js";
import type { SeatingService, SeatMapView } from "../seating/seating.service.js";
import {
  announceEnded,
  claimSeats,
  type EndedHolds,
  expireHolds,
  type HoldEffects,
  insertHold,
  lockFanForEvent,
  lockFreeSeatsInOrder,
  NOTHING_ENDED,
  releaseLiveHold,
  type SeatOffer,
  type Sql,
  seatOffers,
  takenSeatIds,
  ticketsUsed,
} from "./hold-store.js";
import {
  type CandidateSeat,
  type FreeSeat,
  freeRuns,
  pickAdjacent,
  pickSplit,
  preferenceOrder,
} from "./seat-picker.js";

// Holding seats without double booking (DESIGN.md §3, docs/holds.md): validate, Redis fast path,
// then the Postgres guard, which alone decides.

export interface Money {
  amount: number;
  currency: string;
}

export interface HoldSeatView {
  id: number;
  row: string;
  number: number;
  sectionId: number;
  section: string;
  price: Money;
}

export interface HoldView {
  id: string;
  eventId: number;
  expiresAt: Date;
  seats: HoldSeatView[];
  total: Money;
}

export interface HoldsOptions {
  maxSeatsPerHold: number;
}

interface SaleEvent {
  id: number;
  currency: string;
  holdSeconds: number;
  maxTicketsPerAccount: number;
}

interface PlacedHold {
  expiresAt: Date;
  /** Expired holds whose seats this hold took over, now ended. */
  ended: EndedHolds;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Waiting long for a pooled connection helps nobody during a spike or an outage: fail fast instead.
const TRANSACTION_OPTIONS = { maxWait: 3_000, timeout: 10_000 };

function seatsUnavailable(seatIds: readonly number[], quantity = seatIds.length): AppError {
  const message = seatIds.length
    ? `These seats are no longer available: ${seatIds.join(", ")}`
    : `There are not ${quantity} free seats left to hold`;
  return new AppError(ErrorCode.SEATS_UNAVAILABLE, message, { seatIds: seatIds.map(String) });
}

interface HoldRecord {
  id: string;
  eventId: number;
  expiresAt: Date;
  currency: string;
  seats: SeatOffer[];
}

function holdView({ id, eventId, expiresAt, currency, seats }: HoldRecord): HoldView {
  return {
    id,
    eventId,
    expiresAt,
    seats: seats.map(({ seatId, price, ...seat }) => ({
      ...seat,
      id: seatId,
      price: { amount: price, currency },
    })),
    total: { amount: seats.reduce((sum, seat) => sum + seat.price, 0), currency },
  };
}

export class HoldsService {
  constructor(
    private readonly db: Db,
    private readonly seating: Pick<SeatingService, "seatMap">,
    private readonly effects: HoldEffects,
    private readonly options: HoldsOptions,
    private readonly admission: AdmissionGate,
  ) {}

  async holdSeats(
    userId: string,
    eventId: number,
    seatIds: number[],
    admissionToken?: string | null,
  ): Promise<HoldView> {
    this.checkQuantity(seatIds.length, "seatIds");
    const duplicates = seatIds.filter((seatId, index) => seatIds.indexOf(seatId) !== index);
    if (duplicates.length) {
      throw badInput(`Each seat can be asked for once: ${[...new Set(duplicates)].join(", ")}`, {
        seatIds: [...new Set(duplicates)].map(String),
      });
    }
    const [event, offers] = await Promise.all([
      this.saleEvent(userId, eventId, admissionToken),
      seatOffers(this.db, eventId, seatIds),
    ]);
    const offerBySeat = new Map(offers.map((offer) => [offer.seatId, offer]));
    const notForSale = seatIds.filter((seatId) => !offerBySeat.has(seatId));
    if (notForSale.length) {
      throw badInput(`These seats are not for sale at this event: ${notForSale.join(", ")}`, {
        seatIds: notForSale.map(String),
      });
    }
    // Refuse early (without touching Redis); the transaction checks again, authoritatively.
    await this.checkLimit(this.db, userId, event, seatIds.length);
    const seats = seatIds.map((seatId) => offerBySeat.get(seatId) as SeatOffer);

    const holdId = uuidv7();
    const fastPath = await this.effects.seatLocks.acquire(eventId, holdId, seatIds, event.holdSeconds * 1000);
    if (fastPath.outcome === "conflict") throw seatsUnavailable(fastPath.takenSeatIds);
    let placed: PlacedHold;
    try {
      placed = await this.db.$transaction(async (tx) => {
        await this.lockFanAndCheckLimit(tx, userId, event, seats.length);
        return this.placeHold(tx, holdId, userId, event, seats);
      }, TRANSACTION_OPTIONS);
    } catch (error) {
      // A failed Redis call may still have set the locks: compare-and-delete is safe either way.
      if (fastPath.outcome !== "bypassed") await this.effects.seatLocks.release(eventId, holdId, seatIds);
      throw error;
    }
    await this.announcePlaced(eventId, seatIds, placed.ended);
    return holdView({ id: holdId, eventId, expiresAt: placed.expiresAt, currency: event.currency, seats });
  }

  async holdBestAvailable(
    userId: string,
    eventId: number,
    quantity: number,
    priceTierId: number | null,
    admissionToken?: string | null,
  ): Promise<HoldView> {
    this.checkQuantity(quantity, "quantity");
    // The (cached) seat map gives the layout; it is read before the transaction, which must not wait
    // for a second pooled connection.
    const [event, tierFound, seatMap] = await Promise.all([
      this.saleEvent(userId, eventId, admissionToken),
      priceTierId === null ? true : this.db.priceTier.count({ where: { id: priceTierId, eventId } }),
      this.seating.seatMap(eventId),
    ]);
    if (!tierFound) throw badInput(`Price tier ${priceTierId} is not a tier of this event`);
    await this.checkLimit(this.db, userId, event, quantity);

    const holdId = uuidv7();
    const { seats, expiresAt, ended } = await this.db.$transaction(async (tx) => {
      await this.lockFanAndCheckLimit(tx, userId, event, quantity);
      const chosen = await this.chooseSeats(tx, seatMap, quantity, priceTierId);
      return { seats: chosen, ...(await this.placeHold(tx, holdId, userId, event, chosen)) };
    }, TRANSACTION_OPTIONS);
    const seatIds = seats.map((seat) => seat.seatId);
    // Mirror the hold in Redis, so that holdSeats calls for these seats stop at the fast path.
    await this.effects.seatLocks.acquire(eventId, holdId, seatIds, expiresAt.getTime() - Date.now());
    await this.announcePlaced(eventId, seatIds, ended);
    return holdView({ id: holdId, eventId, expiresAt, currency: event.currency, seats });
  }

  /**
   * Ends the fan's live hold and frees its seats. False when the hold has already ended (released,
   * expired or checked out): releasing is idempotent, so a retried or late call is harmless.
   */
  async releaseHold(userId: string, holdId: string): Promise<boolean> {
    if (!UUID.test(holdId)) throw notFound("Hold", holdId.slice(0, 40));
    const hold = await this.db.hold.findUnique({ where: { id: holdId }, select: { userId: true } });
    if (!hold) throw notFound("Hold", holdId);
    if (hold.userId !== userId)
      throw new AppError(ErrorCode.FORBIDDEN, "This hold belongs to another account");
    const ended = await this.db.$transaction(
      (tx) => releaseLiveHold(tx, holdId, userId),
      TRANSACTION_OPTIONS,
    );
    await announceEnded(this.effects, ended);
    return ended.holds.length > 0;
  }

  /** The fan's live holds (active and unexpired), soonest to expire first. */
  async activeHolds(userId: string): Promise<HoldView[]> {
    const rows = await this.db.$queryRaw<(SeatOffer & Omit<HoldRecord, "seats">)[]>`
      SELECT h.id, h.event_id AS "eventId", h.expires_at AS "expiresAt", h.currency,
             p.seat_id AS "seatId", p.price, s.row_label AS "row", s.number, sec.id AS "sectionId",
             sec.name AS "section"
      FROM hold h
      CROSS JOIN LATERAL unnest(h.seat_ids, h.seat_prices) WITH ORDINALITY AS p(seat_id, price, position)
      JOIN seat s ON s.id = p.seat_id
      JOIN section sec ON sec.id = s.section_id
      WHERE h.user_id = ${userId}::uuid AND h.state = 'ACTIVE' AND h.expires_at > now()
      ORDER BY h.expires_at, h.id, p.position`;
    const holds = new Map<string, HoldRecord>();
    for (const { id, eventId, expiresAt, currency, ...seat } of rows) {
      let hold = holds.get(id);
      if (!hold) {
        hold = { id, eventId, expiresAt, currency, seats: [] };
        holds.set(id, hold);
      }
      hold.seats.push(seat);
    }
    return [...holds.values()].map(holdView);
  }

  private checkQuantity(quantity: number, argument: string): void {
    if (quantity < 1) throw badInput("Ask for at least one seat", { argument });
    if (quantity > this.options.maxSeatsPerHold) {
      throw badInput(`One hold can have at most ${this.options.maxSeatsPerHold} seats`, { argument });
    }
  }

  /** The event, when this fan may hold its seats right now. */
  private async saleEvent(
    userId: string,
    eventId: number,
    admissionToken: string | null | undefined,
  ): Promise<SaleEvent> {
    const event = await this.db.event.findUnique({
      where: { id: eventId },
      select: {
        id: true,
        status: true,
        saleStartsAt: true,
        startsAt: true,
        queueEnabled: true,
        holdSeconds: true,
        maxTicketsPerAccount: true,
        currency: true,
      },
    });
    if (!event || event.status === "DRAFT") throw notFound("Event", String(eventId));
    const now = new Date();
    if (event.status !== "ON_SALE" || event.saleStartsAt > now || event.startsAt <= now) {
      const message =
        event.status === "ON_SALE" && event.saleStartsAt > now
          ? `Sales open at ${event.saleStartsAt.toISOString()}`
          : `This event is not on sale (${event.status})`;
      throw new AppError(ErrorCode.SALE_NOT_OPEN, message, {
        saleStartsAt: event.saleStartsAt.toISOString(),
        status: event.status,
      });
    }
    // Events with a waiting room sell only to fans it admitted (NOT_ADMITTED otherwise).
    if (event.queueEnabled) await this.admission.checkAdmission(userId, eventId, admissionToken);
    return event;
  }

  private async checkLimit(sql: Sql, userId: string, event: SaleEvent, requested: number): Promise<void> {
    const used = await ticketsUsed(sql, userId, event.id);
    if (used + requested > event.maxTicketsPerAccount) {
      throw new AppError(
        ErrorCode.LIMIT_EXCEEDED,
        `At most ${event.maxTicketsPerAccount} tickets per account for this event; you hold or bought ${used}`,
        { limit: event.maxTicketsPerAccount, used, requested },
      );
    }
  }

  private async lockFanAndCheckLimit(tx: Sql, userId: string, event: SaleEvent, requested: number) {
    await lockFanForEvent(tx, userId, event.id);
    await this.checkLimit(tx, userId, event, requested);
  }

  /** Inserts the hold and gives it its seats (the guard); all or nothing. */
  private async placeHold(
    tx: Sql,
    holdId: string,
    userId: string,
    event: SaleEvent,
    seats: readonly SeatOffer[],
  ): Promise<PlacedHold> {
    const seatIds = seats.map((seat) => seat.seatId);
    const expiresAt = await insertHold(tx, {
      id: holdId,
      userId,
      eventId: event.id,
      currency: event.currency,
      holdSeconds: event.holdSeconds,
      seats,
    });
    const claimed = await claimSeats(tx, event.id, holdId, seatIds);
    if (claimed.length < seatIds.length) {
      const got = new Set(claimed.map((seat) => seat.seatId));
      throw seatsUnavailable(seatIds.filter((seatId) => !got.has(seatId)));
    }
    const takenOver = [...new Set(claimed.flatMap((seat) => seat.previousHoldId ?? []))];
    const ended = takenOver.length ? await expireHolds(tx, { holdIds: takenOver }) : NOTHING_ENDED;
    return { expiresAt, ended };
  }

  /**
   * Picks and locks the seats for holdBestAvailable: adjacent seats in one row when a free run has
   * room (looking further when the first seats it could lock are too fragmented), else the best split.
   */
  private async chooseSeats(
    tx: Sql,
    seatMap: SeatMapView,
    quantity: number,
    priceTierId: number | null,
  ): Promise<CandidateSeat[]> {
    const eventId = seatMap.eventId;
    const runs = freeRuns(seatMap, new Set(await takenSeatIds(tx, eventId)), priceTierId);
    const lock = async (adjacent: boolean, limit: number): Promise<CandidateSeat[]> => {
      // Enough preferences to get past what concurrent callers have locked meanwhile.
      const preferred = preferenceOrder(runs, quantity, { adjacent, max: 32 * limit });
      const seatIds = preferred.map((seat) => seat.seatId);
      const bySeat = new Map(preferred.map((seat) => [seat.seatId, seat]));
      const offers = await lockFreeSeatsInOrder(tx, { eventId, seatIds, priceTierId, limit });
      return offers.map((offer) => ({ ...offer, ...(bySeat.get(offer.seatId) as FreeSeat) }));
    };
    for (const limit of [4 * quantity, 16 * quantity]) {
      const candidates = await lock(true, limit);
      const block = pickAdjacent(candidates, quantity);
      if (block) return block;
      // Fewer than asked for: every seat in a run with room was tried, none is left to look at.
      if (candidates.length < limit) break;
    }
    const split = pickSplit(await lock(false, 4 * quantity), quantity);
    if (!split) throw seatsUnavailable([], quantity);
    return split;
  }

  private async announcePlaced(eventId: number, seatIds: readonly number[], ended: EndedHolds) {
    this.effects.notifier.seatsChanged(eventId, seatIds);
    await announceEnded(this.effects, ended);
  }
}
