"use client";

import { useMemo } from "react";
import { Notice } from "@/components/notice";
import { formatCount } from "@/lib/format";
import { SEAT_STATUS_LABELS, type SeatLayout, SeatStatus } from "./seat-layout";
import styles from "./seat-map.module.css";
import { SeatMapCanvas } from "./seat-map-canvas";
import type { SeatPaint } from "./seat-map-renderer";
import { type SeatMapData, useSeatMapData } from "./use-seat-map-data";

export interface SeatMapTier {
  id: string;
  name: string;
  colour: string;
  /** Already formatted, e.g. "€45.00". */
  price: string;
}

const STATUS_COLOURS = {
  held: "#a7b0bd",
  sold: "#7c8594",
  notForSale: "#e4e8ee",
  // An available seat in a section without a known tier: should not happen, but must still be visible.
  unpriced: "#475569",
};

// Indexed by seat status code.
const STATUS_CLASS_NAMES = [styles.available, styles.held, styles.sold, styles.notForSale];

/** Colours: the tiers first (available seats), then held, sold, not for sale and unpriced. */
function paintSeats(layout: SeatLayout, statuses: Uint8Array, tiers: readonly SeatMapTier[]): SeatPaint {
  const tierCount = tiers.length;
  const held = tierCount;
  const sold = tierCount + 1;
  const notForSale = tierCount + 2;
  const unpriced = tierCount + 3;
  const tierIndexById = new Map(tiers.map((tier, index) => [tier.id, index]));
  const availableColourOfSection = layout.sections.map((section) =>
    section.priceTierId === null ? unpriced : (tierIndexById.get(section.priceTierId) ?? unpriced),
  );
  const colourOfSeat = new Uint8Array(layout.seatCount);
  for (let seat = 0; seat < layout.seatCount; seat++) {
    const status = statuses[seat];
    colourOfSeat[seat] =
      status === SeatStatus.Available
        ? (availableColourOfSection[layout.sectionOfSeat[seat] ?? 0] ?? unpriced)
        : status === SeatStatus.Held
          ? held
          : status === SeatStatus.Sold
            ? sold
            : notForSale;
  }
  return {
    colours: [
      ...tiers.map((tier) => tier.colour),
      STATUS_COLOURS.held,
      STATUS_COLOURS.sold,
      STATUS_COLOURS.notForSale,
      STATUS_COLOURS.unpriced,
    ],
    colourOfSeat,
  };
}

/** "101" reads better as "Section 101"; names that are already words ("Balcony Left") stay as they are. */
function sectionTitle(name: string): string {
  return /^\d+[a-z]?$/i.test(name) ? `Section ${name}` : name;
}

/** Available seats per tier, for the legend. */
function availableByTier(layout: SeatLayout, statuses: Uint8Array): Map<string, number> {
  const availableBySection = new Uint32Array(layout.sections.length);
  for (let seat = 0; seat < layout.seatCount; seat++) {
    if (statuses[seat] === SeatStatus.Available) {
      const section = layout.sectionOfSeat[seat] ?? 0;
      availableBySection[section] = (availableBySection[section] ?? 0) + 1;
    }
  }
  const counts = new Map<string, number>();
  layout.sections.forEach((section, index) => {
    if (section.priceTierId === null) return;
    counts.set(
      section.priceTierId,
      (counts.get(section.priceTierId) ?? 0) + (availableBySection[index] ?? 0),
    );
  });
  return counts;
}

function SeatMapReady({ data, tiers }: { data: SeatMapData; tiers: readonly SeatMapTier[] }) {
  const { layout, statuses, statusVersion } = data;
  const paint = useMemo(() => paintSeats(layout, statuses, tiers), [layout, statuses, tiers]);
  const available = useMemo(() => availableByTier(layout, statuses), [layout, statuses]);
  const tierById = useMemo(() => new Map(tiers.map((tier) => [tier.id, tier])), [tiers]);
  const totalAvailable = [...available.values()].reduce((sum, count) => sum + count, 0);

  const seatDetails = (seat: number) => {
    const section = layout.sections[layout.sectionOfSeat[seat] ?? 0];
    const tier = section?.priceTierId ? tierById.get(section.priceTierId) : undefined;
    const status = statuses[seat] ?? SeatStatus.NotForSale;
    return (
      <>
        <strong>
          {sectionTitle(section?.name ?? "")} · Row {layout.rowOfSeat[seat]} · Seat{" "}
          {layout.numberOfSeat[seat]}
        </strong>
        <span>{tier ? `${tier.name} · ${tier.price}` : "No price tier"}</span>
        <span className={STATUS_CLASS_NAMES[status]}>{SEAT_STATUS_LABELS[status] ?? "Unknown"}</span>
      </>
    );
  };

  return (
    <div className={styles.layout}>
      <SeatMapCanvas
        layout={layout}
        paint={paint}
        statusVersion={statusVersion}
        summary={`Seat map with ${formatCount(layout.seatCount)} seats, ${formatCount(totalAvailable)} available.`}
        seatDetails={seatDetails}
      />
      <aside className={styles.legend} aria-label="Seat map legend">
        <h3>Price tiers</h3>
        <ul>
          {tiers.map((tier) => (
            <li key={tier.id}>
              <span className={styles.swatch} style={{ background: tier.colour }} aria-hidden="true" />
              <span className={styles.legendName}>{tier.name}</span>
              <span className={styles.legendPrice}>{tier.price}</span>
              <span className={styles.legendCount}>{formatCount(available.get(tier.id) ?? 0)} available</span>
            </li>
          ))}
        </ul>
        <h3>Other seats</h3>
        <ul>
          <li>
            <span className={styles.swatch} style={{ background: STATUS_COLOURS.held }} aria-hidden="true" />
            <span className={styles.legendName}>Held by another fan</span>
          </li>
          <li>
            <span className={styles.swatch} style={{ background: STATUS_COLOURS.sold }} aria-hidden="true" />
            <span className={styles.legendName}>Sold</span>
          </li>
          <li>
            <span
              className={styles.swatch}
              style={{ background: STATUS_COLOURS.notForSale }}
              aria-hidden="true"
            />
            <span className={styles.legendName}>Not for sale</span>
          </li>
        </ul>
        <p className={styles.hint}>Scroll or pinch to zoom, drag to move. Hover or tap a seat for details.</p>
      </aside>
    </div>
  );
}

/** The event's seat map with its legend, and clear loading and error states. */
export function SeatMap({ eventId, tiers }: { eventId: string; tiers: readonly SeatMapTier[] }) {
  const { state, retry } = useSeatMapData(eventId);
  if (state.phase === "loading") {
    return (
      <div className={styles.placeholder} role="status">
        <span className={styles.spinner} aria-hidden="true" />
        Loading the seat map…
      </div>
    );
  }
  if (state.phase === "error") {
    return (
      <Notice
        tone="error"
        title="The seat map could not be loaded"
        action={
          <button type="button" className="button" onClick={retry}>
            Try again
          </button>
        }
      >
        {state.problem.title}. {state.problem.message}
      </Notice>
    );
  }
  return <SeatMapReady data={state.data} tiers={tiers} />;
}
