import type { Db } from "../../infra/prisma.js";
import type { SqlPool } from "../../infra/sql.js";
import { AppError, badInput, ErrorCode, notFound } from "../../kernel/errors.js";
import { isUuid } from "../../kernel/ids.js";
import { TRANSACTION_OPTIONS, type Tx } from "../../kernel/transactions.js";
import type { Viewer } from "../../kernel/viewer.js";
import { BatchWaitTimeout, GroupBatcher } from "../../lib/group-batcher.js";
import { TtlCache } from "../../lib/ttl-cache.js";
import { uuidv7 } from "../../lib/uuid7.js";
import { recordAudit } from "../events/audit-store.js";
import { requireEventManager } from "../events/event-access.js";
import type { AdmissionGate } from "../queue/queue.service.js";
import type { SeatingService, SeatMapView } from "../seating/seating.service.js";
import {
  liveAreaHolds,
  type NewAreaHold,
  type PlaceAreaHoldResult,
  placeAreaHoldIn,
  placeAreaHolds,
} from "./area-hold-store.js";
import {
  checkSaleOpen,
  eventRefusal,
  isEventRefusal,
  limitExceeded,
  noAccessibleBlock,
  type Placed,
  placedOrThrow,
  placesUnavailable,
  type SeatsRefusal,
  seatsRefusal,
  seatsUnavailable,
} from "./hold-refusals.js";
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
  setAccessibleRelease,
  setHoldExpiry,
  takenSeatIds,
} from "./hold-store.js";
import { type HoldRecord, type HoldView, holdView } from "./hold-views.js";
import {
  type AccessiblePlaces,
  accessiblePreferenceOrder,
  accessibleSearches,
  type CandidateSeat,
  type FreeSeat,
  freeRuns,
  pickAccessible,
  pickAdjacent,
  pickFromMap,
  pickSplit,
  preferenceOrder,
} from "./seat-picker.js";

// Holding seats without double booking (DESIGN.md §3, docs/holds.md): validate, Redis fast path,
// then the Postgres guard, which alone decides.

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

/** Whether the pre-checks (checkSaleOpen, admission) read the same in both. */
function sameChecks(a: HoldableEvent | null, b: HoldableEvent | null): boolean {
  if (!a || !b) return a === b;
  return (
    a.status === b.status &&
    a.saleStartsAt.getTime() === b.saleStartsAt.getTime() &&
    a.saleEndsAt?.getTime() === b.saleEndsAt?.getTime() &&
    a.startsAt.getTime() === b.startsAt.getTime() &&
    a.queueEnabled === b.queueEnabled
  );
}

type SeatsPlaced = { outcome: "placed"; hold: HoldView } | SeatsRefusal;

/** Optimistic best-available picks (each with fresh statuses and the seats found taken left out) before the exact path. */
const OPTIMISTIC_TRIES = 4;
/**
 * How long a placed hold's seats stay claimed on the instance that picked them: longer than a delta
 * takes to reach the cached statuses (SEAT_MAP_COALESCE_MS and a Redis round trip), so that the next
 * picks do not choose them again meanwhile.
 */
const CLAIM_AFTER_HOLD_MS = 1_000;

/** What holdBestAvailable asks for. */
interface BestAvailable {
  userId: string;
  eventId: number;
  quantity: number;
  priceTierId: number | null;
  /** Wheelchair spaces among the seats, with companion seats beside them (0: none, and none given). */
  accessibleSeats?: number;
}

/** Whether a best-available request that did not ask for accessible places may get them (last). */
function accessiblePlacesFor(event: HoldableEvent): AccessiblePlaces {
  return event.accessibleReleaseAt && event.accessibleReleaseAt <= new Date() ? "include" : "exclude";
}

/** How long an instance remembers how few places an area had, to turn fans away without Postgres. */
const AREA_SHORT_MEMO_MS = 250;

export class HoldsService {
  private readonly events = new TtlCache<number, HoldableEvent | null>(EVENT_CACHE_MS);
  private readonly batches: GroupBatcher<NewHold, PlaceHoldResult>;
  private readonly areaBatches: GroupBatcher<NewAreaHold, PlaceAreaHoldResult>;
  /** Seats chosen by this instance's best-available picks in flight, by event (pickAndPlace). */
  private readonly claimed = new Map<number, Set<number>>();
  /** Areas that recently had fewer places than asked for: key eventId:areaId → places, until when. */
  private readonly areasShort = new TtlCache<string, number>(AREA_SHORT_MEMO_MS);

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
    this.areaBatches = new GroupBatcher(
      (holds) => {
        options.onBatch?.(holds.length);
        return placeAreaHolds(pool, holds);
      },
      {
        concurrency: options.batchConcurrency,
        maxBatchSize: MAX_HOLDS_PER_BATCH,
        maxWaitMs: MAX_BATCH_WAIT_MS,
      },
    );
  }

  /**
   * Holds `quantity` places in a standing area, all or none (docs/standing.md). Postgres alone decides
   * (place_area_holds, batched like seat holds); an instance that just saw the area short of places
   * turns fans away for a moment without asking it.
   */
  async holdGeneralAdmission(
    userId: string,
    eventId: number,
    areaId: number,
    quantity: number,
    admissionToken?: string | null,
  ): Promise<HoldView> {
    this.checkQuantity(quantity, "quantity");
    const event = await this.eventToHold(userId, eventId, admissionToken);
    const memoKey = `${eventId}:${areaId}`;
    const short = await this.areasShort.peek(memoKey);
    if (short !== undefined && short < quantity) throw placesUnavailable(short, quantity);

    const hold: NewAreaHold = {
      id: uuidv7(),
      userId,
      eventId,
      areaId,
      quantity,
      admitted: event.queueEnabled,
    };
    const result = await this.submitTo(this.areaBatches, hold);
    if (result.outcome === "unavailable") this.areasShort.get(memoKey, async () => result.available);
    return this.areaHoldPlaced(hold, result);
  }

  /**
   * Holds a waitlist offer's places in a standing area for `holdSeconds`, and runs `record` in the same
   * transaction (the offer is recorded with its hold, or neither is). The fan is admitted: the waitlist
   * was their turn.
   */
  async holdAreaForOffer(
    offer: { userId: string; eventId: number; areaId: number; quantity: number; holdSeconds: number },
    record: (tx: Tx, hold: { id: string; expiresAt: Date }) => Promise<void>,
  ): Promise<HoldView> {
    this.checkQuantity(offer.quantity, "quantity");
    const { userId, eventId, areaId, quantity, holdSeconds } = offer;
    const hold: NewAreaHold = { id: uuidv7(), userId, eventId, areaId, quantity, admitted: true };
    const result = await this.db.$transaction(async (tx) => {
      const placed = await placeAreaHoldIn(tx, hold);
      if (placed.outcome !== "placed") return placed;
      const expiresAt = await setHoldExpiry(tx, hold.id, holdSeconds);
      await record(tx, { id: hold.id, expiresAt });
      return { ...placed, expiresAt };
    }, TRANSACTION_OPTIONS);
    return this.areaHoldPlaced(hold, result);
  }

  /** The view of a standing hold the guard placed, or the error for the reason it did not. */
  private areaHoldPlaced(hold: NewAreaHold, result: PlaceAreaHoldResult): HoldView {
    const { eventId, areaId, quantity } = hold;
    if (isEventRefusal(result)) {
      this.events.delete(eventId);
      throw eventRefusal(eventId, result);
    }
    switch (result.outcome) {
      case "unavailable":
        throw placesUnavailable(result.available, quantity);
      case "notForSale":
        throw badInput(`Area ${areaId} is not a standing area on sale at this event`, {
          field: "areaId",
        });
      case "limitExceeded":
        throw limitExceeded(result.limit, result.used, quantity);
    }
    this.effects.notifier.areasChanged(eventId, [areaId]);
    const { expiresAt, currency, places } = result;
    return holdView({ id: hold.id, eventId, expiresAt, currency, seats: [], standing: places });
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
    const placed = await this.placeSeats(hold, event);
    if (placed.outcome !== "placed") throw seatsRefusal(placed);
    return placed.hold;
  }

  /**
   * Places a hold on the seats chosen: the Redis fast path, then the batched guard, which alone decides.
   * Seats taken or not for sale come back as the refusal, for the caller to report or to choose again
   * around; every other refusal throws.
   */
  private async placeSeats(hold: NewHold, event: HoldableEvent): Promise<SeatsPlaced> {
    const { id, eventId, seatIds } = hold;
    const fastPath = await this.effects.seatLocks.acquire(eventId, id, seatIds, event.holdSeconds * 1000);
    if (fastPath.outcome === "conflict") return { outcome: "unavailable", seatIds: fastPath.takenSeatIds };
    // A failed Redis call may still have set the locks: compare-and-delete is safe either way.
    const releaseLocks = async () => {
      if (fastPath.outcome !== "bypassed") await this.effects.seatLocks.release(eventId, id, seatIds);
    };
    let placed: Placed;
    try {
      const result = await this.submit(hold);
      if (result.outcome === "unavailable" || result.outcome === "notForSale") {
        await releaseLocks();
        return result;
      }
      placed = this.placed(hold, result);
    } catch (error) {
      await releaseLocks();
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
    return { outcome: "placed", hold: holdView({ id, eventId, expiresAt, currency, seats }) };
  }

  async holdBestAvailable(
    userId: string,
    eventId: number,
    quantity: number,
    priceTierId: number | null,
    admissionToken?: string | null,
    accessibleSeats = 0,
  ): Promise<HoldView> {
    this.checkQuantity(quantity, "quantity");
    if (!Number.isInteger(accessibleSeats) || accessibleSeats < 0 || accessibleSeats > quantity) {
      throw badInput("accessibleSeats must be between 0 and quantity", { field: "accessibleSeats" });
    }
    const request = { userId, eventId, quantity, priceTierId, accessibleSeats };
    const [event, seatMap] = await this.bestAvailableInputs(
      request,
      this.eventToHold(userId, eventId, admissionToken),
    );
    return (await this.pickAndPlace(request, event)) ?? this.placeBestAvailable(request, event, seatMap);
  }

  /**
   * Best available the way fans' holds go (no transaction, docs/holds.md): picks from the live seat map,
   * around the seats this instance's other picks in flight have chosen, and places the hold like
   * holdSeats. Seats the guard or Redis found taken are left out of the next try. SEATS_UNAVAILABLE
   * when the map has nothing that fits; null when the tries ran out (seats going fast), for the exact
   * path to decide.
   */
  private async pickAndPlace(request: BestAvailable, event: HoldableEvent): Promise<HoldView | null> {
    const { userId, eventId, quantity, accessibleSeats = 0 } = request;
    const taken = new Set<number>();
    for (let attempt = 0; attempt < OPTIMISTIC_TRIES; attempt++) {
      const seatMap = await this.seating.seatMap(eventId);
      const claimed = this.claimedSeats(eventId);
      const chosen = pickFromMap(
        seatMap,
        { ...request, accessibleSeats },
        { has: (seatId) => taken.has(seatId) || claimed.has(seatId) },
        accessiblePlacesFor(event),
      );
      if (!chosen)
        throw accessibleSeats ? noAccessibleBlock(quantity, accessibleSeats) : seatsUnavailable([], quantity);
      const seatIds = chosen.map((seat) => seat.seatId);
      // Synchronously after the pick: the next request on this instance picks around these.
      for (const seatId of seatIds) claimed.add(seatId);
      const unclaim = () => {
        for (const seatId of seatIds) claimed.delete(seatId);
        if (claimed.size === 0 && this.claimed.get(eventId) === claimed) this.claimed.delete(eventId);
      };
      try {
        const hold: NewHold = { id: uuidv7(), userId, eventId, seatIds, admitted: event.queueEnabled };
        const placed = await this.placeSeats(hold, event);
        if (placed.outcome === "placed") {
          // Until the seat map's delta shows them held (the next window, docs/seat-map.md).
          setTimeout(unclaim, CLAIM_AFTER_HOLD_MS).unref();
          return placed.hold;
        }
        for (const seatId of placed.seatIds) taken.add(seatId);
        unclaim();
      } catch (error) {
        unclaim();
        throw error;
      }
    }
    return null;
  }

  /** The seats this instance's best-available picks in flight chose for the event (filled by them). */
  private claimedSeats(eventId: number): Set<number> {
    let claimed = this.claimed.get(eventId);
    if (!claimed) {
      claimed = new Set();
      this.claimed.set(eventId, claimed);
    }
    return claimed;
  }

  /** The event, checked, and its seat map, once the tier asked for is found to be the event's. */
  private async bestAvailableInputs(
    { eventId, priceTierId }: BestAvailable,
    eventToHold: Promise<HoldableEvent>,
  ): Promise<[HoldableEvent, SeatMapView]> {
    const [event, tierFound, seatMap] = await Promise.all([
      eventToHold,
      priceTierId === null ? true : isTierOfEvent(this.db, priceTierId, eventId),
      this.seating.seatMap(eventId),
    ]);
    if (!tierFound) throw badInput(`Price tier ${priceTierId} is not a tier of this event`);
    return [event, seatMap];
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
    const [event, seatMap] = await this.bestAvailableInputs(
      offer,
      this.events
        .get(offer.eventId, () => holdableEvent(this.pool, offer.eventId))
        .then((found) => checkSaleOpen(offer.eventId, found)),
    );
    return this.placeBestAvailable(offer, event, seatMap, async (tx, holdId) => {
      const expiresAt = await setHoldExpiry(tx, holdId, offer.holdSeconds);
      await record(tx, { id: holdId, expiresAt });
      return expiresAt;
    });
  }

  /**
   * Best available as Postgres sees it (the exact path): in one transaction, the fan's limit, the seats
   * taken now, the chosen seats locked (SKIP LOCKED) and held. Waitlist offers take it (their record
   * joins the transaction), and fans' requests when the optimistic picks kept colliding. The seat map
   * (the layout) is read before, as the transaction must not wait for a second pooled connection.
   */
  private async placeBestAvailable(
    { userId, eventId, quantity, priceTierId, accessibleSeats = 0 }: BestAvailable,
    event: HoldableEvent,
    seatMap: SeatMapView,
    within?: (tx: Tx, holdId: string) => Promise<Date>,
  ): Promise<HoldView> {
    const holdId = uuidv7();
    const { placed, ended, expiresAt } = await this.db.$transaction(async (tx) => {
      await this.lockFanAndCheckLimit(tx, userId, eventId, quantity);
      const chosen = accessibleSeats
        ? await this.chooseAccessibleSeats(tx, seatMap, quantity, priceTierId, accessibleSeats)
        : await this.chooseSeats(tx, seatMap, quantity, priceTierId, accessiblePlacesFor(event));
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

  /**
   * The organizer's choice of when unsold wheelchair and companion seats go on general sale (null:
   * never before the show); audited. The picker reads it through the event's cached settings.
   */
  async setAccessibleRelease(viewer: Viewer, eventId: number, releaseAt: Date | null): Promise<boolean> {
    await requireEventManager(this.db, viewer, eventId);
    await this.db.$transaction(async (tx) => {
      const before = await setAccessibleRelease(tx, eventId, releaseAt);
      await recordAudit(tx, {
        eventId,
        actorId: viewer.userId,
        action: "event.accessible_release",
        before: { accessibleReleaseAt: before?.toISOString() ?? null },
        after: { accessibleReleaseAt: releaseAt?.toISOString() ?? null },
      });
    }, TRANSACTION_OPTIONS);
    this.events.delete(eventId);
    return true;
  }

  /** The fan's live holds (active and unexpired), soonest to expire first. */
  async activeHolds(userId: string): Promise<HoldView[]> {
    const [rows, standing] = await Promise.all([
      liveHoldSeats(this.db, userId),
      liveAreaHolds(this.db, userId),
    ]);
    const holds = new Map<string, HoldRecord>();
    for (const { id, eventId, expiresAt, currency, ...seat } of rows) {
      let hold = holds.get(id);
      if (!hold) {
        hold = { id, eventId, expiresAt, currency, seats: [] };
        holds.set(id, hold);
      }
      hold.seats.push(seat);
    }
    const records = [
      ...holds.values(),
      ...standing.map(({ id, eventId, expiresAt, currency, ...places }) => ({
        id,
        eventId,
        expiresAt,
        currency,
        seats: [],
        standing: places,
      })),
    ];
    return records.sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime()).map(holdView);
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

  private submit(hold: NewHold): Promise<PlaceHoldResult> {
    return this.submitTo(this.batches, hold);
  }

  private async submitTo<Hold, Result>(batches: GroupBatcher<Hold, Result>, hold: Hold): Promise<Result> {
    try {
      return await batches.submit(hold);
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
    if (isEventRefusal(result)) this.events.delete(hold.eventId);
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
    accessible: AccessiblePlaces,
  ): Promise<CandidateSeat[]> {
    const taken = new Set(await takenSeatIds(tx, seatMap.eventId));
    for (const search of accessibleSearches(accessible)) {
      const chosen = await this.chooseAmong(
        tx,
        seatMap,
        quantity,
        priceTierId,
        freeRuns(seatMap, taken, priceTierId, search),
      );
      if (chosen) return chosen;
    }
    throw seatsUnavailable([], quantity);
  }

  /** Adjacent seats, else the best split, among the free runs; null when they do not have enough. */
  private async chooseAmong(
    tx: Tx,
    seatMap: SeatMapView,
    quantity: number,
    priceTierId: number | null,
    runs: ReturnType<typeof freeRuns>,
  ): Promise<CandidateSeat[] | null> {
    const lock = (adjacent: boolean, limit: number) =>
      // Enough preferences to get past what concurrent callers have locked meanwhile.
      this.lockPreferred(
        tx,
        seatMap.eventId,
        priceTierId,
        limit,
        preferenceOrder(runs, quantity, { adjacent, max: 32 * limit }),
      );
    for (const limit of [4 * quantity, 16 * quantity]) {
      const candidates = await lock(true, limit);
      const block = pickAdjacent(candidates, quantity);
      if (block) return block;
      // Fewer than asked for: every seat in a run with room was tried, none is left to look at.
      if (candidates.length < limit) break;
    }
    return pickSplit(await lock(false, 4 * quantity), quantity);
  }

  /** `wheelchair` wheelchair places and companion seats beside them, `quantity` in all, in one row. */
  private async chooseAccessibleSeats(
    tx: Tx,
    seatMap: SeatMapView,
    quantity: number,
    priceTierId: number | null,
    wheelchair: number,
  ): Promise<CandidateSeat[]> {
    const runs = freeRuns(seatMap, new Set(await takenSeatIds(tx, seatMap.eventId)), priceTierId, "include");
    const limit = 16 * quantity;
    const preferred = accessiblePreferenceOrder(runs, quantity, wheelchair, 8 * limit);
    const block = pickAccessible(
      await this.lockPreferred(tx, seatMap.eventId, priceTierId, limit, preferred),
      quantity,
      wheelchair,
    );
    if (block) return block;
    throw noAccessibleBlock(quantity, wheelchair);
  }

  /** Locks up to `limit` of the preferred seats that are still free, in order (SKIP LOCKED). */
  private async lockPreferred(
    tx: Tx,
    eventId: number,
    priceTierId: number | null,
    limit: number,
    preferred: FreeSeat[],
  ): Promise<CandidateSeat[]> {
    const seatIds = preferred.map((seat) => seat.seatId);
    const bySeat = new Map(preferred.map((seat) => [seat.seatId, seat]));
    const offers = await lockFreeSeatsInOrder(tx, { eventId, seatIds, priceTierId, limit });
    return offers.map((offer) => ({ ...offer, ...(bySeat.get(offer.seatId) as FreeSeat) }));
  }

  private async announcePlaced(eventId: number, seatIds: readonly number[], ended: EndedHolds) {
    this.effects.notifier.seatsChanged(eventId, seatIds);
    await announceEnded(this.effects, ended);
  }
}
