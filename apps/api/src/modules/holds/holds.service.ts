import type { Db } from "../../infra/prisma.js";
import type { SqlPool } from "../../infra/sql.js";
import { AppError, badInput, ErrorCode, notFound } from "../../kernel/errors.js";
import { isUuid } from "../../kernel/ids.js";
import type { Money } from "../../kernel/money.js";
import { TRANSACTION_OPTIONS, type Tx } from "../../kernel/transactions.js";
import { BatchWaitTimeout, GroupBatcher } from "../../lib/group-batcher.js";
import { TtlCache } from "../../lib/ttl-cache.js";
import { uuidv7 } from "../../lib/uuid7.js";
import type { AdmissionGate } from "../queue/queue.service.js";
import type { SeatingService, SeatMapView } from "../seating/seating.service.js";
import {
  announceEnded,
  type EndedHolds,
  expireHolds,
  fanAllowance,
  type HoldableEvent,
  type HoldEffects,
  holdableEvent,
  holdOwner,
  isTierOfEvent,
  liveHoldSeats,
  lockFanForEvent,
  lockFreeSeatsInOrder,
  type NewHold,
  NOTHING_ENDED,
  type PlaceHoldResult,
  placeHoldInTransaction,
  placeHolds,
  releaseLiveHold,
  type SeatOffer,
  setHoldExpiry,
  takenSeatIds,
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
  /** place_holds calls one instance runs at once; holds arriving meanwhile go in the next (a batch). */
  batchConcurrency: number;
  /** Told the size of every batch (a metric). */
  onBatch?: (holds: number) => void;
}

/** A batch is one statement: bounded so that a burst cannot make one call arbitrarily long. */
const MAX_HOLDS_PER_BATCH = 64;
/** As long as a hold may wait for a pooled connection: fail fast rather than queue during an outage. */
const MAX_BATCH_WAIT_MS = 3_000;
/**
 * The event's settings are reused this long before Postgres is asked again. They only decide what to
 * check before the guard (sale open, admission) and how long the Redis locks last: place_holds checks
 * the event again, with what Postgres has at that instant.
 */
const EVENT_CACHE_MS = 1_000;

function limitExceeded(limit: number, used: number, requested: number): AppError {
  return new AppError(
    ErrorCode.LIMIT_EXCEEDED,
    `At most ${limit} tickets per account for this event; you hold or bought ${used}`,
    { limit, used, requested },
  );
}

function saleNotOpen({ status, saleStartsAt }: Pick<HoldableEvent, "status" | "saleStartsAt">): AppError {
  const message =
    status === "ON_SALE" && saleStartsAt > new Date()
      ? `Sales open at ${saleStartsAt.toISOString()}`
      : `This event is not on sale (${status})`;
  return new AppError(ErrorCode.SALE_NOT_OPEN, message, { saleStartsAt: saleStartsAt.toISOString(), status });
}

/** The event, when fans may hold its seats right now. */
function checkSaleOpen(eventId: number, event: HoldableEvent | null): HoldableEvent {
  if (!event || event.status === "DRAFT") throw notFound("Event", String(eventId));
  const now = new Date();
  if (event.status !== "ON_SALE" || event.saleStartsAt > now || event.startsAt <= now) {
    throw saleNotOpen(event);
  }
  return event;
}

function seatsUnavailable(seatIds: readonly number[], quantity = seatIds.length): AppError {
  const message = seatIds.length
    ? `These seats are no longer available: ${seatIds.join(", ")}`
    : `There are not ${quantity} free seats left to hold`;
  return new AppError(ErrorCode.SEATS_UNAVAILABLE, message, { seatIds: seatIds.map(String) });
}

/** Whether the pre-checks (checkSaleOpen, admission) read the same in both. */
function sameChecks(a: HoldableEvent | null, b: HoldableEvent | null): boolean {
  if (!a || !b) return a === b;
  return (
    a.status === b.status &&
    a.saleStartsAt.getTime() === b.saleStartsAt.getTime() &&
    a.startsAt.getTime() === b.startsAt.getTime() &&
    a.queueEnabled === b.queueEnabled
  );
}

type Placed = Extract<PlaceHoldResult, { outcome: "placed" }>;

/** The hold place_holds placed, or the error that says why it did not. */
function placedOrThrow(hold: NewHold, result: PlaceHoldResult): Placed {
  switch (result.outcome) {
    case "placed":
      return result;
    case "notFound":
      throw notFound("Event", String(hold.eventId));
    case "saleNotOpen":
      throw saleNotOpen(result);
    case "notAdmitted":
      // Only when the waiting room was switched on within the last EVENT_CACHE_MS.
      throw new AppError(
        ErrorCode.NOT_ADMITTED,
        "This event uses the waiting room: join the queue and wait for your turn",
      );
    case "notForSale":
      throw badInput(`These seats are not for sale at this event: ${result.seatIds.join(", ")}`, {
        seatIds: result.seatIds.map(String),
      });
    case "limitExceeded":
      throw limitExceeded(result.limit, result.used, hold.seatIds.length);
    case "unavailable":
      throw seatsUnavailable(result.seatIds);
  }
}

/** What holdBestAvailable asks for. */
interface BestAvailable {
  userId: string;
  eventId: number;
  quantity: number;
  priceTierId: number | null;
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
  private readonly events = new TtlCache<number, HoldableEvent | null>(EVENT_CACHE_MS);
  private readonly batches: GroupBatcher<NewHold, PlaceHoldResult>;

  constructor(
    private readonly db: Db,
    /** The hot path: prepared statements, no interactive transaction. */
    private readonly pool: SqlPool,
    private readonly seating: Pick<SeatingService, "seatMap">,
    private readonly effects: HoldEffects,
    private readonly options: HoldsOptions,
    private readonly admission: AdmissionGate,
  ) {
    this.batches = new GroupBatcher(
      (holds) => {
        options.onBatch?.(holds.length);
        return placeHolds(pool, holds);
      },
      {
        concurrency: options.batchConcurrency,
        maxBatchSize: MAX_HOLDS_PER_BATCH,
        maxWaitMs: MAX_BATCH_WAIT_MS,
      },
    );
  }

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
    const event = await this.eventToHold(userId, eventId, admissionToken);

    const hold: NewHold = { id: uuidv7(), userId, eventId, seatIds, admitted: event.queueEnabled };
    const fastPath = await this.effects.seatLocks.acquire(
      eventId,
      hold.id,
      seatIds,
      event.holdSeconds * 1000,
    );
    if (fastPath.outcome === "conflict") throw seatsUnavailable(fastPath.takenSeatIds);
    let placed: Placed;
    try {
      placed = this.placed(hold, await this.submit(hold));
    } catch (error) {
      // A failed Redis call may still have set the locks: compare-and-delete is safe either way.
      if (fastPath.outcome !== "bypassed") await this.effects.seatLocks.release(eventId, hold.id, seatIds);
      throw error;
    }
    const { expiresAt, currency, seats, takenOverHoldIds } = placed;
    // Seats taken over from expired holds: end those holds now (the sweeper would otherwise). Every
    // write already treats them as gone, so this need not be in the hold's transaction.
    const ended = takenOverHoldIds.length
      ? await this.db.$transaction(
          (tx) => expireHolds(tx, { holdIds: takenOverHoldIds }),
          TRANSACTION_OPTIONS,
        )
      : NOTHING_ENDED;
    await this.announcePlaced(eventId, seatIds, ended);
    return holdView({ id: hold.id, eventId, expiresAt, currency, seats });
  }

  async holdBestAvailable(
    userId: string,
    eventId: number,
    quantity: number,
    priceTierId: number | null,
    admissionToken?: string | null,
  ): Promise<HoldView> {
    this.checkQuantity(quantity, "quantity");
    return this.placeBestAvailable(
      { userId, eventId, quantity, priceTierId },
      this.eventToHold(userId, eventId, admissionToken),
    );
  }

  /**
   * A hold the waitlist places for a fan it offers seats to (docs/waitlist.md): the best available
   * seats like holdBestAvailable, without the waiting room (the offer is the fan's turn), lasting
   * `holdSeconds` (the offer's time) instead of the event's hold time; `record` runs in the hold's
   * transaction, so the offer and its hold exist together or not at all. Not a fan-facing path.
   */
  async holdForOffer(
    offer: BestAvailable & { holdSeconds: number },
    record: (tx: Tx, hold: { id: string; expiresAt: Date }) => Promise<void>,
  ): Promise<HoldView> {
    this.checkQuantity(offer.quantity, "quantity");
    const event = this.events
      .get(offer.eventId, () => holdableEvent(this.pool, offer.eventId))
      .then((found) => checkSaleOpen(offer.eventId, found));
    return this.placeBestAvailable(offer, event, async (tx, holdId) => {
      const expiresAt = await setHoldExpiry(tx, holdId, offer.holdSeconds);
      await record(tx, { id: holdId, expiresAt });
      return expiresAt;
    });
  }

  private async placeBestAvailable(
    { userId, eventId, quantity, priceTierId }: BestAvailable,
    eventToHold: Promise<HoldableEvent>,
    within?: (tx: Tx, holdId: string) => Promise<Date>,
  ): Promise<HoldView> {
    // The (cached) seat map gives the layout; it is read before the transaction, which must not wait
    // for a second pooled connection.
    const [event, tierFound, seatMap] = await Promise.all([
      eventToHold,
      priceTierId === null ? true : isTierOfEvent(this.db, priceTierId, eventId),
      this.seating.seatMap(eventId),
    ]);
    if (!tierFound) throw badInput(`Price tier ${priceTierId} is not a tier of this event`);

    const holdId = uuidv7();
    const { placed, ended, expiresAt } = await this.db.$transaction(async (tx) => {
      await this.lockFanAndCheckLimit(tx, userId, eventId, quantity);
      const chosen = await this.chooseSeats(tx, seatMap, quantity, priceTierId);
      const hold = {
        id: holdId,
        userId,
        eventId,
        seatIds: chosen.map((seat) => seat.seatId),
        admitted: event.queueEnabled,
      };
      const placed = this.placed(hold, await placeHoldInTransaction(tx, hold));
      const ended = placed.takenOverHoldIds.length
        ? await expireHolds(tx, { holdIds: placed.takenOverHoldIds })
        : NOTHING_ENDED;
      const expiresAt = within ? await within(tx, holdId) : placed.expiresAt;
      return { placed, ended, expiresAt };
    }, TRANSACTION_OPTIONS);
    const { currency, seats } = placed;
    const seatIds = seats.map((seat) => seat.seatId);
    // Mirror the hold in Redis, so that holdSeats calls for these seats stop at the fast path.
    await this.effects.seatLocks.acquire(eventId, holdId, seatIds, expiresAt.getTime() - Date.now());
    await this.announcePlaced(eventId, seatIds, ended);
    return holdView({ id: holdId, eventId, expiresAt, currency, seats });
  }

  /**
   * Ends the fan's live hold and frees its seats. False when the hold has already ended (released,
   * expired or checked out): releasing is idempotent, so a retried or late call is harmless.
   */
  async releaseHold(userId: string, holdId: string): Promise<boolean> {
    if (!isUuid(holdId)) throw notFound("Hold", holdId.slice(0, 40));
    const owner = await holdOwner(this.db, holdId);
    if (!owner) throw notFound("Hold", holdId);
    if (owner !== userId) throw new AppError(ErrorCode.FORBIDDEN, "This hold belongs to another account");
    const ended = await this.db.$transaction(
      (tx) => releaseLiveHold(tx, holdId, userId),
      TRANSACTION_OPTIONS,
    );
    await announceEnded(this.effects, ended);
    return ended.holds.length > 0;
  }

  /** The fan's live holds (active and unexpired), soonest to expire first. */
  async activeHolds(userId: string): Promise<HoldView[]> {
    const rows = await liveHoldSeats(this.db, userId);
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

  /**
   * The event, when this fan may hold its seats right now (on sale, admitted if it has a waiting room).
   * Its settings are cached briefly; a refusal is confirmed with fresh settings before it is given, and
   * checked again only when they changed something the checks read.
   */
  private async eventToHold(
    userId: string,
    eventId: number,
    admissionToken: string | null | undefined,
  ): Promise<HoldableEvent> {
    const settings = () => this.events.get(eventId, () => holdableEvent(this.pool, eventId));
    const check = (event: HoldableEvent | null) =>
      this.admitted(userId, checkSaleOpen(eventId, event), admissionToken);
    const cached = await settings();
    try {
      return await check(cached);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      this.events.delete(eventId);
      const fresh = await settings();
      if (sameChecks(cached, fresh)) throw error;
      return check(fresh);
    }
  }

  private async submit(hold: NewHold): Promise<PlaceHoldResult> {
    try {
      return await this.batches.submit(hold);
    } catch (error) {
      if (!(error instanceof BatchWaitTimeout)) throw error;
      throw new AppError(
        ErrorCode.SERVICE_UNAVAILABLE,
        "Too many holds are waiting for the database: please retry shortly",
      );
    }
  }

  /** The hold place_holds placed; when it refused for the event's sake, the cached settings were stale. */
  private placed(hold: NewHold, result: PlaceHoldResult): Placed {
    if (
      result.outcome === "notFound" ||
      result.outcome === "saleNotOpen" ||
      result.outcome === "notAdmitted"
    ) {
      this.events.delete(hold.eventId);
    }
    return placedOrThrow(hold, result);
  }

  /** Events with a waiting room sell only to fans it admitted (NOT_ADMITTED otherwise). */
  private async admitted(
    userId: string,
    event: HoldableEvent,
    admissionToken: string | null | undefined,
  ): Promise<HoldableEvent> {
    if (event.queueEnabled) await this.admission.checkAdmission(userId, event.id, admissionToken);
    return event;
  }

  /** The limit as Postgres has it now (not the cached settings): this check may refuse. */
  private async lockFanAndCheckLimit(tx: Tx, userId: string, eventId: number, requested: number) {
    await lockFanForEvent(tx, userId, eventId);
    const { used, limit } = await fanAllowance(tx, userId, eventId);
    if (used + requested > limit) throw limitExceeded(limit, used, requested);
  }

  /**
   * Picks and locks the seats for holdBestAvailable: adjacent seats in one row when a free run has
   * room (looking further when the first seats it could lock are too fragmented), else the best split.
   */
  private async chooseSeats(
    tx: Tx,
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
