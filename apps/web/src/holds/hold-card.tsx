"use client";

import Link from "next/link";
import { useEffect, useRef } from "react";
import { Totals } from "@/components/totals";
import type { HoldFieldsFragment } from "@/gql/graphql";
import { formatMoney, type Money } from "@/lib/format";
import { seatLabel } from "@/seating/seat-layout";
import { HoldCountdown, useHoldTimeLeft } from "./hold-countdown";
import styles from "./holds.module.css";

interface HoldCardProps {
  hold: HoldFieldsFragment;
  holdSeconds: number;
  feePerTicket: Money;
  releasing: boolean;
  /** Just held: the card takes the focus, so "Checkout" is the next Tab away. */
  takeFocus?: boolean;
  onRelease: (holdId: string) => void;
  /** The countdown reached zero: the API releases the seats by itself. */
  onExpired: (hold: HoldFieldsFragment) => void;
}

/** "2 seats", "1 standing place", "3 standing places". */
export function placeCount(seats: number, standing: number): string {
  if (standing === 0) return seats === 1 ? "1 seat" : `${seats} seats`;
  const places = standing === 1 ? "1 standing place" : `${standing} standing places`;
  return seats === 0 ? places : `${seats === 1 ? "1 seat" : `${seats} seats`} and ${places}`;
}

/** One hold: its live countdown, its seats and what they cost, "Checkout" and "Release". */
export function HoldCard({
  hold,
  holdSeconds,
  feePerTicket,
  releasing,
  takeFocus = false,
  onRelease,
  onExpired,
}: HoldCardProps) {
  const card = useRef<HTMLElement>(null);
  useEffect(() => {
    if (takeFocus) card.current?.focus();
  }, [takeFocus]);
  const timeLeft = useHoldTimeLeft(hold.expiresAt, holdSeconds);
  const { expired } = timeLeft;

  useEffect(() => {
    if (expired) onExpired(hold);
  }, [expired, hold, onExpired]);

  const fees = feePerTicket.amount * hold.places.length;
  const standing = hold.places.filter((place) => place.kind === "STANDING");
  const seatCount = placeCount(hold.seats.length, standing.length);

  return (
    <section
      ref={card}
      tabIndex={-1}
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
        {standing[0] && (
          <li>
            <span>
              {standing[0].section}, Standing × {standing.length}
            </span>
            <span className={styles.price}>
              {formatMoney(standing[0].price.amount * standing.length, standing[0].price.currency)}
            </span>
          </li>
        )}
      </ul>
      <Totals
        compact
        hideWithoutFees
        subtotal={{ label: "Seats", money: hold.total }}
        fees={{ label: "Fees", money: { amount: fees, currency: feePerTicket.currency } }}
        total={{ amount: hold.total.amount + fees, currency: hold.total.currency }}
        totalAttribute="data-hold-total"
      />
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
