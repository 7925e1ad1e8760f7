import type { Db } from "../../infra/prisma.js";
import { AppError, ErrorCode, notFound } from "../../kernel/errors.js";
import { isUuid } from "../../kernel/ids.js";
import { TRANSACTION_OPTIONS, type Tx } from "../../kernel/transactions.js";
import type { Viewer } from "../../kernel/viewer.js";
import { uuidv7 } from "../../lib/uuid7.js";
import { type IssuedComplimentary, issueComplimentaryOrder } from "../orders/complimentary.service.js";
import type { SeatChangeNotifier } from "../seating/seat-changes.js";
import { recordAudit } from "./audit-store.js";
import { requireEventManager } from "./event-access.js";
import {
  type EventRow,
  endEmptyOrganizerHolds,
  freeOrganizerSeats,
  holdEvent,
  houseHolds,
  killedSeatIds,
  lockEvent,
  lockSeatStates,
  type OrganizerHoldKind,
  type OrganizerHoldRow,
  placeOrganizerHold,
  type SeatState,
  userIdByEmail,
} from "./event-store.js";

// The organizer's inventory on a published event (docs/organizers.md, "Inventory"): seats taken off sale
// ("kills": camera positions, the mixing desk) and house seats (for the artist and press), which never
// expire and are released to sale or issued as complimentary tickets. Both are organizer holds (hold.kind
// KILL or HOUSE) whose seats are HELD until far in the future: every path that claims seats (place_holds,
// checkout, the sweeper) already refuses a live hold's seat, so the fans' hot path is unchanged. A seat a
// fan holds or bought is never touched: the change is refused naming those seats. Every change is pushed
// on the live seat map.

export const MAX_ORGANIZER_SEATS = 2_000;

function seatsRefused(message: string, seats: SeatState[] | number[]): AppError {
  const seatIds = seats.map((seat) => (typeof seat === "number" ? seat : seat.seatId));
  return new AppError(ErrorCode.SEATS_UNAVAILABLE, `${message}: ${seatIds.join(", ")}`, {
    field: "seatIds",
    seatIds,
  });
}

export class InventoryService {
  constructor(
    private readonly db: Db,
    private readonly seatChanges: SeatChangeNotifier,
  ) {}

  /** Takes free seats off sale (into a KILL hold), or into a new house hold; refuses fans' seats. */
  async holdForOrganizer(
    viewer: Viewer,
    eventId: number,
    seatIds: number[],
    kind: OrganizerHoldKind,
    label: string | null = null,
  ): Promise<{ holdId: string; seatIds: number[] }> {
    const seats = this.checkSeatIds(seatIds);
    if (label !== null && (label.trim().length === 0 || label.length > 100)) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, "label must be 1 to 100 characters", { field: "label" });
    }
    await requireEventManager(this.db, viewer, eventId);
    const holdId = uuidv7();
    await this.db.$transaction(async (tx) => {
      const event = await this.liveEvent(tx, eventId);
      const states = await lockSeatStates(tx, eventId, seats);
      const known = new Set(states.map((state) => state.seatId));
      const notOnSale = seats.filter((id) => !known.has(id));
      if (notOnSale.length) throw seatsRefused("These seats are not sold for this event", notOnSale);
      const taken = states.filter((state) => state.state === "HELD" || state.state === "SOLD");
      if (taken.length) throw seatsRefused("These seats are held or sold by fans", taken);
      const already = states.filter((state) => state.state !== "FREE");
      if (already.length) throw seatsRefused("These seats are already off sale or house seats", already);
      await placeOrganizerHold(tx, {
        id: holdId,
        userId: viewer.userId,
        eventId,
        kind,
        label: label?.trim() ?? null,
        seats: states,
        currency: event.currency,
      });
      await recordAudit(tx, {
        eventId,
        actorId: viewer.userId,
        action: kind === "KILL" ? "seats.off_sale" : "house_hold.create",
        after: { holdId, seatIds: seats, ...(label ? { label } : {}) },
      });
    }, TRANSACTION_OPTIONS);
    this.seatChanges.seatsChanged(eventId, seats);
    return { holdId, seatIds: seats };
  }

  /** Puts seats taken off sale back on sale; refuses seats that are not off sale. */
  async setSeatsOnSale(viewer: Viewer, eventId: number, seatIds: number[]): Promise<number[]> {
    const seats = this.checkSeatIds(seatIds);
    await requireEventManager(this.db, viewer, eventId);
    await this.db.$transaction(async (tx) => {
      await this.liveEvent(tx, eventId);
      const states = await lockSeatStates(tx, eventId, seats);
      const killed = new Set(states.filter((state) => state.state === "KILL").map((state) => state.seatId));
      const notKilled = seats.filter((id) => !killed.has(id));
      if (notKilled.length) throw seatsRefused("These seats are not off sale", notKilled);
      await freeOrganizerSeats(tx, eventId, seats);
      await recordAudit(tx, {
        eventId,
        actorId: viewer.userId,
        action: "seats.on_sale",
        before: { seatIds: seats },
      });
    }, TRANSACTION_OPTIONS);
    this.seatChanges.seatsChanged(eventId, seats);
    return seats;
  }

  /** Releases house seats to sale: all of the hold's, or `seatIds` of them. */
  async releaseHouseHold(viewer: Viewer, holdId: string, seatIds: number[] | null): Promise<number[]> {
    const hold = await this.houseHold(viewer, holdId);
    const seats = seatIds === null ? hold.seatIds : this.checkSeatIds(seatIds);
    await this.db.$transaction(async (tx) => {
      await this.liveEvent(tx, hold.eventId);
      await this.requireHeldBy(tx, hold, seats);
      await freeOrganizerSeats(tx, hold.eventId, seats);
      await recordAudit(tx, {
        eventId: hold.eventId,
        actorId: viewer.userId,
        action: "house_hold.release",
        before: { holdId, seatIds: seats },
      });
    }, TRANSACTION_OPTIONS);
    this.seatChanges.seatsChanged(hold.eventId, seats);
    return seats;
  }

  /** Issues house seats (all, or `seatIds`) as complimentary tickets to the account `email` (default: the organizer). */
  async issueComplimentaryTickets(
    viewer: Viewer,
    holdId: string,
    seatIds: number[] | null,
    email: string | null,
  ): Promise<IssuedComplimentary> {
    const hold = await this.houseHold(viewer, holdId);
    const seats = seatIds === null ? hold.seatIds : this.checkSeatIds(seatIds);
    if (seats.length === 0) throw seatsRefused("The house hold has no seats left", []);
    const userId = email ? await userIdByEmail(this.db, email) : viewer.userId;
    if (!userId) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, `No account has the e-mail address ${email}`, {
        field: "email",
      });
    }
    const issued = await this.db.$transaction(async (tx) => {
      await this.liveEvent(tx, hold.eventId);
      await this.requireHeldBy(tx, hold, seats);
      const order = await issueComplimentaryOrder(tx, {
        eventId: hold.eventId,
        houseHoldId: holdId,
        seatIds: seats,
        userId,
      });
      if (!order) throw seatsRefused("These seats are no longer house seats", seats);
      await endEmptyOrganizerHolds(tx, hold.eventId);
      await recordAudit(tx, {
        eventId: hold.eventId,
        actorId: viewer.userId,
        action: "house_hold.issue_complimentary",
        before: { holdId, seatIds: seats },
        after: { orderId: order.orderId, userId, ticketIds: order.ticketIds },
      });
      return order;
    }, TRANSACTION_OPTIONS);
    this.seatChanges.seatsChanged(hold.eventId, seats);
    return issued;
  }

  async houseHolds(viewer: Viewer, eventId: number): Promise<OrganizerHoldRow[]> {
    await requireEventManager(this.db, viewer, eventId);
    return houseHolds(this.db, eventId);
  }

  async killedSeats(viewer: Viewer, eventId: number): Promise<number[]> {
    await requireEventManager(this.db, viewer, eventId);
    return killedSeatIds(this.db, eventId);
  }

  private checkSeatIds(seatIds: number[]): number[] {
    const seats = [...new Set(seatIds)].sort((a, b) => a - b);
    if (seats.length === 0 || seats.length > MAX_ORGANIZER_SEATS) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, `Name from 1 to ${MAX_ORGANIZER_SEATS} seats`, {
        field: "seatIds",
      });
    }
    return seats;
  }

  /** The event, locked; only a published event that is not over or cancelled has inventory to manage. */
  private async liveEvent(tx: Tx, eventId: number): Promise<EventRow> {
    const event = await lockEvent(tx, eventId);
    if (!event) throw notFound("Event", String(eventId));
    if (event.status !== "ON_SALE" && event.status !== "SOLD_OUT") {
      throw new AppError(
        ErrorCode.CONFLICT,
        `Seats can be managed on a published event; this one is ${event.status}`,
        {
          status: event.status,
        },
      );
    }
    return event;
  }

  private async houseHold(viewer: Viewer, holdId: string): Promise<OrganizerHoldRow> {
    if (!isUuid(holdId)) throw notFound("House hold", holdId.slice(0, 40));
    const owner = await holdEvent(this.db, holdId);
    if (owner?.kind !== "HOUSE") throw notFound("House hold", holdId);
    await requireEventManager(this.db, viewer, owner.eventId);
    const [hold] = await houseHolds(this.db, owner.eventId, holdId);
    if (!hold) throw new AppError(ErrorCode.CONFLICT, "The house hold has ended", { holdId });
    return hold;
  }

  private async requireHeldBy(tx: Tx, hold: OrganizerHoldRow, seatIds: number[]): Promise<void> {
    const states = await lockSeatStates(tx, hold.eventId, seatIds);
    const mine = new Set(
      states.filter((state) => state.holdId === hold.id && state.state === "HOUSE").map((s) => s.seatId),
    );
    const others = seatIds.filter((id) => !mine.has(id));
    if (others.length) throw seatsRefused("These seats are not seats of this house hold", others);
  }
}
