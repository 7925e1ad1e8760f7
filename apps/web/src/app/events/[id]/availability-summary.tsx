"use client";

import { formatCount } from "@/lib/format";
import { type AvailabilityCounts, useLiveAvailability } from "@/seating/live-availability";
import styles from "./page.module.css";

/** Available, held and sold: the server's counts at first, then the live map's as it changes. */
export function AvailabilitySummary({
  initial,
}: {
  initial: AvailabilityCounts & { accessibleAvailable?: number; standingAvailable?: number };
}) {
  const availability = useLiveAvailability(initial);
  const total = availability.available + availability.held + availability.sold;
  const share = (count: number) => `${total === 0 ? 0 : (count / total) * 100}%`;
  return (
    <div className={styles.availability} data-availability="">
      <div
        className={styles.bar}
        role="img"
        aria-label={`${formatCount(availability.available)} available, ${formatCount(availability.held)} held, ${formatCount(availability.sold)} sold`}
      >
        <span className={styles.barAvailable} style={{ width: share(availability.available) }} />
        <span className={styles.barHeld} style={{ width: share(availability.held) }} />
        <span className={styles.barSold} style={{ width: share(availability.sold) }} />
      </div>
      <ul className={styles.counts}>
        <li>
          <span className={`${styles.dot} ${styles.barAvailable}`} aria-hidden="true" />
          <strong data-count="available">{formatCount(availability.available)}</strong> available
        </li>
        <li>
          <span className={`${styles.dot} ${styles.barHeld}`} aria-hidden="true" />
          <strong data-count="held">{formatCount(availability.held)}</strong> held
        </li>
        <li>
          <span className={`${styles.dot} ${styles.barSold}`} aria-hidden="true" />
          <strong data-count="sold">{formatCount(availability.sold)}</strong> sold
        </li>
      </ul>
      {initial.standingAvailable ? (
        <p data-count="standing">{formatCount(initial.standingAvailable)} standing places left</p>
      ) : null}
      {initial.accessibleAvailable ? (
        <p data-count="accessible">
          {formatCount(initial.accessibleAvailable)} wheelchair{" "}
          {initial.accessibleAvailable === 1 ? "space" : "spaces"} left (with companion seats)
        </p>
      ) : null}
    </div>
  );
}
