"use client";

import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

/** Tickets sold per minute over the last hour, drawn with uPlot (bars); a table for screen readers. */
export function SalesChart({ minutes }: { minutes: readonly { minute: string; tickets: number }[] }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const chart = new uPlot(
      {
        width: element.clientWidth || 600,
        height: 180,
        legend: { show: false },
        cursor: { y: false },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(max, 4)] } },
        axes: [{}, { label: "tickets / min", size: 50 }],
        series: [
          {},
          {
            label: "Tickets",
            stroke: "#6d28d9",
            fill: "rgba(109, 40, 217, 0.25)",
            paths: uPlot.paths.bars?.({ size: [0.8] }),
          },
        ],
      },
      [[], []],
      element,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: element.clientWidth, height: 180 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData([
      minutes.map((entry) => new Date(entry.minute).getTime() / 1000),
      minutes.map((entry) => entry.tickets),
    ]);
  }, [minutes]);

  const total = minutes.reduce((sum, entry) => sum + entry.tickets, 0);
  const last = minutes.at(-1)?.tickets ?? 0;
  return (
    <figure aria-label="Tickets sold per minute, last hour">
      <div ref={box} aria-hidden="true" data-sales-chart />
      <figcaption>
        {total.toLocaleString("en-US")} tickets in the last hour; {last.toLocaleString("en-US")} this minute.
      </figcaption>
    </figure>
  );
}
