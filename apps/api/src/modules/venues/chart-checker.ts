import { Worker } from "node:worker_threads";
import { ConcurrencyLimit } from "../../lib/concurrency-limit.js";
import type { ChartCheckRequest, ChartCheckResult } from "./chart-check.js";

// Runs chart checks (chart-check.ts) on a worker thread, so a stadium's chart never holds up the API's
// event loop (docs/venues.md, "Size and speed"). A worker per chart: charts are saved rarely, and a
// fresh thread leaves nothing behind. At most two at once (a chart's check takes ~1 core-second).

const WORKER = new URL("./chart-worker.js", import.meta.url);
const checks = new ConcurrencyLimit(2);

/**
 * An upload's bytes move to the worker when they are alone in their memory; a string, or bytes sharing
 * Node's buffer pool (which cannot move), are copied.
 */
function ownBuffer(request: ChartCheckRequest): ArrayBuffer[] {
  if (request.kind !== "text" || typeof request.data === "string") return [];
  const { buffer, byteOffset, byteLength } = request.data;
  return buffer instanceof ArrayBuffer &&
    byteOffset === 0 &&
    byteLength === buffer.byteLength &&
    byteLength > 4096
    ? [buffer]
    : [];
}

export function checkChartOffLoop(request: ChartCheckRequest): Promise<ChartCheckResult> {
  return checks.run(
    () =>
      new Promise<ChartCheckResult>((resolve, reject) => {
        const worker = new Worker(WORKER);
        let answered = false;
        worker.once("message", (result: ChartCheckResult) => {
          answered = true;
          resolve(result);
          void worker.terminate();
        });
        worker.once("error", reject);
        worker.once("exit", (code) => {
          if (!answered) reject(new Error(`the chart worker exited with ${code} before answering`));
        });
        worker.postMessage(request, ownBuffer(request));
      }),
  );
}
