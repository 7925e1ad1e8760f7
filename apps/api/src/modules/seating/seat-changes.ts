/**
 * Told about every committed change of seat statuses (holds, releases, expiries, sales, refunds), after
 * the transaction commits. The live seat map turns these into coalesced, versioned `seatMapChanged`
 * deltas for every API instance (docs/seat-map.md).
 */
export interface SeatChangeNotifier {
  seatsChanged(eventId: number, seatIds: readonly number[]): void;
  /**
   * The event's prices or inventory were changed by its organizer (published, tiers assigned): every
   * instance forgets what it cached of the event's seating and statuses.
   */
  pricingChanged(eventId: number): Promise<void>;
}

/** The statuses a committed change can leave a seat in (not-for-sale never changes live). */
export type ChangedSeatStatus = "AVAILABLE" | "HELD" | "SOLD";
