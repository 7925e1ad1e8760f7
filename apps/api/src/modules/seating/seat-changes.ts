/**
 * Told about every committed change of seat statuses (holds, releases, expiries, sales, refunds), after
 * the transaction commits. The live seat map turns these into coalesced, versioned `seatMapChanged`
 * deltas for every API instance (docs/seat-map.md).
 */
export interface SeatChangeNotifier {
  seatsChanged(eventId: number, seatIds: readonly number[]): void;
  /** Standing areas (section ids) whose available places changed: they ride in the same deltas. */
  areasChanged(eventId: number, areaIds: readonly number[]): void;
  /**
   * The event's prices or inventory were changed by its organizer (published, tiers assigned): every
   * instance forgets what it cached of the event's seating and statuses.
   */
  pricingChanged(eventId: number): Promise<void>;
}

/** A standing area's places left, as deltas carry it. */
export interface AreaAvailable {
  areaId: number;
  available: number;
}

/**
 * The statuses a committed change can leave a seat in. NOT_FOR_SALE: the organizer took it off sale or
 * holds it as a house seat (an unpriced seat never changes live).
 */
export type ChangedSeatStatus = "AVAILABLE" | "HELD" | "SOLD" | "NOT_FOR_SALE";

/**
 * The organizer's holds (kills, house seats: events/inventory.service.ts) hold their seats until then; fans
 * see such a seat as not for sale, since no release in a few minutes will bring it back.
 */
export const ORGANIZER_HOLD_UNTIL = new Date("9999-01-01T00:00:00Z");
