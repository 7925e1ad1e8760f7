"use client";

import { useApolloClient, useMutation, useQuery } from "@apollo/client/react";
import { usePathname, useRouter } from "next/navigation";
import { useCallback, useEffect, useEffectEvent, useMemo, useState } from "react";
import { loginHref } from "@/auth/return-path";
import { useViewer } from "@/auth/use-viewer";
import {
  type EventStatus,
  HoldBestAvailableDocument,
  type HoldFieldsFragment,
  HoldSeatsDocument,
  MyHoldsDocument,
  ReleaseHoldDocument,
} from "@/gql/graphql";
import { graphQLErrorDetails } from "@/lib/api-errors";
import type { LiveConnectionState } from "@/lib/apollo/live-connection";
import { formatDuration, formatEventDate, formatEventTime } from "@/lib/format";
import { type Admission, WaitingRoomGate } from "@/queue/waiting-room";
import { SeatStatus } from "@/seating/seat-layout";
import {
  SeatMapError,
  SeatMapLoading,
  type SeatMapTier,
  SeatMapView,
  sectionTitle,
} from "@/seating/seat-map";
import { type SeatMapData, useSeatMapData } from "@/seating/use-seat-map-data";
import { BestAvailableForm } from "./best-available-form";
import { HoldCard } from "./hold-card";
import { describeHoldError } from "./hold-errors";
import styles from "./holds.module.css";
import { type PickedSeat, PickedSeatsCard } from "./picked-seats-card";

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

interface PanelNotice {
  tone: "success" | "info" | "error";
  title: string;
  message: string;
}

const NO_SEATS: ReadonlySet<string> = new Set();
// Seats someone else took stay ringed this long: enough to see what happened, then they get out of the way.
const FLAG_MS = 15_000;
// setTimeout fires at once beyond this (about 24.8 days).
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
const seatList = new Intl.ListFormat("en-GB", { style: "long", type: "conjunction" });

const pickedSeatsKey = (eventId: string) => `frontrow:picked-seats:${eventId}`;

function without(seats: ReadonlySet<string>, removed: readonly string[]): ReadonlySet<string> {
  if (!removed.some((seatId) => seats.has(seatId))) return seats;
  const rest = new Set(seats);
  for (const seatId of removed) rest.delete(seatId);
  return rest;
}

/** Whether seats can be held now; flips by itself when a scheduled sale opens while the page is open. */
function useSaleOpen(event: SeatingEvent): boolean {
  const [opened, setOpened] = useState(event.onSale);
  useEffect(() => {
    if (opened || event.status !== "ON_SALE") return;
    const wait = Date.parse(event.saleStartsAt) - Date.now();
    // Mounted after the sale opened (a waiting room admitted the fan on a page loaded before it).
    if (wait <= 0) {
      setOpened(true);
      return;
    }
    if (wait > MAX_TIMEOUT_MS) return;
    const timer = setTimeout(() => setOpened(true), wait);
    return () => clearTimeout(timer);
  }, [opened, event.status, event.saleStartsAt]);
  return opened;
}

interface EventSeatingProps {
  event: SeatingEvent;
  tiers: readonly SeatingTier[];
}

/**
 * The event's live seat map with picking, holding and releasing seats; for events that sell through the
 * waiting room, the fan's place in it until admitted.
 */
export function EventSeating({ event, tiers }: EventSeatingProps) {
  if (!event.queueEnabled) return <LiveSeating event={event} tiers={tiers} admission={null} />;
  return (
    <WaitingRoomGate event={event}>
      {(admission) => <LiveSeating event={event} tiers={tiers} admission={admission} />}
    </WaitingRoomGate>
  );
}

function LiveSeating({ event, tiers, admission }: EventSeatingProps & { admission: Admission | null }) {
  const { state, connection, retry, refreshStatuses } = useSeatMapData(event.id);
  if (state.phase === "loading") return <SeatMapLoading />;
  if (state.phase === "error") return <SeatMapError problem={state.problem} onRetry={retry} />;
  return (
    <SeatPicker
      event={event}
      tiers={tiers}
      data={state.data}
      connection={connection}
      refreshStatuses={refreshStatuses}
      admission={admission}
    />
  );
}

interface SeatPickerProps {
  event: SeatingEvent;
  tiers: readonly SeatingTier[];
  data: SeatMapData;
  connection: LiveConnectionState;
  refreshStatuses: () => void;
  /** For waiting-room events: the token the holds need. */
  admission: Admission | null;
}

function SeatPicker({ event, tiers, data, connection, refreshStatuses, admission }: SeatPickerProps) {
  const { layout, statuses } = data;
  const router = useRouter();
  const pathname = usePathname();
  const client = useApolloClient();
  const { viewer, loading: viewerLoading } = useViewer();
  const signedIn = viewerLoading ? null : viewer !== null;
  const { data: holdsData } = useQuery(MyHoldsDocument, {
    skip: !viewer,
    ssr: false,
    fetchPolicy: "cache-and-network",
  });
  const [holdSeats] = useMutation(HoldSeatsDocument);
  const [holdBestAvailable] = useMutation(HoldBestAvailableDocument);
  const [releaseHold] = useMutation(ReleaseHoldDocument);
  const [picked, setPicked] = useState<ReadonlySet<string>>(NO_SEATS);
  const [flagged, setFlagged] = useState<ReadonlySet<string>>(NO_SEATS);
  const [notice, setNotice] = useState<PanelNotice | null>(null);
  const [pending, setPending] = useState<"hold" | "best" | null>(null);
  const [releasingHoldId, setReleasingHoldId] = useState<string | null>(null);
  const saleOpen = useSaleOpen(event);

  const tierById = useMemo(() => new Map(tiers.map((tier) => [tier.id, tier])), [tiers]);
  const holds = useMemo(
    () => (viewer ? (holdsData?.me?.holds ?? []) : []).filter((hold) => hold.eventId === event.id),
    [viewer, holdsData, event.id],
  );
  const heldByYou = useMemo(
    () => new Set(holds.flatMap((hold) => hold.seats.map((seat) => seat.id))),
    [holds],
  );
  const maxPickable = Math.max(0, event.maxTicketsPerAccount - heldByYou.size);
  const currency = tiers[0]?.currency ?? event.feePerTicket.currency;

  const seatIndex = (seatId: string) => layout.seatIndexById.get(seatId);
  const tierOfSeat = (seat: number) => {
    const section = layout.sections[layout.sectionOfSeat[seat] ?? 0];
    return section?.priceTierId ? tierById.get(section.priceTierId) : undefined;
  };
  const seatLabel = (seat: number) =>
    `${sectionTitle(layout.sections[layout.sectionOfSeat[seat] ?? 0]?.name ?? "")} · Row ${layout.rowOfSeat[seat]} · Seat ${layout.numberOfSeat[seat]}`;
  const describeSeats = (seatIds: readonly string[]) =>
    seatList.format(
      seatIds.map((seatId) => {
        const seat = seatIndex(seatId);
        return seat === undefined ? `seat ${seatId}` : seatLabel(seat);
      }),
    );

  // Holds live in the Apollo cache (`me.holds`), so every view of them agrees.
  const rememberHold = (hold: HoldFieldsFragment) => {
    const updated = client.cache.updateQuery({ query: MyHoldsDocument }, (cached) =>
      cached?.me
        ? { me: { ...cached.me, holds: [...cached.me.holds.filter((known) => known.id !== hold.id), hold] } }
        : cached,
    );
    // The fan's holds had not arrived yet: ask for them, this one included.
    if (!updated?.me) void client.refetchQueries({ include: [MyHoldsDocument] });
  };
  const forgetHold = useCallback(
    (holdId: string) => {
      client.cache.updateQuery({ query: MyHoldsDocument }, (cached) =>
        cached?.me
          ? { me: { ...cached.me, holds: cached.me.holds.filter((hold) => hold.id !== holdId) } }
          : cached,
      );
    },
    [client],
  );

  const goToLogin = () => {
    // Picked seats survive the trip to the login page (this tab only).
    try {
      sessionStorage.setItem(pickedSeatsKey(event.id), JSON.stringify([...picked]));
    } catch {
      // Storage can be disabled; the fan then picks again.
    }
    router.push(loginHref(pathname));
  };

  const isPickable = (seat: number) =>
    statuses[seat] === SeatStatus.Available && tierOfSeat(seat) !== undefined;

  const restorePickedSeats = useEffectEvent(() => {
    let saved: unknown;
    try {
      saved = JSON.parse(sessionStorage.getItem(pickedSeatsKey(event.id)) ?? "null");
      sessionStorage.removeItem(pickedSeatsKey(event.id));
    } catch {
      return;
    }
    if (!Array.isArray(saved)) return;
    const stillFree = saved.filter((seatId): seatId is string => {
      const seat = typeof seatId === "string" ? seatIndex(seatId) : undefined;
      return seat !== undefined && isPickable(seat);
    });
    if (stillFree.length > 0) setPicked(new Set(stillFree.slice(0, event.maxTicketsPerAccount)));
  });
  useEffect(() => restorePickedSeats(), []);

  // Other fans hold seats all the time: picked seats that stop being free leave the selection, visibly.
  const dropTakenSeats = useEffectEvent((currentStatuses: Uint8Array, yours: ReadonlySet<string>) => {
    // Our own hold request is about to answer for these seats; its delta may come first.
    if (pending !== null) return;
    const nowYours = [...picked].filter((seatId) => yours.has(seatId));
    const taken = [...picked].filter((seatId) => {
      const seat = seatIndex(seatId);
      return !yours.has(seatId) && (seat === undefined || currentStatuses[seat] !== SeatStatus.Available);
    });
    if (nowYours.length === 0 && taken.length === 0) return;
    setPicked((current) => without(current, [...nowYours, ...taken]));
    if (taken.length > 0) {
      setFlagged(new Set(taken));
      setNotice({
        tone: "error",
        title: taken.length === 1 ? "A seat you picked was just taken" : "Seats you picked were just taken",
        message: `${describeSeats(taken)} ${taken.length === 1 ? "is" : "are"} no longer available (ringed in red). Pick another?`,
      });
    }
  });
  useEffect(() => dropTakenSeats(statuses, heldByYou), [statuses, heldByYou]);

  useEffect(() => {
    if (flagged.size === 0) return;
    const timer = setTimeout(() => setFlagged(NO_SEATS), FLAG_MS);
    return () => clearTimeout(timer);
  }, [flagged]);

  const showProblem = (error: unknown) => {
    const problem = describeHoldError(error, { describeSeats, timeZone: event.timeZone });
    if (problem.kind === "signIn") {
      goToLogin();
      return;
    }
    // The admission ended (or was refused): let the waiting room show where the fan stands now.
    if (graphQLErrorDetails(error)?.code === "NOT_ADMITTED") admission?.recheck();
    if (problem.kind === "seatsTaken" && problem.seatIds.length > 0) {
      setPicked((current) => without(current, problem.seatIds));
      setFlagged(new Set(problem.seatIds));
      // Our map was behind (or the seats went just now): make sure it shows the truth.
      refreshStatuses();
    }
    setNotice({ tone: "error", title: problem.title, message: problem.message });
  };

  const announceHold = (hold: HoldFieldsFragment) => {
    rememberHold(hold);
    setNotice({
      tone: "success",
      title: hold.seats.length === 1 ? "Your seat is held" : `Your ${hold.seats.length} seats are held`,
      message: `No one else can take ${hold.seats.length === 1 ? "it" : "them"} for the next ${formatDuration(event.holdSeconds)}.`,
    });
  };

  const holdPicked = async () => {
    if (!viewer) {
      goToLogin();
      return;
    }
    setPending("hold");
    setNotice(null);
    setFlagged(NO_SEATS);
    try {
      const result = await holdSeats({
        variables: { eventId: event.id, seatIds: [...picked], admissionToken: admission?.admissionToken },
      });
      const hold = result.data?.holdSeats;
      if (!hold) throw new Error("The API did not return the hold.");
      setPicked(NO_SEATS);
      announceHold(hold);
    } catch (error) {
      showProblem(error);
    } finally {
      setPending(null);
    }
  };

  const holdBest = async (quantity: number, priceTierId: string | null) => {
    if (!viewer) {
      goToLogin();
      return;
    }
    setPending("best");
    setNotice(null);
    setFlagged(NO_SEATS);
    try {
      const result = await holdBestAvailable({
        variables: { eventId: event.id, quantity, priceTierId, admissionToken: admission?.admissionToken },
      });
      const hold = result.data?.holdBestAvailable;
      if (!hold) throw new Error("The API did not return the hold.");
      announceHold(hold);
    } catch (error) {
      showProblem(error);
    } finally {
      setPending(null);
    }
  };

  const release = async (holdId: string) => {
    setReleasingHoldId(holdId);
    setNotice(null);
    try {
      // False means the hold had already ended: either way the seats are no longer the fan's.
      await releaseHold({ variables: { holdId } });
      forgetHold(holdId);
      setNotice({
        tone: "info",
        title: "Seats released",
        message: "They are back on the map for other fans.",
      });
    } catch (error) {
      showProblem(error);
    } finally {
      setReleasingHoldId(null);
    }
  };

  const holdExpired = useCallback(
    (hold: HoldFieldsFragment) => {
      forgetHold(hold.id);
      setNotice({
        tone: "info",
        title: "Your hold ran out",
        message: `${hold.seats.length === 1 ? "The seat was" : `The ${hold.seats.length} seats were`} released for other fans. Pick again if you still want ${hold.seats.length === 1 ? "it" : "them"}.`,
      });
    },
    [forgetHold],
  );

  const activateSeat = (seat: number) => {
    const seatId = layout.seatIds[seat];
    if (seatId === undefined) return;
    if (picked.has(seatId)) {
      setPicked((current) => without(current, [seatId]));
      return;
    }
    if (heldByYou.has(seatId)) {
      setNotice({ tone: "info", title: "Already yours", message: `${seatLabel(seat)} is in your hold.` });
      return;
    }
    if (!isPickable(seat)) {
      const reason =
        statuses[seat] === SeatStatus.Held
          ? "is held by another fan right now. It may come back if they release it."
          : statuses[seat] === SeatStatus.Sold
            ? "is sold."
            : "is not for sale.";
      setNotice({
        tone: "info",
        title: "That seat can't be picked",
        message: `${seatLabel(seat)} ${reason}`,
      });
      return;
    }
    if (picked.size >= maxPickable) {
      setNotice({
        tone: "error",
        title: "That's the limit",
        message:
          heldByYou.size > 0
            ? `Each fan can have ${event.maxTicketsPerAccount} tickets for this event, and you already hold ${heldByYou.size}.`
            : `Each fan can pick up to ${event.maxTicketsPerAccount} seats for this event.`,
      });
      return;
    }
    setNotice(null);
    setPicked((current) => new Set([...current, seatId]));
  };

  const pickedSeats: PickedSeat[] = [...picked].flatMap((seatId) => {
    const seat = seatIndex(seatId);
    const tier = seat === undefined ? undefined : tierOfSeat(seat);
    return seat === undefined || !tier
      ? []
      : [{ id: seatId, label: seatLabel(seat), tierName: tier.name, price: tier.amount }];
  });

  const panel = (
    <div className={styles.panel}>
      {notice ? (
        <div
          className={`${styles.notice} ${styles[notice.tone]}`}
          role={notice.tone === "error" ? "alert" : "status"}
          data-notice-tone={notice.tone}
        >
          <strong>{notice.title}</strong>
          <p>{notice.message}</p>
        </div>
      ) : null}
      {holds.map((hold) => (
        <HoldCard
          key={hold.id}
          hold={hold}
          holdSeconds={event.holdSeconds}
          feePerTicket={event.feePerTicket}
          releasing={releasingHoldId === hold.id}
          onRelease={release}
          onExpired={holdExpired}
        />
      ))}
      {!saleOpen ? (
        <SaleClosedCard event={event} />
      ) : maxPickable === 0 ? (
        <p className={styles.note}>
          You hold the most tickets one fan can have for this event ({event.maxTicketsPerAccount}).
        </p>
      ) : (
        <>
          <PickedSeatsCard
            seats={pickedSeats}
            currency={currency}
            feePerTicket={event.feePerTicket.amount}
            maxSeats={maxPickable}
            signedIn={signedIn}
            holding={pending === "hold"}
            onRemove={(seatId) => setPicked((current) => without(current, [seatId]))}
            onClear={() => setPicked(NO_SEATS)}
            onHold={holdPicked}
          />
          <BestAvailableForm
            tiers={tiers}
            maxSeats={maxPickable}
            signedIn={signedIn}
            busy={pending === "best"}
            onSubmit={holdBest}
          />
        </>
      )}
    </div>
  );

  return (
    <SeatMapView
      data={data}
      tiers={tiers}
      connection={connection}
      selectedSeatIds={picked}
      heldByYouSeatIds={heldByYou}
      flaggedSeatIds={flagged}
      onSeatActivate={saleOpen && maxPickable > 0 ? activateSeat : undefined}
      panel={panel}
    />
  );
}

function SaleClosedCard({ event }: { event: SeatingEvent }) {
  const opensLater = event.status === "ON_SALE" && Date.parse(event.saleStartsAt) > Date.now();
  return (
    <section className={styles.card} aria-labelledby="sale-closed-heading">
      <h3 id="sale-closed-heading">{opensLater ? "Not on sale yet" : "Not on sale"}</h3>
      <p className={styles.muted}>
        {opensLater
          ? `Tickets go on sale ${formatEventDate(event.saleStartsAt, event.timeZone)} at ${formatEventTime(event.saleStartsAt, event.timeZone)}. Keep this page open: picking starts then, no reload needed.`
          : "Seats for this event can't be held."}
      </p>
    </section>
  );
}
