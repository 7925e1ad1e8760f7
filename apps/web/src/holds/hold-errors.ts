import {
  describeApiError,
  graphQLErrorDetails,
  numberExtension,
  stringExtension,
  stringListExtension,
} from "@/lib/api-errors";
import { formatEventDate, formatEventTime } from "@/lib/format";

export type HoldProblem =
  /** The session is missing or expired: sign in and come back. */
  | { kind: "signIn" }
  /** Someone else got (some of) these seats first; `seatIds` is empty when no block of seats was free. */
  | { kind: "seatsTaken"; seatIds: string[]; title: string; message: string }
  | { kind: "message"; title: string; message: string };

export interface HoldErrorContext {
  /** "Row C, seat 5 and Row C, seat 6", for the seats the API names. */
  describeSeats: (seatIds: readonly string[]) => string;
  /** The venue's time zone, for "sales open at". */
  timeZone: string;
}

/** Turns a failed hold or release into what the fan should know and do next, from `extensions.code`. */
export function describeHoldError(error: unknown, context: HoldErrorContext): HoldProblem {
  const details = graphQLErrorDetails(error);
  if (!details) return { kind: "message", ...describeApiError(error) };
  switch (details.code) {
    case "UNAUTHENTICATED":
      return { kind: "signIn" };
    case "SEATS_UNAVAILABLE": {
      const seatIds = stringListExtension(details, "seatIds");
      return seatIds.length > 0
        ? {
            kind: "seatsTaken",
            seatIds,
            title: "Someone else was faster",
            message: `${context.describeSeats(seatIds)} ${seatIds.length === 1 ? "was" : "were"} just taken by another fan (ringed in red on the map). Your other seats are still picked: choose replacements and try again.`,
          }
        : {
            kind: "seatsTaken",
            seatIds,
            title: "Not enough seats free",
            message:
              "There aren't that many free seats in this tier right now. Try fewer seats or another tier.",
          };
    }
    case "LIMIT_EXCEEDED": {
      const limit = numberExtension(details, "limit");
      const used = numberExtension(details, "used");
      if (limit === null || used === null)
        return { kind: "message", title: "Ticket limit reached", message: details.message };
      const left = Math.max(0, limit - used);
      return {
        kind: "message",
        title: "Ticket limit reached",
        message: `Each fan can have at most ${limit} tickets for this event, and you already hold or bought ${used}. ${left > 0 ? `You can add ${left} more.` : "You can't add more."}`,
      };
    }
    case "SALE_NOT_OPEN": {
      const opensAt = stringExtension(details, "saleStartsAt");
      const status = stringExtension(details, "status");
      const opensLater = status === "ON_SALE" && opensAt !== null && Date.parse(opensAt) > Date.now();
      return {
        kind: "message",
        title: opensLater ? "The sale hasn't opened yet" : "This event is not on sale",
        message: opensLater
          ? `Tickets go on sale ${formatEventDate(opensAt, context.timeZone)} at ${formatEventTime(opensAt, context.timeZone)}. Come back then: your seats will be waiting on the map.`
          : "Tickets for this event can't be held right now.",
      };
    }
    case "NOT_ADMITTED":
      return {
        kind: "message",
        title: "This event uses a waiting room",
        message: "To keep a big on-sale fair, fans can hold seats only once the waiting room admits them.",
      };
    case "RATE_LIMITED": {
      const seconds = numberExtension(details, "retryAfterSeconds");
      return {
        kind: "message",
        title: "Too many requests",
        message: `Please wait${seconds ? ` ${seconds} s` : " a moment"} and try again.`,
      };
    }
    default:
      return { kind: "message", title: "That didn't work", message: details.message };
  }
}
