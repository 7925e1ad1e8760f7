// What `pnpm start` prints: one line per step with how long it took, a live timer while a step runs on
// a terminal, and nothing else of its own.
import { performance } from "node:perf_hooks";

const live = Boolean(process.stdout.isTTY);

export function seconds(fromMs: number): string {
  return `${((performance.now() - fromMs) / 1000).toFixed(1)} s`;
}

export function note(text: string): void {
  clearLiveLine();
  console.log(`  ${text}`);
}

let liveLine = "";
function clearLiveLine(): void {
  if (!liveLine) return;
  process.stdout.write("\r\x1b[2K");
  liveLine = "";
}

/** An error whose message is the whole story: printed as it is, without a stack. */
export class StepFailure extends Error {}

/**
 * Runs one step: prints `▸ title`, then `✓ title (12.3 s)` or `✖ title (…)` and rethrows. `run` may
 * return a short result shown after the time (e.g. "skipped: nothing changed").
 */
export function step<T>(title: string, run: () => Promise<T>, describe?: (result: T) => string): Promise<T> {
  const started = performance.now();
  const timer = live ? setInterval(() => showLive(`▸ ${title} … ${seconds(started)}`), 1_000) : undefined;
  if (live) showLive(`▸ ${title} …`);
  else console.log(`▸ ${title} …`);
  return finished(title, started, run, describe).finally(() => clearInterval(timer));
}

/**
 * Runs a step alongside the ones that follow it (whose live line it leaves alone): prints `▸ title
 * (alongside the next steps)` now, and `✓ title (95.3 s)` or `✖ title (…)` when it ends.
 */
export function stepAlongside<T>(title: string, run: () => Promise<T>): Promise<T> {
  const started = performance.now();
  note(`▸ ${title} (alongside the next steps) …`);
  return finished(title, started, run);
}

/** Runs a step's work and prints how it ended: `✓ title (time, detail)`, or `✖ title (time)` and rethrows. */
async function finished<T>(
  title: string,
  started: number,
  run: () => Promise<T>,
  describe?: (result: T) => string,
): Promise<T> {
  try {
    const result = await run();
    clearLiveLine();
    const detail = describe?.(result);
    console.log(`✓ ${title} (${seconds(started)}${detail ? `, ${detail}` : ""})`);
    return result;
  } catch (error) {
    clearLiveLine();
    console.log(`✖ ${title} (${seconds(started)})`);
    throw error;
  }
}

function showLive(text: string): void {
  liveLine = text;
  process.stdout.write(`\r\x1b[2K${text}`);
}
