"use client";

import { useMutation } from "@apollo/client/react";
import { usePathname, useRouter } from "next/navigation";
import { useCallback, useEffect, useEffectEvent, useMemo, useReducer, useState } from "react";
import { loginHref } from "@/auth/return-path";
import { useViewer } from "@/auth/use-viewer";
import {
  type EventStatus,
  HoldBestAvailableDocument,
  type HoldFieldsFragment,
  HoldGeneralAdmissionDocument,
  HoldSeatsDocument,
  ReleaseHoldDocument,
} from "@/gql/graphql";
import { graphQLErrorDetails } from "@/lib/api-errors";
import type { Admission } from "@/queue/waiting-room";
import type { SeatMapTier } from "@/seating/seat-layout";
import { SeatStatus, seatLabelAt } from "@/seating/seat-layout";
import type { SeatMapData } from "@/seating/use-seat-map-data";
import { describeHoldError, type HoldProblem } from "./hold-errors";
import type { PickedSeat } from "./picked-seats-card";
import {
  describePlaces,
  type HoldRequest,
  initialSeatPicking,
  type PlaceAvailability,
  type PlaceRef,
  restorablePicks,
  seatPickingReducer,
  settlePicks,
  type TicketLimit,
  ticketsLeft,
} from "./seat-picking";
import { useEventHolds } from "./use-event-holds";
import { useSaleOpen } from "./use-sale-open";

export interface SeatingTier extends SeatMapTier {
  /** Minor units. */
  amount: number;
  currency: string;
}

export interface SeatingEvent {
  id: string;
  status: EventStatus;
  onSale: boolean;
  saleStartsAt: string;
  queueEnabled: boolean;
  maxTicketsPerAccount: number;
  holdSeconds: number;
  feePerTicket: { amount: number; currency: string };
  /** The venue's, for dates shown to the fan. */
  timeZone: string;
}

// Seats someone else took stay ringed this long: enough to see what happened, then they get out of the way.
const FLAG_MS = 15_000;

const pickedSeatsKey = (eventId: string) => `frontrow:picked-seats:${eventId}`;

export interface SeatPickingOptions {
  event: SeatingEvent;
  tiers: readonly SeatingTier[];
  data: SeatMapData;
  refreshStatuses: () => void;
  /** For waiting-room events: the token the holds need. */
  admission: Admission | null;
}

/**
 * Picking seats on the live map and holding them: the state of seat-picking.ts, fed by the map's
 * statuses and the fan's holds, and the hold, best-available and release requests.
 */
export function useSeatPicking({ event, tiers, data, refreshStatuses, admission }: SeatPickingOptions) {
  const { layout, statuses } = data;
  const router = useRouter();
  const pathname = usePathname();
  const { viewer, loading: viewerLoading } = useViewer();
  const { holds, rememberHold, forgetHold } = useEventHolds(event.id, viewer !== null);
  const [holdSeats] = useMutation(HoldSeatsDocument);
  const [holdBestAvailable] = useMutation(HoldBestAvailableDocument);
  const [holdGeneralAdmission] = useMutation(HoldGeneralAdmissionDocument);
  const [releaseHold] = useMutation(ReleaseHoldDocument);
  const [state, dispatch] = useReducer(seatPickingReducer, initialSeatPicking);
  const saleOpen = useSaleOpen(event);
  // The hold just made: the map moves to its seats and its card takes the focus.
  const [justHeld, setJustHeld] = useState<{ holdId: string; seats: number[] } | null>(null);

  const tierById = useMemo(() => new Map(tiers.map((tier) => [tier.id, tier])), [tiers]);
  const heldByYou = useMemo(
    () => new Set(holds.flatMap((hold) => hold.seats.map((seat) => seat.id))),
    [holds],
  );
  const pickedSeatIds = useMemo(() => new Set(state.picked.keys()), [state.picked]);
  const limit: TicketLimit = { perAccount: event.maxTicketsPerAccount, held: heldByYou.size };

  const seatIndex = (seatId: string) => layout.seatIndexById.get(seatId);
  const tierOfSeat = (seat: number) => {
    const section = layout.sections[layout.sectionOfSeat[seat] ?? 0];
    return section?.priceTierId ? tierById.get(section.priceTierId) : undefined;
  };
  const isPickable = (seatId: string, current: Uint8Array = statuses) => {
    const seat = seatIndex(seatId);
    return seat !== undefined && current[seat] === SeatStatus.Available && tierOfSeat(seat) !== undefined;
  };
  const placeOf = (seatId: string): PlaceRef => {
    const seat = seatIndex(seatId);
    return { id: seatId, label: seat === undefined ? `seat ${seatId}` : seatLabelAt(layout, seat) };
  };
  const availabilityOf = (seat: number, seatId: string): PlaceAvailability => {
    if (heldByYou.has(seatId)) return "yours";
    if (isPickable(seatId)) return "available";
    const status = statuses[seat];
    return status === SeatStatus.Held ? "held" : status === SeatStatus.Sold ? "sold" : "notForSale";
  };

  const goToLogin = () => {
    // Picked seats survive the trip to the login page (this tab only).
    try {
      sessionStorage.setItem(pickedSeatsKey(event.id), JSON.stringify([...state.picked.keys()]));
    } catch {
      // Storage can be disabled; the fan then picks again.
    }
    router.push(loginHref(pathname));
  };

  const restorePicks = useEffectEvent(() => {
    let saved: unknown;
    try {
      saved = JSON.parse(sessionStorage.getItem(pickedSeatsKey(event.id)) ?? "null");
      sessionStorage.removeItem(pickedSeatsKey(event.id));
    } catch {
      return;
    }
    const placeIds = restorablePicks(saved, (seatId) => isPickable(seatId));
    dispatch({ type: "restore", placeIds, perAccount: event.maxTicketsPerAccount });
  });
  useEffect(() => restorePicks(), []);

  // Other fans hold seats all the time: picked seats that stop being free leave the selection, visibly.
  const settle = useEffectEvent((current: Uint8Array, yours: ReadonlySet<string>) => {
    const { nowYours, taken } = settlePicks(
      state.picked,
      (seatId) => yours.has(seatId),
      (seatId) => isPickable(seatId, current),
    );
    // Most deltas touch no picked seat: no need to render again for them.
    if (nowYours.length === 0 && taken.length === 0) return;
    dispatch({ type: "picksOvertaken", nowYours, taken: taken.map(placeOf) });
  });
  useEffect(() => settle(statuses, heldByYou), [statuses, heldByYou]);

  useEffect(() => {
    if (state.flagged.size === 0) return;
    const timer = setTimeout(() => dispatch({ type: "flagsExpired" }), FLAG_MS);
    return () => clearTimeout(timer);
  }, [state.flagged]);

  /** What went wrong, after doing what it calls for: the login page, the waiting room, fresh statuses. */
  const problemOf = (error: unknown): HoldProblem => {
    const describeSeats = (seatIds: readonly string[]) => describePlaces(seatIds.map(placeOf));
    const problem = describeHoldError(error, { describeSeats, timeZone: event.timeZone });
    if (problem.kind === "signIn") goToLogin();
    // The admission ended (or was refused): let the waiting room show where the fan stands now.
    if (graphQLErrorDetails(error)?.code === "NOT_ADMITTED") admission?.recheck();
    // Our map was behind (or the seats went just now): make sure it shows the truth.
    if (problem.kind === "seatsTaken" && problem.seatIds.length > 0) refreshStatuses();
    return problem;
  };

  const admissionToken = admission?.admissionToken;
  const hold = async (request: HoldRequest, send: () => Promise<HoldFieldsFragment | undefined>) => {
    if (!viewer) {
      goToLogin();
      return;
    }
    dispatch({ type: "holdRequested", request });
    try {
      const held = await send();
      if (!held) throw new Error("The API did not return the hold.");
      rememberHold(held);
      setJustHeld({
        holdId: held.id,
        seats: held.seats.flatMap((seat) => seatIndex(seat.id) ?? []),
      });
      dispatch({ type: "held", request, ticketCount: held.places.length, holdSeconds: event.holdSeconds });
    } catch (error) {
      dispatch({ type: "holdFailed", problem: problemOf(error) });
    }
  };

  const holdPicked = () =>
    hold("hold", async () => {
      const seatIds = [...state.picked.keys()];
      const result = await holdSeats({ variables: { eventId: event.id, seatIds, admissionToken } });
      return result.data?.holdSeats;
    });

  const holdBest = (quantity: number, priceTierId: string | null, accessibleSeats = 0) =>
    hold("best", async () => {
      const variables = { eventId: event.id, quantity, priceTierId, admissionToken, accessibleSeats };
      return (await holdBestAvailable({ variables })).data?.holdBestAvailable;
    });

  /** Places in a standing area: a quantity, never a particular place. */
  const holdStanding = (areaId: string, quantity: number) =>
    hold("standing", async () => {
      const variables = { eventId: event.id, areaId, quantity, admissionToken };
      return (await holdGeneralAdmission({ variables })).data?.holdGeneralAdmission;
    });

  const release = async (holdId: string) => {
    dispatch({ type: "releaseRequested", holdId });
    try {
      // False means the hold had already ended: either way the seats are no longer the fan's.
      await releaseHold({ variables: { holdId } });
      forgetHold(holdId);
      dispatch({ type: "released" });
    } catch (error) {
      dispatch({ type: "releaseFailed", problem: problemOf(error) });
    }
  };

  const holdExpired = useCallback(
    (expired: HoldFieldsFragment) => {
      forgetHold(expired.id);
      dispatch({ type: "holdExpired", ticketCount: expired.places.length });
    },
    [forgetHold],
  );

  const chooseSeat = (seat: number) => {
    const seatId = layout.seatIds[seat];
    if (seatId === undefined) return;
    const place = {
      id: seatId,
      label: seatLabelAt(layout, seat),
      availability: availabilityOf(seat, seatId),
    };
    dispatch({ type: "choose", place, limit });
  };

  const pickedSeats: PickedSeat[] = [...state.picked.keys()].flatMap((seatId) => {
    const seat = seatIndex(seatId);
    const tier = seat === undefined ? undefined : tierOfSeat(seat);
    return seat === undefined || !tier
      ? []
      : [{ id: seatId, label: seatLabelAt(layout, seat), tierName: tier.name, price: tier.amount }];
  });

  return {
    state,
    justHeld,
    holds,
    heldByYou,
    pickedSeatIds,
    pickedSeats,
    /** How many more seats the fan may pick. */
    seatsLeft: ticketsLeft(limit),
    /** null while we don't know yet whether the fan is signed in. */
    signedIn: viewerLoading ? null : viewer !== null,
    saleOpen,
    currency: tiers[0]?.currency ?? event.feePerTicket.currency,
    chooseSeat,
    unpick: (seatId: string) => dispatch({ type: "unpick", placeIds: [seatId] }),
    clear: () => dispatch({ type: "clear" }),
    holdPicked,
    holdBest,
    holdStanding,
    /** The standing areas on sale, with their places left (live). */
    areas: data.areas,
    release,
    holdExpired,
  };
}

export type SeatPicking = ReturnType<typeof useSeatPicking>;
