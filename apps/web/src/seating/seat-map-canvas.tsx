"use client";

import { type KeyboardEvent, type ReactNode, useEffect, useId, useRef, useState } from "react";
import type { SeatLayout } from "./seat-layout";
import styles from "./seat-map.module.css";
import { attachSeatMapGestures, BUTTON_ZOOM_FACTOR } from "./seat-map-gestures";
import { type MapArea, SeatMapRenderer, type SeatPaint } from "./seat-map-renderer";
import { buildSeatRows, nextSeat, SEAT_DIRECTION_BY_KEY, type SeatRows } from "./seat-navigation";

interface SeatMapCanvasProps {
  layout: SeatLayout;
  /** Standing areas drawn as shapes (their places are held through the list beside the map). */
  areas?: readonly MapArea[];
  paint: SeatPaint;
  /** The statuses version `paint` was made from; exposed on the canvas once drawn. */
  statusVersion: number;
  /** Seats to highlight as the fan's own (picked, or held by them). */
  selectedSeatIds?: ReadonlySet<string>;
  /** Seats to ring in red, e.g. taken by someone else just as the fan tried to hold them. */
  flaggedSeatIds?: ReadonlySet<string>;
  /** Exposed as `data-held-count`, so tests can wait for other fans' holds to show. */
  heldSeatCount: number;
  /** A click or tap on a seat; the map only draws, the caller decides what picking means. */
  onSeatActivate?: (seat: number) => void;
  /** A short description of the whole map for assistive technology. */
  summary: string;
  seatDetails: (seat: number) => ReactNode;
  /** What a screen reader announces for the focused seat: section, row, seat, price, status. */
  describeSeat: (seat: number) => string;
  /** Where the keyboard focus starts in the map (e.g. the first available seat). */
  firstFocusSeat: () => number;
  /** Seats to move and zoom to; a new array each time they should be shown (e.g. seats just held). */
  seatsToShow?: readonly number[];
  /** Shown in the map's top-left corner (whether it is live). */
  status?: ReactNode;
}

interface PointedSeat {
  seat: number;
  x: number;
  y: number;
}

const NO_SELECTION: ReadonlySet<string> = new Set();
const NO_AREAS: readonly MapArea[] = [];

function seatIndices(layout: SeatLayout, seatIds: ReadonlySet<string>): number[] {
  const indices: number[] = [];
  for (const seatId of seatIds) {
    const index = layout.seatIndexById.get(seatId);
    if (index !== undefined) indices.push(index);
  }
  return indices;
}

/** The interactive canvas: draws through `SeatMapRenderer`, forwards gestures, shows the pointed seat. */
export function SeatMapCanvas({
  layout,
  paint,
  statusVersion,
  selectedSeatIds = NO_SELECTION,
  flaggedSeatIds = NO_SELECTION,
  heldSeatCount,
  onSeatActivate,
  summary,
  seatDetails,
  describeSeat,
  firstFocusSeat,
  seatsToShow,
  status,
  areas = NO_AREAS,
}: SeatMapCanvasProps) {
  const frame = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [renderer, setRenderer] = useState<SeatMapRenderer | null>(null);
  const [pointed, setPointed] = useState<PointedSeat | null>(null);
  const [frameWidth, setFrameWidth] = useState(0);
  const instructionsId = useId();
  // Roving focus inside one tab stop: the canvas keeps DOM focus, this is the seat the keyboard is on.
  const [focusedSeat, setFocusedSeat] = useState(-1);
  const [hasFocus, setHasFocus] = useState(false);
  // Built on the first arrow key, not on mount: mouse users never pay for a stadium's 60,000 seats.
  const seatRows = useRef<{ layout: SeatLayout; rows: SeatRows } | null>(null);
  const rowsOfLayout = () => {
    if (seatRows.current?.layout !== layout) seatRows.current = { layout, rows: buildSeatRows(layout) };
    return seatRows.current.rows;
  };
  // The gestures are attached once per layout; they call whatever handler is current.
  const latestOnSeatActivate = useRef(onSeatActivate);
  useEffect(() => {
    latestOnSeatActivate.current = onSeatActivate;
  }, [onSeatActivate]);

  useEffect(() => {
    const frameElement = frame.current;
    const canvasElement = canvas.current;
    if (!frameElement || !canvasElement) return;
    const seatMapRenderer = new SeatMapRenderer(canvasElement, layout);
    const resizeObserver = new ResizeObserver(([entry]) => {
      if (!entry) return;
      const { width, height } = entry.contentRect;
      seatMapRenderer.resize(width, height, window.devicePixelRatio || 1);
      setFrameWidth(width);
    });
    resizeObserver.observe(frameElement);
    const detachGestures = attachSeatMapGestures(canvasElement, seatMapRenderer, {
      onPointAtSeat: (seat) =>
        setPointed((current) => {
          if (seat < 0) return null;
          const { x, y } = seatMapRenderer.seatPosition(seat);
          return current?.seat === seat && current.x === x && current.y === y ? current : { seat, x, y };
        }),
      onActivateSeat: (seat) => latestOnSeatActivate.current?.(seat),
    });
    setRenderer(seatMapRenderer);
    return () => {
      detachGestures();
      resizeObserver.disconnect();
      seatMapRenderer.destroy();
      setRenderer(null);
      setPointed(null);
      setFocusedSeat(-1);
    };
  }, [layout]);

  useEffect(() => {
    renderer?.setFocusedSeat(hasFocus ? focusedSeat : -1);
  }, [renderer, focusedSeat, hasFocus]);

  useEffect(() => {
    if (renderer && seatsToShow && seatsToShow.length > 0) renderer.showSeats(seatsToShow);
  }, [renderer, seatsToShow]);

  useEffect(() => {
    renderer?.setAreas(areas);
  }, [renderer, areas]);

  useEffect(() => {
    renderer?.setPaint(paint, statusVersion);
  }, [renderer, paint, statusVersion]);

  useEffect(() => {
    renderer?.setSelectedSeats(seatIndices(layout, selectedSeatIds));
  }, [renderer, layout, selectedSeatIds]);

  useEffect(() => {
    renderer?.setFlaggedSeats(seatIndices(layout, flaggedSeatIds));
  }, [renderer, layout, flaggedSeatIds]);

  // The buttons move the map away from under the pointed seat.
  const forgetPointedSeat = () => {
    setPointed(null);
    renderer?.setHoveredSeat(-1);
  };

  const zoomBy = (factor: number) => {
    forgetPointedSeat();
    renderer?.zoomAtCentre(factor);
  };

  /** Puts the keyboard on a seat: brings it into view and shows its details beside it. */
  const focusSeat = (seat: number) => {
    if (!renderer || seat < 0) return;
    renderer.revealSeat(seat);
    renderer.setHoveredSeat(-1);
    setFocusedSeat(seat);
    const { x, y } = renderer.seatPosition(seat);
    setPointed({ seat, x, y });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLCanvasElement>) => {
    if (event.altKey || event.metaKey || event.ctrlKey || event.shiftKey) return;
    const direction = SEAT_DIRECTION_BY_KEY[event.key];
    if (direction) {
      event.preventDefault();
      const from = focusedSeat >= 0 ? focusedSeat : firstFocusSeat();
      focusSeat(focusedSeat >= 0 ? nextSeat(layout, rowsOfLayout(), from, direction) : from);
    } else if ((event.key === "Enter" || event.key === " ") && focusedSeat >= 0) {
      event.preventDefault();
      onSeatActivate?.(focusedSeat);
    }
  };

  // Keep the tooltip inside the map: it is at most 260px wide and sits above the seat unless near the top.
  const tooltipX = pointed ? Math.min(Math.max(pointed.x, 134), Math.max(frameWidth - 134, 134)) : 0;
  const tooltipBelow = pointed ? pointed.y < 110 : false;

  return (
    // The zoom buttons sit beside the frame, not in it, on phones (CSS), so they never hide section labels.
    <div className={styles.mapArea}>
      <div
        className={styles.frame}
        ref={frame}
        // The frame takes the venue's proportions (within height limits), so small screens waste no space.
        style={{
          aspectRatio: `${layout.bounds.maxX - layout.bounds.minX} / ${layout.bounds.maxY - layout.bounds.minY}`,
        }}
      >
        {/* biome-ignore lint/a11y/noInteractiveElementToNoninteractiveRole: the canvas is one keyboard widget (roving focus over its seats); "application" lets screen readers pass it the arrow keys */}
        <canvas
          ref={canvas}
          className={styles.canvas}
          tabIndex={0}
          role="application"
          aria-roledescription="seat map"
          aria-label={summary}
          aria-describedby={instructionsId}
          data-seat-count={layout.seatCount}
          data-held-count={heldSeatCount}
          data-focused-seat={focusedSeat >= 0 ? layout.seatIds[focusedSeat] : undefined}
          onKeyDown={onKeyDown}
          onFocus={(event) => {
            setHasFocus(true);
            // A click focuses the canvas too: only keyboard focus (Tab) jumps to a seat.
            if (!event.currentTarget.matches(":focus-visible")) return;
            focusSeat(focusedSeat >= 0 ? focusedSeat : firstFocusSeat());
          }}
          onBlur={() => {
            setHasFocus(false);
            setPointed(null);
          }}
        />
        <p id={instructionsId} className="visually-hidden">
          The arrow keys move from seat to seat, Enter or Space picks or unpicks the seat. Plus and minus
          zoom, Shift with the arrow keys moves the map, zero fits the whole venue.
        </p>
        <p className="visually-hidden" aria-live="polite" aria-atomic="true" data-seat-announcement="">
          {hasFocus && focusedSeat >= 0 ? describeSeat(focusedSeat) : ""}
        </p>
        {status ? <div className={styles.status}>{status}</div> : null}
        {pointed ? (
          <div
            role="tooltip"
            className={`${styles.tooltip} ${tooltipBelow ? styles.tooltipBelow : ""}`}
            style={{ left: tooltipX, top: pointed.y }}
          >
            {seatDetails(pointed.seat)}
          </div>
        ) : null}
      </div>
      <div className={styles.controls}>
        <button type="button" onClick={() => zoomBy(BUTTON_ZOOM_FACTOR)} aria-label="Zoom in">
          +
        </button>
        <button type="button" onClick={() => zoomBy(1 / BUTTON_ZOOM_FACTOR)} aria-label="Zoom out">
          −
        </button>
        <button
          type="button"
          onClick={() => {
            forgetPointedSeat();
            renderer?.fitToView();
          }}
          aria-label="Fit the whole venue"
        >
          <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">
            <path
              d="M2 6V2h4M10 2h4v4M14 10v4h-4M6 14H2v-4"
              fill="none"
              stroke="currentColor"
              strokeWidth="1.8"
              strokeLinecap="round"
            />
          </svg>
        </button>
      </div>
    </div>
  );
}
