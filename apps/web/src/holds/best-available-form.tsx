"use client";

import { type FormEvent, useId, useState } from "react";
import layout from "@/components/layout.module.css";
import styles from "./holds.module.css";

export interface BestAvailableTier {
  id: string;
  name: string;
  /** Already formatted. */
  price: string;
}

interface BestAvailableFormProps {
  tiers: readonly BestAvailableTier[];
  maxSeats: number;
  signedIn: boolean | null;
  busy: boolean;
  onSubmit: (quantity: number, priceTierId: string | null, accessibleSeats: number) => void;
}

const ANY_TIER = "";

/** "Best available: N seats, tier …": the API picks adjacent seats, the best places left (nearest the stage or field). */
export function BestAvailableForm({ tiers, maxSeats, signedIn, busy, onSubmit }: BestAvailableFormProps) {
  const [quantity, setQuantity] = useState(Math.min(2, maxSeats));
  const [tierId, setTierId] = useState(ANY_TIER);
  const [wheelchair, setWheelchair] = useState(0);
  const id = useId();
  const chosenQuantity = Math.min(quantity, maxSeats);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onSubmit(chosenQuantity, tierId === ANY_TIER ? null : tierId, Math.min(wheelchair, chosenQuantity));
  };

  return (
    <form
      className={`${styles.card} ${styles.bestAvailable}`}
      onSubmit={submit}
      aria-labelledby={`${id}-heading`}
    >
      <h3 id={`${id}-heading`}>Best available</h3>
      {/* Not "close to the stage": the same form sells football matches, where there is none. */}
      <p className={layout.muted}>We find the best seats left, side by side, and hold them for you.</p>
      <div className={styles.bestFields}>
        <div className={styles.field}>
          <label htmlFor={`${id}-quantity`}>Seats</label>
          <select
            id={`${id}-quantity`}
            value={chosenQuantity}
            onChange={(event) => setQuantity(Number(event.target.value))}
          >
            {Array.from({ length: maxSeats }, (_, index) => index + 1).map((count) => (
              <option key={count} value={count}>
                {count}
              </option>
            ))}
          </select>
        </div>
        <div className={styles.field}>
          <label htmlFor={`${id}-wheelchair`}>Wheelchair spaces</label>
          <select
            id={`${id}-wheelchair`}
            value={Math.min(wheelchair, chosenQuantity)}
            onChange={(event) => setWheelchair(Number(event.target.value))}
            aria-describedby={`${id}-wheelchair-hint`}
          >
            {Array.from({ length: chosenQuantity + 1 }, (_, index) => index).map((count) => (
              <option key={count} value={count}>
                {count === 0 ? "None" : count}
              </option>
            ))}
          </select>
          <span id={`${id}-wheelchair-hint`} className={layout.muted}>
            Accessible seats: wheelchair spaces with companion seats beside them.
          </span>
        </div>
        <div className={styles.field}>
          <label htmlFor={`${id}-tier`}>Tier</label>
          <select id={`${id}-tier`} value={tierId} onChange={(event) => setTierId(event.target.value)}>
            <option value={ANY_TIER}>Any tier</option>
            {tiers.map((tier) => (
              <option key={tier.id} value={tier.id}>
                {tier.name} · {tier.price}
              </option>
            ))}
          </select>
        </div>
      </div>
      <button type="submit" className="button button-secondary" disabled={busy || signedIn === null}>
        {busy ? "Finding seats…" : signedIn === false ? "Log in to find seats" : "Find and hold seats"}
      </button>
    </form>
  );
}
