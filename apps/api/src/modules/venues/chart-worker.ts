import { parentPort } from "node:worker_threads";
import { type ChartCheckRequest, checkChart } from "./chart-check.js";

// The worker thread that checks and generates a chart (chart-checker.ts starts one per chart): parsing 4 MB
// of text, checking 50,000 seats and laying them out takes a second of CPU that the API's event loop
// must not spend. It answers once, moving the seat columns' buffers instead of copying them.

parentPort?.once("message", async (request: ChartCheckRequest) => {
  const result = await checkChart(request);
  const transfer = result.ok
    ? Object.values(result.chart.seats)
        .filter((column): column is Exclude<typeof column, string[]> => !Array.isArray(column))
        .map((column) => column.buffer as ArrayBuffer)
    : [];
  parentPort?.postMessage(result, transfer);
});
