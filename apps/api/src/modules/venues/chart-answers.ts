import type { ChartVersionRow } from "./chart-store.js";
import type { SavedChart } from "./venues.service.js";
import type { SavedSeatingChart, SeatingChartVersion } from "./venues.types.js";

// What a chart save answers, shaped as the GraphQL types: importSeatingChart and the upload route give
// the same.

export const chartOf = (row: ChartVersionRow): SeatingChartVersion => ({ ...row, id: String(row.id) });

/** A save's answer, the same from importSeatingChart and the upload route. */
export const savedOf = (saved: SavedChart): SavedSeatingChart => ({
  chart: chartOf(saved.chart),
  newVersion: saved.newVersion,
  previousVersion: saved.previousVersion,
  message: saved.message,
});
