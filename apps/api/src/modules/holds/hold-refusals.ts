import { AppError, badInput, ErrorCode, notFound } from "../../kernel/errors.js";
import type { HoldableEvent, NewHold, PlaceHoldResult } from "./hold-store.js";

// Why a hold is refused, as the fan is told it: one owner for each refusal's code, message and extensions,
// whether the Redis fast path, the service's pre-checks or the Postgres guard refused.

export function limitExceeded(limit: number, used: number, requested: number): AppError {
  return new AppError(
    ErrorCode.LIMIT_EXCEEDED,
    `At most ${limit} tickets per account for this event; you hold or bought ${used}`,
    { limit, used, requested },
  );
}

/**
 * SALE_NOT_OPEN: the event is not on sale, its sale has not started, or it has ended (saleEndsAt, or the
 * show started). The guard's refusal (place_holds, place_area_holds) does not carry saleEndsAt.
 */
function saleNotOpen({
  status,
  saleStartsAt,
  saleEndsAt = null,
}: Pick<HoldableEvent, "status" | "saleStartsAt"> & { saleEndsAt?: Date | null }): AppError {
  const message =
    status !== "ON_SALE"
      ? `This event is not on sale (${status})`
      : saleStartsAt > new Date()
        ? `Sales open at ${saleStartsAt.toISOString()}`
        : saleEndsAt
          ? `Sales ended at ${saleEndsAt.toISOString()}`
          : "Sales for this event have ended";
  return new AppError(ErrorCode.SALE_NOT_OPEN, message, {
    saleStartsAt: saleStartsAt.toISOString(),
    ...(saleEndsAt ? { saleEndsAt: saleEndsAt.toISOString() } : {}),
    status,
  });
}

/** The event, when fans may hold its seats right now (the guard's hold_batch_gate checks it again). */
export function checkSaleOpen(eventId: number, event: HoldableEvent | null): HoldableEvent {
  if (!event || event.status === "DRAFT") throw notFound("Event", String(eventId));
  const now = new Date();
  if (
    event.status !== "ON_SALE" ||
    event.saleStartsAt > now ||
    event.startsAt <= now ||
    (event.saleEndsAt !== null && event.saleEndsAt <= now)
  ) {
    throw saleNotOpen(event);
  }
  return event;
}

export function seatsUnavailable(seatIds: readonly number[], quantity = seatIds.length): AppError {
  const message = seatIds.length
    ? `These seats are no longer available: ${seatIds.join(", ")}`
    : `There are not ${quantity} free seats left to hold`;
  return new AppError(ErrorCode.SEATS_UNAVAILABLE, message, { seatIds: seatIds.map(String) });
}

export function noAccessibleBlock(quantity: number, wheelchair: number): AppError {
  return new AppError(
    ErrorCode.SEATS_UNAVAILABLE,
    `There are not ${wheelchair} free wheelchair places with ${quantity - wheelchair} seats beside them`,
    { seatIds: [] },
  );
}

export type Placed = Extract<PlaceHoldResult, { outcome: "placed" }>;

export type EventRefusal = Extract<PlaceHoldResult, { outcome: "notFound" | "saleNotOpen" | "notAdmitted" }>;

export function isEventRefusal(result: { outcome: string }): result is EventRefusal {
  return (
    result.outcome === "notFound" || result.outcome === "saleNotOpen" || result.outcome === "notAdmitted"
  );
}

/** The error for a hold the guard refused for the event's sake (both kinds of hold). */
export function eventRefusal(eventId: number, result: EventRefusal): AppError {
  switch (result.outcome) {
    case "notFound":
      return notFound("Event", String(eventId));
    case "saleNotOpen":
      return saleNotOpen(result);
    case "notAdmitted":
      // Only when the waiting room was switched on within the last EVENT_CACHE_MS (holds.service.ts).
      return new AppError(
        ErrorCode.NOT_ADMITTED,
        "This event uses the waiting room: join the queue and wait for your turn",
      );
  }
}

/** The hold place_holds placed, or the error that says why it did not. */
export function placedOrThrow(hold: NewHold, result: PlaceHoldResult): Placed {
  if (isEventRefusal(result)) throw eventRefusal(hold.eventId, result);
  switch (result.outcome) {
    case "placed":
      return result;
    case "limitExceeded":
      throw limitExceeded(result.limit, result.used, hold.seatIds.length);
    case "notForSale":
    case "unavailable":
      throw seatsRefusal(result);
  }
}

/** The seats' refusal the guard or the Redis fast path gave, as the fan is told it. */
export function seatsRefusal(refusal: SeatsRefusal): AppError {
  return refusal.outcome === "unavailable"
    ? seatsUnavailable(refusal.seatIds)
    : badInput(`These seats are not for sale at this event: ${refusal.seatIds.join(", ")}`, {
        seatIds: refusal.seatIds.map(String),
      });
}

/** Seats a hold could not have: taken, or not for sale. */
export type SeatsRefusal = Extract<PlaceHoldResult, { outcome: "unavailable" | "notForSale" }>;

/** A standing area without the places asked for. */
export function placesUnavailable(available: number, quantity: number): AppError {
  return new AppError(
    ErrorCode.SEATS_UNAVAILABLE,
    available === 0
      ? "This standing area is sold out"
      : `Only ${available} places are left in this standing area; you asked for ${quantity}`,
    { seatIds: [], available },
  );
}
