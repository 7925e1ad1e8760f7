"use client";

import layout from "@/components/layout.module.css";
import { formatEventDate, formatEventTime } from "@/lib/format";
import { BestAvailableForm } from "./best-available-form";
import { HoldCard } from "./hold-card";
import styles from "./holds.module.css";
import { PickedSeatsCard } from "./picked-seats-card";
import type { PanelNotice } from "./seat-picking";
import { StandingAreasForm } from "./standing-areas-form";
import type { SeatingEvent, SeatingTier, SeatPicking } from "./use-seat-picking";

interface HoldPanelProps {
  event: SeatingEvent;
  tiers: readonly SeatingTier[];
  picking: SeatPicking;
}

/** Beside the map: what just happened, the fan's holds, and the ways to pick and hold more seats. */
export function HoldPanel({ event, tiers, picking }: HoldPanelProps) {
  const { state, seatsLeft, signedIn } = picking;
  return (
    <div className={styles.panel}>
      {state.notice ? <PanelMessage notice={state.notice} /> : null}
      {picking.holds.map((hold) => (
        <HoldCard
          key={hold.id}
          hold={hold}
          holdSeconds={event.holdSeconds}
          feePerTicket={event.feePerTicket}
          releasing={state.releasingHoldId === hold.id}
          takeFocus={picking.justHeld?.holdId === hold.id}
          onRelease={picking.release}
          onExpired={picking.holdExpired}
        />
      ))}
      {!picking.saleOpen ? (
        <SaleClosedCard event={event} />
      ) : seatsLeft === 0 ? (
        <p className={styles.note}>
          You hold the most tickets one fan can have for this event ({event.maxTicketsPerAccount}).
        </p>
      ) : (
        <>
          <PickedSeatsCard
            seats={picking.pickedSeats}
            currency={picking.currency}
            feePerTicket={event.feePerTicket.amount}
            maxSeats={seatsLeft}
            signedIn={signedIn}
            holding={state.pending === "hold"}
            onRemove={picking.unpick}
            onClear={picking.clear}
            onHold={picking.holdPicked}
          />
          <BestAvailableForm
            tiers={tiers}
            maxSeats={seatsLeft}
            signedIn={signedIn}
            busy={state.pending === "best"}
            onSubmit={picking.holdBest}
          />
          <StandingAreasForm
            areas={picking.areas}
            maxPlaces={seatsLeft}
            signedIn={signedIn}
            busy={state.pending === "standing"}
            onSubmit={picking.holdStanding}
          />
        </>
      )}
    </div>
  );
}

function PanelMessage({ notice }: { notice: PanelNotice }) {
  return (
    <div
      className={`${styles.notice} ${layout[notice.tone]}`}
      role={notice.tone === "error" ? "alert" : "status"}
      data-notice-tone={notice.tone}
    >
      <strong>{notice.title}</strong>
      <p>{notice.message}</p>
    </div>
  );
}

function SaleClosedCard({ event }: { event: SeatingEvent }) {
  const opensLater = event.status === "ON_SALE" && Date.parse(event.saleStartsAt) > Date.now();
  return (
    <section className={styles.card} aria-labelledby="sale-closed-heading">
      <h3 id="sale-closed-heading">{opensLater ? "Not on sale yet" : "Not on sale"}</h3>
      <p className={layout.muted}>
        {opensLater
          ? `Tickets go on sale ${formatEventDate(event.saleStartsAt, event.timeZone)} at ${formatEventTime(event.saleStartsAt, event.timeZone)}. Keep this page open: picking starts then, no reload needed.`
          : "Seats for this event can't be held."}
      </p>
    </section>
  );
}
