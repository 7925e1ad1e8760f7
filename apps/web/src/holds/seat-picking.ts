import { formatDuration } from "@/lib/format";
import type { HoldProblem } from "./hold-errors";

// The seat-picking state of the event page as a pure reducer: what the fan has picked, which seats were
// taken from under them, the message beside the map and the request in flight. The hook
// (use-seat-picking.ts) feeds it what the map and the API say; nothing here knows how a place was chosen
// (a click or tap today, the keyboard later) or how the map is drawn.

export interface PanelNotice {
  tone: "success" | "info" | "error";
  title: string;
  message: string;
}

/** A place on the map, as the fan reads it: "Stalls · Row C · Seat 5". */
export interface PlaceRef {
  id: string;
  label: string;
}

/** What a place is to this fan right now. */
export type PlaceAvailability = "available" | "yours" | "held" | "sold" | "notForSale";

/** A place the fan chose on the map: a seat today. */
export interface ChosenPlace extends PlaceRef {
  availability: PlaceAvailability;
}

/** The per-account ticket limit, and how much of it the fan's holds already use. */
export interface TicketLimit {
  perAccount: number;
  held: number;
}

export type HoldRequest = "hold" | "best" | "standing";

export interface SeatPickingState {
  /**
   * Places picked and not held yet, in the order picked, with how many tickets each: always one for a
   * seat, so that a place sold by quantity (a standing area) fits without another shape.
   */
  picked: ReadonlyMap<string, number>;
  /** Places someone else took from the fan's selection, ringed in red for a while. */
  flagged: ReadonlySet<string>;
  notice: PanelNotice | null;
  /** The hold request in flight: the picked places, or the best available. */
  pending: HoldRequest | null;
  releasingHoldId: string | null;
}

export type SeatPickingAction =
  /** A place was chosen on the map: it is picked, unpicked, or the fan is told why not. */
  | { type: "choose"; place: ChosenPlace; limit: TicketLimit }
  | { type: "unpick"; placeIds: readonly string[] }
  | { type: "clear" }
  /** Places picked before a trip to the login page, already checked to be free. */
  | { type: "restore"; placeIds: readonly string[]; perAccount: number }
  /** The map changed: picked places that became the fan's own, and those someone else took. */
  | { type: "picksOvertaken"; nowYours: readonly string[]; taken: readonly PlaceRef[] }
  | { type: "holdRequested"; request: HoldRequest }
  | { type: "held"; request: HoldRequest; ticketCount: number; holdSeconds: number }
  | { type: "holdFailed"; problem: HoldProblem }
  | { type: "releaseRequested"; holdId: string }
  | { type: "released" }
  | { type: "releaseFailed"; problem: HoldProblem }
  | { type: "holdExpired"; ticketCount: number }
  | { type: "flagsExpired" };

const NO_PLACES: ReadonlySet<string> = new Set();
const NOTHING_PICKED: ReadonlyMap<string, number> = new Map();

export const initialSeatPicking: SeatPickingState = {
  picked: NOTHING_PICKED,
  flagged: NO_PLACES,
  notice: null,
  pending: null,
  releasingHoldId: null,
};

const placeList = new Intl.ListFormat("en-GB", { style: "long", type: "conjunction" });

/** "Stalls · Row C · Seat 5 and Stalls · Row C · Seat 6". */
export function describePlaces(places: readonly PlaceRef[]): string {
  return placeList.format(places.map((place) => place.label));
}

export function ticketCount(picked: ReadonlyMap<string, number>): number {
  let tickets = 0;
  for (const count of picked.values()) tickets += count;
  return tickets;
}

/** How many more tickets the fan may pick: the per-account limit minus what their holds already have. */
export function ticketsLeft(limit: TicketLimit): number {
  return Math.max(0, limit.perAccount - limit.held);
}

function without(picked: ReadonlyMap<string, number>, placeIds: readonly string[]) {
  if (!placeIds.some((placeId) => picked.has(placeId))) return picked;
  const rest = new Map(picked);
  for (const placeId of placeIds) rest.delete(placeId);
  return rest;
}

const UNAVAILABLE_REASONS: Record<Exclude<PlaceAvailability, "available" | "yours">, string> = {
  held: "is held by another fan right now. It may come back if they release it.",
  sold: "is sold.",
  notForSale: "is not for sale.",
};

function choose(state: SeatPickingState, place: ChosenPlace, limit: TicketLimit): SeatPickingState {
  if (state.picked.has(place.id)) return { ...state, picked: without(state.picked, [place.id]) };
  if (place.availability === "yours") {
    return {
      ...state,
      notice: { tone: "info", title: "Already yours", message: `${place.label} is in your hold.` },
    };
  }
  if (place.availability !== "available") {
    const message = `${place.label} ${UNAVAILABLE_REASONS[place.availability]}`;
    return { ...state, notice: { tone: "info", title: "That seat can't be picked", message } };
  }
  if (ticketCount(state.picked) >= ticketsLeft(limit)) {
    const message =
      limit.held > 0
        ? `Each fan can have ${limit.perAccount} tickets for this event, and you already hold ${limit.held}.`
        : `Each fan can pick up to ${limit.perAccount} seats for this event.`;
    return { ...state, notice: { tone: "error", title: "That's the limit", message } };
  }
  return { ...state, notice: null, picked: new Map([...state.picked, [place.id, 1]]) };
}

function overtaken(
  state: SeatPickingState,
  nowYours: readonly string[],
  taken: readonly PlaceRef[],
): SeatPickingState {
  // Our own hold request is about to answer for these places; its delta may come first.
  if (state.pending !== null || (nowYours.length === 0 && taken.length === 0)) return state;
  const picked = without(state.picked, [...nowYours, ...taken.map((place) => place.id)]);
  if (taken.length === 0) return { ...state, picked };
  const one = taken.length === 1;
  return {
    ...state,
    picked,
    flagged: new Set(taken.map((place) => place.id)),
    notice: {
      tone: "error",
      title: one ? "A seat you picked was just taken" : "Seats you picked were just taken",
      message: `${describePlaces(taken)} ${one ? "is" : "are"} no longer available (ringed in red). Pick another?`,
    },
  };
}

/** What a refused hold or release means for the picks, and the message beside the map. */
function failed(state: SeatPickingState, problem: HoldProblem): SeatPickingState {
  // The page is on its way to the login page (the picks are saved for the way back).
  if (problem.kind === "signIn") return state;
  const notice: PanelNotice = { tone: "error", title: problem.title, message: problem.message };
  if (problem.kind === "seatsTaken" && problem.seatIds.length > 0) {
    return {
      ...state,
      notice,
      picked: without(state.picked, problem.seatIds),
      flagged: new Set(problem.seatIds),
    };
  }
  return { ...state, notice };
}

export function seatPickingReducer(state: SeatPickingState, action: SeatPickingAction): SeatPickingState {
  switch (action.type) {
    case "choose":
      return choose(state, action.place, action.limit);
    case "unpick": {
      const picked = without(state.picked, action.placeIds);
      return picked === state.picked ? state : { ...state, picked };
    }
    case "clear":
      return { ...state, picked: NOTHING_PICKED };
    case "restore": {
      const placeIds = action.placeIds.slice(0, action.perAccount);
      return placeIds.length === 0 ? state : { ...state, picked: new Map(placeIds.map((id) => [id, 1])) };
    }
    case "picksOvertaken":
      return overtaken(state, action.nowYours, action.taken);
    case "holdRequested":
      return { ...state, pending: action.request, notice: null, flagged: NO_PLACES };
    case "held": {
      const one = action.ticketCount === 1;
      return {
        ...state,
        pending: null,
        picked: action.request === "hold" ? NOTHING_PICKED : state.picked,
        notice: {
          tone: "success",
          title: one ? "Your seat is held" : `Your ${action.ticketCount} seats are held`,
          message: `No one else can take ${one ? "it" : "them"} for the next ${formatDuration(action.holdSeconds)}.`,
        },
      };
    }
    case "holdFailed":
      return failed({ ...state, pending: null }, action.problem);
    case "releaseRequested":
      return { ...state, releasingHoldId: action.holdId, notice: null };
    case "released":
      return {
        ...state,
        releasingHoldId: null,
        notice: {
          tone: "info",
          title: "Seats released",
          message: "They are back on the map for other fans.",
        },
      };
    case "releaseFailed":
      return failed({ ...state, releasingHoldId: null }, action.problem);
    case "holdExpired": {
      const one = action.ticketCount === 1;
      return {
        ...state,
        notice: {
          tone: "info",
          title: "Your hold ran out",
          message: `${one ? "The seat was" : `The ${action.ticketCount} seats were`} released for other fans. Pick again if you still want ${one ? "it" : "them"}.`,
        },
      };
    }
    case "flagsExpired":
      return state.flagged.size === 0 ? state : { ...state, flagged: NO_PLACES };
  }
}

/**
 * Sorts picked places after the map changed: those now in the fan's own holds, and those no longer free
 * (someone else took them, or the map no longer has them).
 */
export function settlePicks(
  picked: ReadonlyMap<string, number>,
  isYours: (placeId: string) => boolean,
  isFree: (placeId: string) => boolean,
): { nowYours: string[]; taken: string[] } {
  const nowYours: string[] = [];
  const taken: string[] = [];
  for (const placeId of picked.keys()) {
    if (isYours(placeId)) nowYours.push(placeId);
    else if (!isFree(placeId)) taken.push(placeId);
  }
  return { nowYours, taken };
}

/** The places saved before a trip to the login page that can still be picked (storage holds anything). */
export function restorablePicks(saved: unknown, isFree: (placeId: string) => boolean): string[] {
  if (!Array.isArray(saved)) return [];
  return saved.filter((placeId): placeId is string => typeof placeId === "string" && isFree(placeId));
}
