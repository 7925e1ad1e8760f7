import type { Money } from "../../kernel/money.js";
import type { AreaPlaces } from "./area-hold-store.js";
import type { SeatOffer } from "./hold-store.js";

// How holds, and the orders and tickets they become, show their seats and standing places.

export interface HoldSeatView {
  id: number;
  row: string;
  number: number;
  sectionId: number;
  section: string;
  price: Money;
}

/** A seat or a standing place, as holds, orders and tickets show it. */
export interface PlaceView {
  kind: "SEATED" | "STANDING";
  /** Null for a standing place, as are row and number. */
  seatId: number | null;
  row: string | null;
  number: number | null;
  sectionId: number;
  section: string;
  price: Money;
}

export interface HoldView {
  id: string;
  eventId: number;
  expiresAt: Date;
  seats: HoldSeatView[];
  /** Seats and standing places alike, one entry per place. */
  places: PlaceView[];
  total: Money;
}

export function seatPlace(seat: HoldSeatView): PlaceView {
  return { kind: "SEATED", ...seat, seatId: seat.id };
}

/** One standing place of an area at a price. */
export function standingPlace(areaId: number, area: string, price: Money): PlaceView {
  return { kind: "STANDING", seatId: null, row: null, number: null, sectionId: areaId, section: area, price };
}

/** A hold as the stores give it: its seats, and the places of a standing area. */
export interface HoldRecord {
  id: string;
  eventId: number;
  expiresAt: Date;
  currency: string;
  seats: SeatOffer[];
  standing?: AreaPlaces;
}

export function holdView({ id, eventId, expiresAt, currency, seats, standing }: HoldRecord): HoldView {
  const seatViews = seats.map(({ seatId, price, ...seat }) => ({
    ...seat,
    id: seatId,
    price: { amount: price, currency },
  }));
  const standingPlaces = standing
    ? Array.from({ length: standing.quantity }, () =>
        standingPlace(standing.areaId, standing.area, { amount: standing.price, currency }),
      )
    : [];
  const seatsTotal = seats.reduce((sum, seat) => sum + seat.price, 0);
  return {
    id,
    eventId,
    expiresAt,
    seats: seatViews,
    places: [...seatViews.map(seatPlace), ...standingPlaces],
    total: { amount: seatsTotal + (standing ? standing.price * standing.quantity : 0), currency },
  };
}
