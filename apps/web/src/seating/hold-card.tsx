"use client";

import { useEffect, useState } from "react";
import type { HoldFieldsFragment } from "@/gql/graphql";
import { formatCountdown, formatMoney } from "@/lib/format";
import { useNow } from "@/lib/use-now";
import { sectionTitle } from "@/seat-map/seat-map";
import styles from "./seating.module.css";

const WARNING_MS = 60_000;

interface HoldCardProps {
  hold: HoldFieldsFragment;
  holdSeconds: number;
  feePerTicket: { amount: number; currency: string };
  releasing: boolean;
  onRelease: (holdId: string) => void;
  /** The countdown reached zero: the API releases the seats by itself. */
  onExpired: (hold: HoldFieldsFragment) => void;
}

/** One hold: its live countdown, its seats and what they cost, and "Release". */
export function HoldCard({
  hold,
  holdSeconds,
  feePerTicket,
  releasing,
  onRelease,
  onExpired,
}: HoldCardProps) {
  // A browser clock running slow would show a hold as longer than it is: it can never be longer than
  // the event's hold time from now. (A fast clock only makes the countdown end a little early.)
  const [deadline] = useState(() => Math.min(Date.parse(hold.expiresAt), Date.now() + holdSeconds * 1000));
  const now = useNow(true);
  const remaining = now === 0 ? null : deadline - now;
  const expired = remaining !== null && remaining <= 0;
  const warning = remaining !== null && remaining <= WARNING_MS;

  useEffect(() => {
    if (expired) onExpired(hold);
  }, [expired, hold, onExpired]);

  const fees = feePerTicket.amount * hold.seats.length;
  const seatCount = hold.seats.length === 1 ? "1 seat" : `${hold.seats.length} seats`;

  return (
    <section
      className={`${styles.card} ${styles.holdCard}`}
      aria-label={`Your hold on ${seatCount}`}
      data-hold-id={hold.id}
    >
      <div className={`${styles.countdown} ${warning ? styles.countdownWarning : ""}`}>
        <span>Held for you</span>
        <strong role="timer" aria-live="off" data-remaining-ms={remaining ?? undefined}>
          {remaining === null ? "–:––" : formatCountdown(remaining)}
        </strong>
      </div>
      {/* Announced once, not every second: a ticking live region would drown out everything else. */}
      <p className="visually-hidden" aria-live="polite">
        {warning && !expired ? "Less than a minute left on your hold." : ""}
      </p>
      <ul className={styles.seatList}>
        {hold.seats.map((seat) => (
          <li key={seat.id}>
            <span>
              {sectionTitle(seat.section)} · Row {seat.row} · Seat {seat.number}
            </span>
            <span className={styles.price}>{formatMoney(seat.price.amount, seat.price.currency)}</span>
          </li>
        ))}
      </ul>
      <dl className={styles.totals}>
        {fees > 0 ? (
          <>
            <div>
              <dt>Seats</dt>
              <dd>{formatMoney(hold.total.amount, hold.total.currency)}</dd>
            </div>
            <div>
              <dt>Fees</dt>
              <dd>{formatMoney(fees, feePerTicket.currency)}</dd>
            </div>
          </>
        ) : null}
        <div className={styles.grandTotal}>
          <dt>Total</dt>
          <dd data-hold-total>{formatMoney(hold.total.amount + fees, hold.total.currency)}</dd>
        </div>
      </dl>
      <button
        type="button"
        className="button button-secondary"
        onClick={() => onRelease(hold.id)}
        disabled={releasing}
      >
        {releasing ? "Releasing…" : "Release seats"}
      </button>
    </section>
  );
}
