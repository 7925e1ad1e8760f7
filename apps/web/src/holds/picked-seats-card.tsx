"use client";

import layout from "@/components/layout.module.css";
import { Totals } from "@/components/totals";
import { formatMoney } from "@/lib/format";
import styles from "./holds.module.css";

export interface PickedSeat {
  id: string;
  /** "Stalls · Row C · Seat 5" */
  label: string;
  tierName: string;
  /** Minor units, in `currency`. */
  price: number;
}

interface PickedSeatsCardProps {
  seats: readonly PickedSeat[];
  currency: string;
  feePerTicket: number;
  /** How many seats the fan may still pick (the per-fan limit minus seats already held). */
  maxSeats: number;
  /** null while we don't know yet whether the fan is signed in. */
  signedIn: boolean | null;
  holding: boolean;
  onRemove: (seatId: string) => void;
  onClear: () => void;
  onHold: () => void;
}

/** The seats picked on the map, what they cost, and the "Hold seats" button. */
export function PickedSeatsCard({
  seats,
  currency,
  feePerTicket,
  maxSeats,
  signedIn,
  holding,
  onRemove,
  onClear,
  onHold,
}: PickedSeatsCardProps) {
  if (seats.length === 0) {
    return (
      <section className={styles.card} aria-labelledby="picked-heading">
        <h3 id="picked-heading">Pick your seats</h3>
        <p className={layout.muted}>
          Click available seats on the map, up to {maxSeats} {maxSeats === 1 ? "seat" : "seats"}. Or let us
          find the best ones below.
        </p>
      </section>
    );
  }
  const subtotal = seats.reduce((sum, seat) => sum + seat.price, 0);
  const fees = feePerTicket * seats.length;
  return (
    <section className={styles.card} aria-labelledby="picked-heading">
      <div className={styles.cardHeader}>
        <h3 id="picked-heading">
          {seats.length} of {maxSeats} {maxSeats === 1 ? "seat" : "seats"} picked
        </h3>
        <button type="button" className={styles.linkButton} onClick={onClear} disabled={holding}>
          Clear
        </button>
      </div>
      <ul className={styles.seatList} data-picked-seats>
        {seats.map((seat) => (
          <li key={seat.id} data-seat-id={seat.id}>
            <span>
              {seat.label}
              {seat.label.startsWith(`${seat.tierName} ·`) ? null : (
                <span className={styles.tierName}>{seat.tierName}</span>
              )}
            </span>
            <span className={styles.price}>{formatMoney(seat.price, currency)}</span>
            <button
              type="button"
              className={styles.removeSeat}
              onClick={() => onRemove(seat.id)}
              disabled={holding}
              aria-label={`Remove ${seat.label}`}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <Totals
        compact
        hideWithoutFees
        subtotal={{ label: "Seats", money: { amount: subtotal, currency } }}
        fees={{ label: "Fees", money: { amount: fees, currency } }}
        total={{ amount: subtotal + fees, currency }}
      />
      <button type="button" className="button" onClick={onHold} disabled={holding || signedIn === null}>
        {holding ? "Holding…" : signedIn === false ? "Log in to hold seats" : "Hold seats"}
      </button>
    </section>
  );
}
