"use client";

import { type ReactNode, useEffect, useMemo, useState } from "react";
import { Notice } from "@/components/notice";
import type { ApiProblem } from "@/lib/api-errors";
import type { LiveConnectionState } from "@/lib/apollo/live-connection";
import { formatCount } from "@/lib/format";
import { usePublishAvailability } from "./live-availability";
import {
  SEAT_STATUS_LABELS,
  type SeatLayout,
  type SeatMapTier,
  SeatStatus,
  seatLabelAt,
} from "./seat-layout";
import { SeatList } from "./seat-list";
import styles from "./seat-map.module.css";
import { SeatMapCanvas } from "./seat-map-canvas";
import type { SeatPaint } from "./seat-map-renderer";
import { type SeatMark, STATUS_STYLES } from "./seat-marks";
import { standingAreaLabel } from "./standing-area-label";
import type { SeatMapData } from "./use-seat-map-data";

/** The legend's seats that are not available, drawn as the map draws them. */
const OTHER_SEATS = [
  { ...STATUS_STYLES.yours, name: "Yours (picked or held)", yours: true },
  { ...STATUS_STYLES.held, name: "Held by other fans", yours: false },
  { ...STATUS_STYLES.sold, name: "Sold", yours: false },
  { ...STATUS_STYLES.notForSale, name: "Not for sale", yours: false },
];

/** A legend swatch in the seat's shape (see seat-marks.ts and the renderer). */
function SeatSwatch({ colour, mark, yours = false }: { colour: string; mark: SeatMark; yours?: boolean }) {
  return (
    <svg className={styles.swatch} width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
      {mark === "ring" ? (
        <circle cx="8" cy="8" r="5" fill="none" stroke={colour} strokeWidth="3.2" />
      ) : mark === "bar" ? (
        <rect x="1.6" y="6" width="12.8" height="4" fill={colour} />
      ) : (
        <circle cx="8" cy="8" r="7.5" fill={colour} />
      )}
      {mark === "cross" ? (
        <path d="M4.8 4.8l6.4 6.4M11.2 4.8l-6.4 6.4" stroke="#ffffff" strokeWidth="2" />
      ) : null}
      {yours ? <circle cx="8" cy="8" r="2.6" fill="#ffffff" /> : null}
    </svg>
  );
}

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
      STATUS_STYLES.held.colour,
      STATUS_STYLES.sold.colour,
      STATUS_STYLES.notForSale.colour,
      STATUS_STYLES.unpriced.colour,
    ],
    marks: [
      ...tiers.map((): SeatMark => "fill"),
      STATUS_STYLES.held.mark,
      STATUS_STYLES.sold.mark,
      STATUS_STYLES.notForSale.mark,
      STATUS_STYLES.unpriced.mark,
    ],
    colourOfSeat,
  };
}

interface StatusCounts {
  /** Available seats per tier, for the legend. */
  availableByTier: Map<string, number>;
  available: number;
  held: number;
  sold: number;
}

function countStatuses(layout: SeatLayout, statuses: Uint8Array): StatusCounts {
  const availableBySection = new Uint32Array(layout.sections.length);
  let available = 0;
  let held = 0;
  let sold = 0;
  for (let seat = 0; seat < layout.seatCount; seat++) {
    const status = statuses[seat];
    if (status === SeatStatus.Available) {
      const section = layout.sectionOfSeat[seat] ?? 0;
      availableBySection[section] = (availableBySection[section] ?? 0) + 1;
      available++;
    } else if (status === SeatStatus.Held) {
      held++;
    } else if (status === SeatStatus.Sold) {
      sold++;
    }
  }
  const availableByTier = new Map<string, number>();
  layout.sections.forEach((section, index) => {
    if (section.priceTierId === null) return;
    availableByTier.set(
      section.priceTierId,
      (availableByTier.get(section.priceTierId) ?? 0) + (availableBySection[index] ?? 0),
    );
  });
  return { availableByTier, available, held, sold };
}

const SMALL_SCREEN = "(max-width: 640px)";

const LIVE_LABELS: Record<LiveConnectionState["status"], string> = {
  idle: "Connecting…",
  connecting: "Connecting…",
  connected: "Live",
  reconnecting: "Reconnecting…",
};

/** Whether the map follows other fans' holds right now. */
function LiveBadge({ connection }: { connection: LiveConnectionState }) {
  const live = connection.status === "connected";
  return (
    <span
      className={`${styles.liveBadge} ${live ? styles.liveOn : styles.liveOff}`}
      data-live-status={connection.status}
      title={live ? "Seats update as other fans hold and release them" : "Live updates paused: reconnecting"}
    >
      <span className={styles.liveDot} aria-hidden="true" />
      {LIVE_LABELS[connection.status]}
    </span>
  );
}

export interface SeatMapViewProps {
  data: SeatMapData;
  tiers: readonly SeatMapTier[];
  connection: LiveConnectionState;
  /** Seats the fan has picked but not held yet. */
  selectedSeatIds: ReadonlySet<string>;
  /** Seats in the fan's own holds (the map shows them as held, like anyone's). */
  heldByYouSeatIds: ReadonlySet<string>;
  flaggedSeatIds: ReadonlySet<string>;
  onSeatActivate?: (seat: number) => void;
  /** Seats to move and zoom the map to, e.g. the ones "Find and hold seats" just held. */
  seatsToShow?: readonly number[];
  /** Shown above the legend: the fan's selection and holds. */
  panel?: ReactNode;
}

/** The live seat map with its legend, the fan's own seats drawn as theirs. */
export function SeatMapView({
  data,
  tiers,
  connection,
  selectedSeatIds,
  heldByYouSeatIds,
  flaggedSeatIds,
  onSeatActivate,
  seatsToShow,
  panel,
}: SeatMapViewProps) {
  const { layout, statuses, statusVersion, areas } = data;
  const mapAreas = useMemo(
    () =>
      areas.map((area) => ({
        outline: area.outline,
        available: area.available,
        label: standingAreaLabel(area),
      })),
    [areas],
  );
  const paint = useMemo(() => paintSeats(layout, statuses, tiers), [layout, statuses, tiers]);
  const counts = useMemo(() => countStatuses(layout, statuses), [layout, statuses]);
  usePublishAvailability(counts);
  const tierById = useMemo(() => new Map(tiers.map((tier) => [tier.id, tier])), [tiers]);
  const yourSeatIds = useMemo(
    () => new Set([...selectedSeatIds, ...heldByYouSeatIds]),
    [selectedSeatIds, heldByYouSeatIds],
  );
  const [view, setView] = useState<"map" | "list">("map");
  // Small screens start with the list: a phone-sized map needs zooming before any seat can be tapped.
  useEffect(() => {
    if (window.matchMedia(SMALL_SCREEN).matches) setView("list");
  }, []);
  const totalAvailable = [...counts.availableByTier.values()].reduce((sum, count) => sum + count, 0);

  const seatFacts = (seat: number) => {
    const section = layout.sections[layout.sectionOfSeat[seat] ?? 0];
    const tier = section?.priceTierId ? tierById.get(section.priceTierId) : undefined;
    const status = statuses[seat] ?? SeatStatus.NotForSale;
    const seatId = layout.seatIds[seat] ?? "";
    const statusLabel = heldByYouSeatIds.has(seatId)
      ? "Held by you"
      : selectedSeatIds.has(seatId)
        ? "Selected"
        : (SEAT_STATUS_LABELS[status] ?? "Unknown");
    return { tier, status, statusLabel };
  };

  const describeSeat = (seat: number) => {
    const { tier, statusLabel } = seatFacts(seat);
    return `${seatLabelAt(layout, seat)}, ${tier ? `${tier.name}, ${tier.price}` : "no price tier"}, ${statusLabel}.`;
  };

  // The keyboard starts on the fan's first picked seat, else the first seat they could pick.
  const firstFocusSeat = () => {
    for (const seatId of yourSeatIds) {
      const seat = layout.seatIndexById.get(seatId);
      if (seat !== undefined) return seat;
    }
    const available = statuses.indexOf(SeatStatus.Available);
    return Math.max(available, 0);
  };

  const seatDetails = (seat: number) => {
    const { tier, status, statusLabel } = seatFacts(seat);
    return (
      <>
        <strong>{seatLabelAt(layout, seat)}</strong>
        <span>{tier ? `${tier.name} · ${tier.price}` : "No price tier"}</span>
        <span className={STATUS_CLASS_NAMES[status]}>{statusLabel}</span>
      </>
    );
  };

  return (
    <div className={styles.layout}>
      <div className={styles.main}>
        <fieldset className={styles.viewToggle}>
          <legend className="visually-hidden">Show the seats as</legend>
          <button type="button" aria-pressed={view === "map"} onClick={() => setView("map")}>
            Map
          </button>
          <button type="button" aria-pressed={view === "list"} onClick={() => setView("list")}>
            List
          </button>
        </fieldset>
        {view === "list" ? (
          <SeatList
            layout={layout}
            statuses={statuses}
            tiers={tiers}
            selectedSeatIds={selectedSeatIds}
            heldByYouSeatIds={heldByYouSeatIds}
            onSeatActivate={onSeatActivate}
          />
        ) : (
          <SeatMapCanvas
            layout={layout}
            areas={mapAreas}
            paint={paint}
            statusVersion={statusVersion}
            selectedSeatIds={yourSeatIds}
            flaggedSeatIds={flaggedSeatIds}
            heldSeatCount={counts.held}
            onSeatActivate={onSeatActivate}
            summary={`Seat map with ${formatCount(layout.seatCount)} seats, ${formatCount(totalAvailable)} available.`}
            seatDetails={seatDetails}
            describeSeat={describeSeat}
            firstFocusSeat={firstFocusSeat}
            seatsToShow={seatsToShow}
            status={<LiveBadge connection={connection} />}
          />
        )}
      </div>
      <aside className={styles.side} aria-label="Your seats and the seat map legend">
        {panel}
        <div className={styles.legend}>
          <h3>Price tiers</h3>
          <ul>
            {tiers.map((tier) => (
              <li key={tier.id}>
                <SeatSwatch colour={tier.colour} mark="fill" />
                <span className={styles.legendName}>{tier.name}</span>
                <span className={styles.legendPrice}>{tier.price}</span>
                <span className={styles.legendCount}>
                  {formatCount(counts.availableByTier.get(tier.id) ?? 0)} available
                </span>
              </li>
            ))}
          </ul>
          <h3>Other seats</h3>
          <ul>
            {OTHER_SEATS.map(({ colour, mark, name, yours }) => (
              <li key={name}>
                <SeatSwatch colour={colour} mark={mark} yours={yours} />
                <span className={styles.legendName}>{name}</span>
              </li>
            ))}
          </ul>
          <p className={styles.hint}>
            Scroll or pinch to zoom, drag to move. Hover or tap a seat for details
            {onSeatActivate ? ", click or tap it to pick it." : "."} From the keyboard: Tab into the map, move
            with the arrow keys, pick with Enter or Space; or choose List.
          </p>
        </div>
      </aside>
    </div>
  );
}

export function SeatMapLoading() {
  return (
    <div className={styles.placeholder} role="status">
      <span className={styles.spinner} aria-hidden="true" />
      Loading the seat map…
    </div>
  );
}

export function SeatMapError({ problem, onRetry }: { problem: ApiProblem; onRetry: () => void }) {
  return (
    <Notice
      tone="error"
      title="The seat map could not be loaded"
      action={
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      }
    >
      {problem.title}. {problem.message}
    </Notice>
  );
}
