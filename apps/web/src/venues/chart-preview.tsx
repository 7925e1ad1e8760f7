"use client";

import { useMemo } from "react";
import type { SeatingChartPreviewQuery, SeatMapLayoutQuery } from "@/gql/graphql";
import { tierColour } from "@/lib/tier-colours";
import { buildSeatLayout, type SeatLayout } from "@/seating/seat-layout";
import { SeatMapCanvas } from "@/seating/seat-map-canvas";
import type { SeatPaint } from "@/seating/seat-map-renderer";
import styles from "./venues.module.css";

type Preview = SeatingChartPreviewQuery["seatingChartPreview"];
type Stage = SeatMapLayoutQuery["seatMap"]["stage"];

/** The generated chart as the fans' seat map data, so the same canvas renderer draws it. */
function layoutOf(preview: Preview, stage: Stage): SeatLayout {
  const bounds = preview.bounds ?? {
    minX: stage.x,
    minY: stage.y,
    maxX: stage.x + stage.width,
    maxY: stage.y + stage.height,
  };
  return buildSeatLayout({
    eventId: "preview",
    stage,
    bounds: {
      minX: Math.min(bounds.minX, stage.x),
      minY: Math.min(bounds.minY, stage.y),
      maxX: Math.max(bounds.maxX, stage.x + stage.width),
      maxY: Math.max(bounds.maxY, stage.y + stage.height),
    },
    sections: preview.sections
      .filter((section) => section.kind === "SEATED")
      .map((section, sectionIndex) => ({
        id: `section-${sectionIndex}`,
        name: section.name,
        priceTierId: null,
        seats: section.seats.map((seat) => ({
          id: `${sectionIndex}:${seat.row}:${seat.number}`,
          row: seat.row,
          number: seat.number,
          x: seat.x,
          y: seat.y,
        })),
      })),
  });
}

/** One colour per section (as tiers are coloured for fans), accessible seats drawn as rings. */
function paintOf(layout: SeatLayout, accessible: boolean[]): SeatPaint {
  const sections = layout.sections.length;
  const colours = Array.from({ length: sections }, (_, index) => tierColour(index));
  const colourOfSeat = new Uint8Array(layout.seatCount);
  for (let seat = 0; seat < layout.seatCount; seat++) {
    const section = layout.sectionOfSeat[seat] ?? 0;
    colourOfSeat[seat] = accessible[seat] ? sections : section % 255;
  }
  return {
    colours: [...colours, "#1d4ed8"],
    marks: [...colours.map(() => "fill" as const), "ring"],
    colourOfSeat,
  };
}

/** The chart as fans will see it, drawn by the seat map's canvas renderer. */
export function ChartPreview({ preview, stage }: { preview: Preview; stage: Stage }) {
  const layout = useMemo(() => layoutOf(preview, stage), [preview, stage]);
  const paint = useMemo(
    () =>
      paintOf(
        layout,
        preview.sections
          .filter((section) => section.kind === "SEATED")
          .flatMap((section) => section.seats.map((seat) => seat.accessible)),
      ),
    [layout, preview],
  );
  const standing = preview.sections.filter((section) => section.kind === "STANDING");
  const describeSeat = (seat: number) =>
    `${layout.sections[layout.sectionOfSeat[seat] ?? 0]?.name ?? ""}, row ${layout.rowOfSeat[seat]}, seat ${layout.numberOfSeat[seat]}`;
  return (
    <div className={styles.preview}>
      <SeatMapCanvas
        layout={layout}
        paint={paint}
        statusVersion={0}
        heldSeatCount={0}
        summary={`Preview of the chart: ${layout.seatCount} seats in ${layout.sections.length} seated sections.`}
        seatDetails={describeSeat}
        describeSeat={describeSeat}
        firstFocusSeat={() => 0}
      />
      <p className={styles.hint}>
        {preview.seatCount.toLocaleString("en-US")} seats. Accessible seats are drawn as rings.
        {standing.length > 0
          ? ` Standing: ${standing.map((section) => `${section.name} (${(section.capacity ?? 0).toLocaleString("en-US")} places)`).join(", ")}.`
          : ""}
      </p>
    </div>
  );
}
