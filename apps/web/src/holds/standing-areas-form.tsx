"use client";

import { type FormEvent, useId, useState } from "react";
import layout from "@/components/layout.module.css";
import type { StandingArea } from "@/seating/seat-status-sync";
import { standingAreaLabel } from "@/seating/standing-area-label";
import styles from "./holds.module.css";

interface StandingAreasFormProps {
  areas: readonly StandingArea[];
  maxPlaces: number;
  signedIn: boolean | null;
  busy: boolean;
  onSubmit: (areaId: string, quantity: number) => void;
}

/**
 * Standing areas (general admission): each a button with its places left; choosing one asks how many
 * places, then holds them. Places are never particular spots, so there is nothing to pick on the map.
 */
export function StandingAreasForm({ areas, maxPlaces, signedIn, busy, onSubmit }: StandingAreasFormProps) {
  const [areaId, setAreaId] = useState<string | null>(null);
  const [quantity, setQuantity] = useState(1);
  const id = useId();
  if (areas.length === 0) return null;
  const chosen = areas.find((area) => area.id === areaId) ?? null;
  const most = Math.max(0, Math.min(maxPlaces, chosen?.available ?? 0));
  const chosenQuantity = Math.min(quantity, most);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (chosen && chosenQuantity > 0) onSubmit(chosen.id, chosenQuantity);
  };

  return (
    <form className={styles.card} onSubmit={submit} aria-labelledby={`${id}-heading`} data-standing-areas="">
      <h3 id={`${id}-heading`}>Standing</h3>
      <p className={layout.muted}>General admission: no seat of your own, stand anywhere in the area.</p>
      <ul className={styles.seatList}>
        {areas.map((area) => (
          <li key={area.id}>
            <button
              type="button"
              className="button button-secondary"
              aria-pressed={area.id === areaId}
              disabled={area.available === 0}
              onClick={() => setAreaId(area.id)}
              data-area-id={area.id}
            >
              {standingAreaLabel(area)}
            </button>
          </li>
        ))}
      </ul>
      {chosen ? (
        <>
          <div className={styles.field}>
            <label htmlFor={`${id}-quantity`}>How many places in {chosen.name}?</label>
            <select
              id={`${id}-quantity`}
              value={chosenQuantity}
              onChange={(event) => setQuantity(Number(event.target.value))}
            >
              {Array.from({ length: most }, (_, index) => index + 1).map((count) => (
                <option key={count} value={count}>
                  {count}
                </option>
              ))}
            </select>
          </div>
          <button
            type="submit"
            className="button"
            disabled={busy || signedIn === null || chosenQuantity === 0}
          >
            {busy ? "Holding places…" : signedIn === false ? "Log in to hold places" : "Hold standing places"}
          </button>
        </>
      ) : null}
    </form>
  );
}
