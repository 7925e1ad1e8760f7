import { performance } from "node:perf_hooks";
import type { RunningApi } from "./api-process.js";
import { httpRequest } from "./http.js";

// The API's /metrics (Prometheus text), as the benchmarks read it.

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** One scrape of one API process. */
export class MetricsScrape {
  constructor(private readonly samples: readonly Sample[]) {}

  static parse(text: string): MetricsScrape {
    const samples: Sample[] = [];
    for (const line of text.split("\n")) {
      const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) continue;
      const labels: Record<string, string> = {};
      for (const [, key, value] of (match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
        if (key !== undefined) labels[key] = value ?? "";
      }
      samples.push({ name: match[1] ?? "", labels, value: Number(match[3]) });
    }
    return new MetricsScrape(samples);
  }

  /** The sum of the series called `name` that carry all of `labels`; undefined when there is none. */
  value(name: string, labels: Record<string, string> = {}): number | undefined {
    let sum: number | undefined;
    for (const sample of this.samples) {
      if (sample.name !== name) continue;
      if (Object.entries(labels).some(([key, value]) => sample.labels[key] !== value)) continue;
      sum = (sum ?? 0) + sample.value;
    }
    return sum;
  }
}

/** Scrapes /metrics over a fresh connection: with API_WORKERS > 1, the next worker in turn answers. */
export async function scrapeMetrics(api: RunningApi): Promise<MetricsScrape> {
  const response = await httpRequest(new URL("/metrics", api.baseUrl), { timeoutMs: 10_000 });
  if (response.status !== 200) throw new Error(`GET /metrics answered ${response.status}`);
  return MetricsScrape.parse(response.body.toString("utf8"));
}

const WINDOW = "frontrow_event_loop_delay_window_seconds";

/**
 * One scrape of every API process. Each scrape starts a new span of the event-loop delay figures of the
 * process that answers (docs/architecture.md, "Health"), and says how long the span it closes was: a
 * process already scraped in this round answers with a span shorter than the round so far, and is not
 * counted twice. Gives up after four scrapes per worker (what it has read is returned).
 */
export async function scrapeEveryProcess(api: RunningApi): Promise<MetricsScrape[]> {
  const roundStarted = performance.now();
  const scrapes: MetricsScrape[] = [];
  for (let attempt = 0; attempt < 4 * api.workers && scrapes.length < api.workers; attempt++) {
    // A saturated API may not answer in time: the step then goes without its event-loop figures ("–")
    // rather than the run failing.
    const scrape = await scrapeMetrics(api).catch((error: Error) => {
      console.error(`  (the API's /metrics did not answer: ${error.message}; event-loop delay unknown)`);
      return undefined;
    });
    if (!scrape) continue;
    const windowS = scrape.value(WINDOW);
    // Without the metric (an API built before it) every scrape counts: no worker can be told apart.
    if (api.workers === 1 || windowS === undefined || windowS * 1000 > performance.now() - roundStarted) {
      scrapes.push(scrape);
    }
  }
  return scrapes;
}

export interface EventLoopDelay {
  /** The worst process's p99 and max over the span, in milliseconds. */
  p99Ms: number;
  maxMs: number;
  /** Processes read (API_WORKERS when every one answered). */
  processes: number;
}

/** The API's event-loop delay over the span a round of scrapes closed; undefined if the API has no metric. */
export function eventLoopDelay(scrapes: readonly MetricsScrape[]): EventLoopDelay | undefined {
  const worst = (name: string) => {
    const values = scrapes.map((scrape) => scrape.value(name)).filter((value) => value !== undefined);
    return values.length ? Math.max(...values) * 1000 : undefined;
  };
  const p99Ms = worst("frontrow_event_loop_delay_p99_seconds");
  const maxMs = worst("frontrow_event_loop_delay_max_seconds");
  if (p99Ms === undefined || maxMs === undefined) return undefined;
  return { p99Ms, maxMs, processes: scrapes.length };
}

/** A counter's growth between two rounds of scrapes, summed over the processes. */
export function counterDelta(
  before: readonly MetricsScrape[],
  after: readonly MetricsScrape[],
  name: string,
  labels: Record<string, string> = {},
): number {
  const total = (scrapes: readonly MetricsScrape[]) =>
    scrapes.reduce((sum, scrape) => sum + (scrape.value(name, labels) ?? 0), 0);
  return total(after) - total(before);
}
