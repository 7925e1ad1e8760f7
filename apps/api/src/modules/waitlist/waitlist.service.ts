import type { Db } from "../../infra/prisma.js";
import { AppError, badInput, ErrorCode, notFound } from "../../kernel/errors.js";
import { TRANSACTION_OPTIONS } from "../../kernel/transactions.js";
import type { Viewer } from "../../kernel/viewer.js";
import { uuidv7 } from "../../lib/uuid7.js";
import { requireEventManager } from "../events/event-access.js";
import { fanAllowance, isTierOfEvent } from "../holds/hold-store.js";
import type { HoldsService } from "../holds/holds.service.js";
import {
  areaPlacesLeft,
  type EntryRow,
  entriesOfFan,
  entryById,
  hasFreeSeat,
  insertEntry,
  leaveEntry,
  type WaitlistCounts,
  type WaitlistEvent,
  waitlistCounts,
  waitlistEvent,
} from "./waitlist-store.js";

// The waitlist of a sold-out event, price tier or standing area (docs/waitlist.md): fans join at the
// back, see their place, and leave; offers are made by waitlist-offers.ts.

export type EntryView = EntryRow;

export interface WaitlistOptions {
  /** A place asks for at most this many seats (the largest hold). */
  maxQuantity: number;
}

/** Open for joining: published, not over, the organizer's switch on. */
function checkOpen(eventId: number, event: WaitlistEvent | null): WaitlistEvent {
  if (!event || event.status === "DRAFT") throw notFound("Event", String(eventId));
  if (!event.waitlistEnabled) {
    throw new AppError(ErrorCode.WAITLIST_CLOSED, "The organizer has no waitlist for this event");
  }
  if (event.status === "CANCELLED" || event.status === "ENDED" || event.startsAt <= new Date()) {
    throw new AppError(ErrorCode.WAITLIST_CLOSED, "This event's sale is over");
  }
  if (event.saleStartsAt > new Date()) {
    throw new AppError(ErrorCode.SALE_NOT_OPEN, `Sales open at ${event.saleStartsAt.toISOString()}`, {
      saleStartsAt: event.saleStartsAt.toISOString(),
      status: event.status,
    });
  }
  return event;
}

export class WaitlistService {
  constructor(
    private readonly db: Db,
    private readonly holds: Pick<HoldsService, "releaseHold">,
    private readonly options: WaitlistOptions,
  ) {}

  /**
   * Puts the caller at the back of the event's waitlist for seats (of a price tier, or any) or for a
   * standing area's places: only when what they ask for is sold out.
   */
  async joinWaitlist(
    userId: string,
    input: { eventId: number; quantity: number; priceTierId: number | null; areaId: number | null },
  ): Promise<EntryView> {
    const { eventId, quantity, priceTierId, areaId } = input;
    const event = checkOpen(eventId, await waitlistEvent(this.db, eventId));
    const most = Math.min(this.options.maxQuantity, event.maxTicketsPerAccount);
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > most) {
      throw badInput(`Ask for between 1 and ${most} ${areaId === null ? "seats" : "places"}`, {
        field: "quantity",
      });
    }
    if (priceTierId !== null && areaId !== null) {
      throw badInput("Ask for a price tier's seats or a standing area's places, not both", {
        field: "areaId",
      });
    }
    if (areaId !== null) {
      const left = await areaPlacesLeft(this.db, eventId, areaId);
      if (left === null) {
        throw badInput(`Area ${areaId} is not a standing area of this event`, { field: "areaId" });
      }
      if (left > 0) {
        throw new AppError(
          ErrorCode.NOT_SOLD_OUT,
          "Places in this standing area are on sale right now: hold yours instead of waiting",
          { available: left },
        );
      }
    } else {
      if (priceTierId !== null && !(await isTierOfEvent(this.db, priceTierId, eventId))) {
        throw badInput(`Price tier ${priceTierId} is not a tier of this event`, { field: "priceTierId" });
      }
      if (await hasFreeSeat(this.db, eventId, priceTierId)) {
        throw new AppError(
          ErrorCode.NOT_SOLD_OUT,
          priceTierId === null
            ? "Seats are on sale right now: pick yours instead of waiting"
            : "Seats of this tier are on sale right now: pick yours instead of waiting",
        );
      }
    }
    const id = uuidv7();
    await this.db.$transaction(async (tx) => {
      const { used, limit } = await fanAllowance(tx, userId, eventId);
      if (used + quantity > limit) {
        throw new AppError(
          ErrorCode.LIMIT_EXCEEDED,
          `At most ${limit} tickets per account for this event; you hold or bought ${used}`,
          { limit, used, requested: quantity, field: "quantity" },
        );
      }
      if (!(await insertEntry(tx, { id, eventId, userId, quantity, priceTierId, areaId }))) {
        throw new AppError(
          ErrorCode.CONFLICT,
          "You are already on this waitlist: leave it first to change your request",
        );
      }
    }, TRANSACTION_OPTIONS);
    return this.entry(id);
  }

  /** Gives up the caller's place (and an offer's held seats). False when they had no place. */
  async leaveWaitlist(userId: string, eventId: number): Promise<boolean> {
    const left = await this.db.$transaction((tx) => leaveEntry(tx, eventId, userId), TRANSACTION_OPTIONS);
    if (!left) return false;
    // The offer's seats go back at once, through the holds module (idempotent if it ended already).
    if (left.holdId) await this.holds.releaseHold(userId, left.holdId);
    return true;
  }

  /** The caller's places: live ones and those that ended in the last week, newest first. */
  myWaitlists(userId: string): Promise<EntryView[]> {
    return entriesOfFan(this.db, userId);
  }

  /** One place, for its fan (the live notice of an offer). Null when it is someone else's or gone. */
  async entryOf(userId: string, entryId: string): Promise<EntryView | null> {
    const entry = await entryById(this.db, entryId);
    return entry?.userId === userId ? entry : null;
  }

  /** The figures of the event's waitlist, for its dashboard (the sales module may call this). */
  counts(eventId: number): Promise<WaitlistCounts> {
    return waitlistCounts(this.db, eventId);
  }

  /** The figures, for the event's organizer and admins only. */
  async eventWaitlist(viewer: Viewer, eventId: number): Promise<WaitlistCounts> {
    await requireEventManager(this.db, viewer, eventId);
    return this.counts(eventId);
  }

  /** What every fan may see of an event's waitlist: whether it takes places, and how many wait. */
  async publicInfo(eventId: number): Promise<{ open: boolean; waiting: number; offerSeconds: number }> {
    const [event, counts] = await Promise.all([waitlistEvent(this.db, eventId), this.counts(eventId)]);
    if (!event) throw notFound("Event", String(eventId));
    const open =
      event.waitlistEnabled &&
      (event.status === "ON_SALE" || event.status === "SOLD_OUT") &&
      event.startsAt > new Date();
    return { open, waiting: counts.waiting, offerSeconds: event.waitlistOfferSeconds };
  }

  private async entry(id: string): Promise<EntryView> {
    const entry = await entryById(this.db, id);
    if (!entry) throw new Error(`waitlist entry ${id} vanished`);
    return entry;
  }
}
