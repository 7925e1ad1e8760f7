"use client";

import { useQuery } from "@apollo/client/react";
import { type PointerEvent, useEffect, useId, useMemo, useRef, useState } from "react";
import { SeatMapLayoutDocument } from "@/gql/graphql";
import { buildSeatLayout, type Rect, type SeatLayout } from "@/seating/seat-layout";
import styles from "./organizer.module.css";
import { assignmentsFor, type PriceAssignment, rowsOf, seatsInRect } from "./price-selection";

// The price editor's map (docs/organizers.md, "Prices"): drag a rectangle over the seats (Shift adds to
// the choice), or pick sections and rows from the list with the keyboard, then price every chosen seat
// with one setPrices call. Seats are drawn on one canvas from the layout's typed arrays, and redrawn only
// when the choice changes; the rectangle being dragged is a positioned element over it.

const HEIGHT = 420;
const PADDING = 12;
const SEAT_COLOUR = "#94a3b8";
const CHOSEN_COLOUR = "#6d28d9";

interface View {
  scale: number;
  offsetX: number;
  offsetY: number;
}

function viewOf(layout: SeatLayout, width: number): View {
  const { minX, minY, maxX, maxY } = layout.bounds;
  const scale = Math.min(
    (width - 2 * PADDING) / (maxX - minX || 1),
    (HEIGHT - 2 * PADDING) / (maxY - minY || 1),
  );
  return { scale, offsetX: PADDING - minX * scale, offsetY: PADDING - minY * scale };
}

function draw(canvas: HTMLCanvasElement, layout: SeatLayout, chosen: Set<number>): View {
  const width = canvas.clientWidth || 640;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(HEIGHT * ratio);
  const view = viewOf(layout, width);
  const context = canvas.getContext("2d");
  if (!context) return view;
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, HEIGHT);
  const size = Math.max(1, layout.seatSize * view.scale * 0.8);
  // Two passes, one fill colour each: 52,800 rectangles in a few milliseconds.
  for (const [colour, wanted] of [
    [SEAT_COLOUR, false],
    [CHOSEN_COLOUR, true],
  ] as const) {
    context.fillStyle = colour;
    for (let seat = 0; seat < layout.seatCount; seat++) {
      if (chosen.has(seat) !== wanted) continue;
      const x = (layout.x[seat] as number) * view.scale + view.offsetX;
      const y = (layout.y[seat] as number) * view.scale + view.offsetY;
      context.fillRect(x - size / 2, y - size / 2, size, size);
    }
  }
  return view;
}

export function PriceMap({
  eventId,
  tiers,
  busy,
  onPrice,
}: {
  eventId: string;
  tiers: readonly { id: string; name: string }[];
  busy: boolean;
  onPrice: (assignments: PriceAssignment[], seats: number) => Promise<boolean>;
}) {
  const id = useId();
  const { data } = useQuery(SeatMapLayoutDocument, { variables: { eventId }, ssr: false });
  const layout = useMemo(() => (data ? buildSeatLayout(data.seatMap) : null), [data]);
  const rows = useMemo(() => (layout ? rowsOf(layout) : []), [layout]);
  const canvas = useRef<HTMLCanvasElement>(null);
  const view = useRef<View | null>(null);
  const [chosen, setChosen] = useState<Set<number>>(new Set());
  const [drag, setDrag] = useState<{ x0: number; y0: number; x1: number; y1: number; add: boolean } | null>(
    null,
  );
  const [listed, setListed] = useState<string[]>([]);
  const [tier, setTier] = useState("");
  // A stadium has ~1,500 rows: the list is built once per layout, not on every move of a drag.
  const options = useMemo(
    () =>
      layout?.sections.map((section) => {
        const sectionRows = rows.filter((row) => row.sectionId === section.id);
        if (sectionRows.length === 0) return null;
        return (
          <optgroup key={section.id} label={section.name}>
            <option value={`section:${section.id}`}>All of {section.name}</option>
            {sectionRows.map((row) => (
              <option key={row.key} value={row.key}>
                {section.name} · Row {row.row} ({row.seats.length} seats)
              </option>
            ))}
          </optgroup>
        );
      }),
    [layout, rows],
  );

  useEffect(() => {
    if (canvas.current && layout) view.current = draw(canvas.current, layout, chosen);
  }, [layout, chosen]);

  if (!layout) return <p aria-busy="true">Loading the seat map…</p>;
  if (layout.seatCount === 0) return null;

  const point = (event: PointerEvent<HTMLCanvasElement>) => {
    const box = event.currentTarget.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  };
  const finishDrag = () => {
    if (!drag || !view.current) return;
    const { scale, offsetX, offsetY } = view.current;
    const rect: Rect = {
      minX: (drag.x0 - offsetX) / scale,
      maxX: (drag.x1 - offsetX) / scale,
      minY: (drag.y0 - offsetY) / scale,
      maxY: (drag.y1 - offsetY) / scale,
    };
    const inside = seatsInRect(layout, rect);
    setChosen((before) => new Set(drag.add ? [...before, ...inside] : inside));
    setDrag(null);
  };
  const chooseListed = () => {
    const keys = new Set(listed);
    const picked = rows.filter((row) => keys.has(row.key) || keys.has(`section:${row.sectionId}`));
    setChosen((before) => new Set([...before, ...picked.flatMap((row) => row.seats)]));
  };

  return (
    <div className={styles.form}>
      <h3>Choose seats on the map</h3>
      <p className={styles.hint} id={`${id}-how`}>
        Drag a rectangle over the seats (hold Shift to add to the choice), or pick sections and rows from the
        list, then give them a tier.
      </p>
      <div className={styles.priceMap}>
        <canvas
          ref={canvas}
          className={styles.priceMapCanvas}
          style={{ height: HEIGHT }}
          aria-label={`Seat map of ${layout.seatCount} seats: drag to choose seats`}
          aria-describedby={`${id}-how`}
          onPointerDown={(event) => {
            event.currentTarget.setPointerCapture(event.pointerId);
            const { x, y } = point(event);
            setDrag({ x0: x, y0: y, x1: x, y1: y, add: event.shiftKey });
          }}
          onPointerMove={(event) => {
            if (!drag) return;
            const { x, y } = point(event);
            setDrag({ ...drag, x1: x, y1: y });
          }}
          onPointerUp={finishDrag}
          onPointerCancel={() => setDrag(null)}
        />
        {drag ? (
          <div
            className={styles.priceMapDrag}
            style={{
              left: Math.min(drag.x0, drag.x1),
              top: Math.min(drag.y0, drag.y1),
              width: Math.abs(drag.x1 - drag.x0),
              height: Math.abs(drag.y1 - drag.y0),
            }}
          />
        ) : null}
      </div>
      <div className={styles.fields}>
        <div className={styles.field}>
          <label htmlFor={`${id}-rows`}>Sections and rows</label>
          <select
            id={`${id}-rows`}
            multiple
            size={8}
            value={listed}
            onChange={(event) => setListed([...event.target.selectedOptions].map((option) => option.value))}
          >
            {options}
          </select>
          <button
            type="button"
            className="button button-secondary"
            disabled={listed.length === 0}
            onClick={chooseListed}
          >
            Add to the choice
          </button>
        </div>
        <div className={styles.field}>
          <label htmlFor={`${id}-map-tier`}>Tier for the chosen seats</label>
          <select id={`${id}-map-tier`} value={tier} onChange={(event) => setTier(event.target.value)}>
            <option value="">Choose a tier</option>
            {tiers.map((t) => (
              <option key={t.id} value={t.name}>
                {t.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p role="status" aria-live="polite">
        {chosen.size === 0 ? "No seats chosen." : `${chosen.size} seats chosen.`}
      </p>
      <div className={styles.formActions}>
        <button
          type="button"
          className="button"
          disabled={busy || chosen.size === 0 || tier === ""}
          onClick={async () => {
            if (await onPrice(assignmentsFor(layout, chosen, tier), chosen.size)) setChosen(new Set());
          }}
        >
          Price the chosen seats
        </button>
        <button
          type="button"
          className="button button-secondary"
          disabled={chosen.size === 0}
          onClick={() => setChosen(new Set())}
        >
          Clear the choice
        </button>
      </div>
    </div>
  );
}
