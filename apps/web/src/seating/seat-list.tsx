"use client";

import { useMemo, useState } from "react";
import { formatCount } from "@/lib/format";
import type { SeatMapTier } from "./seat-layout";
import { type SeatLayout, SeatStatus, sectionTitle } from "./seat-layout";
import styles from "./seat-map.module.css";

interface SeatListProps {
  layout: SeatLayout;
  statuses: Uint8Array;
  tiers: readonly SeatMapTier[];
  selectedSeatIds: ReadonlySet<string>;
  heldByYouSeatIds: ReadonlySet<string>;
  /** Picks or unpicks a seat: the same handler as a click on the map. */
  onSeatActivate?: (seat: number) => void;
}

interface ListedRow {
  name: string;
  seats: number[];
}

interface ListedSection {
  index: number;
  title: string;
  tier: SeatMapTier | undefined;
  available: number;
  rows: ListedRow[];
}

/**
 * The seat map as a list, for screen readers, keyboards and small screens: sections, their rows, and
 * the seats a fan could pick (plus their own), each a native checkbox. A section's seats are only
 * rendered while it is open, so a stadium's 60,000 seats never sit in the page at once.
 */
export function SeatList({
  layout,
  statuses,
  tiers,
  selectedSeatIds,
  heldByYouSeatIds,
  onSeatActivate,
}: SeatListProps) {
  const [openSections, setOpenSections] = useState<ReadonlySet<number>>(new Set());
  const tierById = useMemo(() => new Map(tiers.map((tier) => [tier.id, tier])), [tiers]);
  const sections = useMemo(() => {
    const listed: ListedSection[] = layout.sections.map((section, index) => ({
      index,
      title: sectionTitle(section.name),
      tier: section.priceTierId ? tierById.get(section.priceTierId) : undefined,
      available: 0,
      rows: [],
    }));
    const rowByKey = new Map<string, ListedRow>();
    for (let seat = 0; seat < layout.seatCount; seat++) {
      const sectionIndex = layout.sectionOfSeat[seat] ?? 0;
      const section = listed[sectionIndex];
      if (!section) continue;
      const available = statuses[seat] === SeatStatus.Available && section.tier !== undefined;
      if (available) section.available++;
      const seatId = layout.seatIds[seat] ?? "";
      const yours = selectedSeatIds.has(seatId) || heldByYouSeatIds.has(seatId);
      if (!available && !yours) continue;
      const rowName = layout.rowOfSeat[seat] ?? "";
      const key = `${sectionIndex}\u0000${rowName}`;
      let row = rowByKey.get(key);
      if (!row) {
        row = { name: rowName, seats: [] };
        rowByKey.set(key, row);
        section.rows.push(row);
      }
      row.seats.push(seat);
    }
    for (const section of listed) {
      for (const row of section.rows) {
        row.seats.sort((a, b) => (layout.numberOfSeat[a] ?? 0) - (layout.numberOfSeat[b] ?? 0));
      }
    }
    return listed.filter((section) => section.rows.length > 0);
  }, [layout, statuses, tierById, selectedSeatIds, heldByYouSeatIds]);

  const toggleSection = (index: number, open: boolean) =>
    setOpenSections((current) => {
      if (current.has(index) === open) return current;
      const next = new Set(current);
      if (open) next.add(index);
      else next.delete(index);
      return next;
    });

  if (sections.length === 0) {
    return <p className={styles.listEmpty}>No seats are available right now.</p>;
  }

  return (
    <div className={styles.list} data-seat-list="">
      {sections.map((section) => (
        <details
          key={section.index}
          className={styles.listSection}
          open={openSections.has(section.index)}
          onToggle={(event) => toggleSection(section.index, event.currentTarget.open)}
        >
          <summary>
            <span className={styles.listSectionName}>{section.title}</span>
            <span>
              {section.tier ? `${section.tier.name} · ${section.tier.price}` : "No price tier"} ·{" "}
              {formatCount(section.available)} available
            </span>
          </summary>
          {openSections.has(section.index)
            ? section.rows.map((row) => (
                <fieldset key={row.name} className={styles.listRow}>
                  <legend>Row {row.name}</legend>
                  {row.seats.map((seat) => {
                    const seatId = layout.seatIds[seat] ?? "";
                    const heldByYou = heldByYouSeatIds.has(seatId);
                    return (
                      <label key={seatId} className={styles.listSeat}>
                        <input
                          type="checkbox"
                          checked={heldByYou || selectedSeatIds.has(seatId)}
                          disabled={heldByYou || !onSeatActivate}
                          onChange={() => onSeatActivate?.(seat)}
                          data-seat-id={seatId}
                        />
                        <span>
                          Seat {layout.numberOfSeat[seat]}
                          {heldByYou ? " (held by you)" : ""}
                        </span>
                        <span className={styles.listPrice}>{section.tier?.price}</span>
                      </label>
                    );
                  })}
                </fieldset>
              ))
            : null}
        </details>
      ))}
    </div>
  );
}
