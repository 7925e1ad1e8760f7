import type { IncomingHttpHeaders } from "node:http";
import autocannon from "autocannon";
import type { Meter, StepCost } from "./meter.js";
import type { LoadSettings } from "./options.js";

/**
 * Why a response is wrong, or undefined when it is what the phase expects. `body` is the body as text
 * for phases that read it, and empty for the others.
 */
export type ResponseCheck = (headers: IncomingHttpHeaders, body: string) => string | undefined;

export interface LoadPhase {
  url: URL;
  headers: Record<string, string>;
  body: string;
  /** False for compressed responses: the check then reads headers only (see skipBodyDecoding). */
  readsBody: boolean;
  check: ResponseCheck;
}

export interface LoadResult {
  requests: number;
  durationS: number;
  requestsPerSecond: number;
  /** autocannon records whole milliseconds. */
  latencyMs: { mean: number; p50: number; p90: number; p99: number; max: number };
  /** Response bytes per second, headers included, as the load generator received them. */
  bytesPerSecond: number;
  /** Connection errors, timeouts included. */
  errors: number;
  timeouts: number;
  non2xx: number;
  /** 2xx responses that failed the phase's check (e.g. a GraphQL error, a missing encoding). */
  wrongResponses: number;
  wrongExamples: string[];
  /** CPU per request by process, and the API's event loop, over the measured part. */
  cost: StepCost;
}

// A ceiling on requests per phase in case the duration timer misbehaves: far above what 2 cores can serve.
const MAX_REQUESTS_PER_SECOND = 200_000;

/**
 * autocannon 9 decodes every response body to a UTF-8 string as it arrives (PipelinedRequestsQueue.addBody),
 * whether or not anything reads it. For a ~400 kB brotli body that is ~5 ms of the load generator's CPU per
 * response: measured here, it capped the full-map phase at ~140 loads/s while the API was two-thirds idle.
 * Phases that check headers only drop the bodies instead.
 */
function skipBodyDecoding(client: autocannon.Client): void {
  const internals = client as unknown as { pipelinedRequests?: { addBody?: (data: Buffer) => void } };
  const queue = internals.pipelinedRequests;
  if (typeof queue?.addBody !== "function") {
    throw new Error("autocannon's internals changed: bench/lib/load.ts skipBodyDecoding needs updating");
  }
  queue.addBody = () => undefined;
}

async function fire(phase: LoadPhase, settings: LoadSettings, durationS: number) {
  let wrongResponses = 0;
  const wrongExamples: string[] = [];
  const result = await autocannon({
    url: phase.url.toString(),
    connections: settings.connections,
    pipelining: settings.pipelining,
    duration: durationS,
    maxOverallRequests: Math.ceil(durationS * MAX_REQUESTS_PER_SECOND),
    timeout: 10,
    ...(phase.readsBody ? {} : { setupClient: skipBodyDecoding }),
    requests: [
      {
        method: "POST",
        headers: phase.headers,
        body: phase.body,
        onResponse: (status, body, _context, headers) => {
          if (status < 200 || status > 299) return; // counted as non-2xx by autocannon
          const problem = phase.check(headers ?? {}, body);
          if (problem === undefined) return;
          wrongResponses++;
          if (wrongExamples.length < 3) wrongExamples.push(problem);
        },
      },
    ],
  });
  return { result, wrongResponses, wrongExamples };
}

/** Warms up with the same load, then measures: both bounded by time (and a request ceiling). */
export async function measure(phase: LoadPhase, settings: LoadSettings, meter: Meter): Promise<LoadResult> {
  if (settings.warmupS > 0) await fire(phase, settings, settings.warmupS);
  const mark = await meter.start();
  const { result, wrongResponses, wrongExamples } = await fire(phase, settings, settings.durationS);
  const cost = await meter.stop(mark, result.requests.total);
  return {
    requests: result.requests.total,
    durationS: result.duration,
    requestsPerSecond: result.requests.total / result.duration,
    latencyMs: {
      mean: result.latency.mean,
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    bytesPerSecond: result.throughput.total / result.duration,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    wrongResponses,
    wrongExamples,
    cost,
  };
}

export function failures(result: LoadResult): string[] {
  const problems: string[] = [];
  if (result.errors) problems.push(`${result.errors} connection errors (${result.timeouts} timeouts)`);
  if (result.non2xx) problems.push(`${result.non2xx} non-2xx responses`);
  if (result.wrongResponses) {
    problems.push(`${result.wrongResponses} wrong responses, e.g. ${result.wrongExamples.join(" | ")}`);
  }
  if (!result.requests) problems.push("no response at all");
  return problems;
}
