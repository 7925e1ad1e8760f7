"use client";

import Link from "next/link";
import { useEffect } from "react";
import type { HoldFieldsFragment } from "@/gql/graphql";
import { formatMoney } from "@/lib/format";
import { seatLabel } from "@/seating/seat-layout";
import { HoldCountdown, useHoldTimeLeft } from "./hold-countdown";
import styles from "./holds.module.css";

interface HoldCardProps {
  hold: HoldFieldsFragment;
  holdSeconds: number;
  feePerTicket: { amount: number; currency: string };
  releasing: boolean;
  onRelease: (holdId: string) => void;
  /** The countdown reached zero: the API releases the seats by itself. */
  onExpired: (hold: HoldFieldsFragment) => void;
}

/** One hold: its live countdown, its seats and what they cost, "Checkout" and "Release". */
export function HoldCard({
  hold,
  holdSeconds,
  feePerTicket,
  releasing,
  onRelease,
  onExpired,
}: HoldCardProps) {
  const timeLeft = useHoldTimeLeft(hold.expiresAt, holdSeconds);
  const { expired } = timeLeft;

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
      <HoldCountdown timeLeft={timeLeft} />
      <ul className={styles.seatList}>
        {hold.seats.map((seat) => (
          <li key={seat.id}>
            <span>{seatLabel(seat.section, seat.row, seat.number)}</span>
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
      <Link className="button" href={`/checkout/${encodeURIComponent(hold.id)}`}>
        Checkout
      </Link>
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
