/**
 * Told about every committed change of seat statuses (holds, releases, expiries, sales, refunds), after
 * the transaction commits. The live seat map turns these into coalesced, versioned `seatMapChanged`
 * deltas for every API instance (docs/seat-map.md).
 */
export interface SeatChangeNotifier {
  seatsChanged(eventId: number, seatIds: readonly number[]): void;
  /** Standing areas (section ids) whose available places changed: they ride in the same deltas. */
  areasChanged(eventId: number, areaIds: readonly number[]): void;
}

/** A standing area's places left, as deltas carry it. */
export interface AreaAvailable {
  areaId: number;
  available: number;
}

/** The statuses a committed change can leave a seat in (not-for-sale never changes live). */
export type ChangedSeatStatus = "AVAILABLE" | "HELD" | "SOLD";
