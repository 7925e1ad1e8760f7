// What the drill saw: every request with its answer and times, and the windows in which faults were on.
// The checks read it after the run (Jepsen's "history"), the tables summarise it per drill.
import { performance } from "node:perf_hooks";
import { latencyHistogram, percentilesMs, recordMs } from "../bench/lib/latency.js";

export interface Operation {
  /** e.g. "holdSeats", "checkout", "seatMap". */
  op: string;
  /** The API instance asked ("a", "b"). */
  instance: string;
  /** Milliseconds since the run started: sent, answered. */
  sent: number;
  answered: number;
  /** "ok", an `extensions.code`, or NETWORK when no answer came. */
  code: string;
  /** What the answer named, for a reader of the history: "<order id> <status told>". */
  subject?: string;
}

export interface FaultWindow {
  drill: string;
  /** When the fault began and when the service was back (ms since the run started). */
  start: number;
  end: number;
}

/** Errors that are right answers under load (a seat someone else took), not symptoms of a fault. */
export const EXPECTED_CODES = new Set(["SEATS_UNAVAILABLE", "HOLD_EXPIRED", "NOT_ADMITTED"]);

export class History {
  readonly operations: Operation[] = [];
  readonly faults: FaultWindow[] = [];
  private readonly origin = performance.now();
  private readonly startedAt = Date.now();

  now(): number {
    return performance.now() - this.origin;
  }

  /** A history time as wall-clock milliseconds (for comparing with timestamps Postgres wrote). */
  wallClock(t: number): number {
    return this.startedAt + t;
  }

  record(operation: Omit<Operation, "answered">): Operation {
    const done = { ...operation, answered: this.now() };
    this.operations.push(done);
    return done;
  }

  /** Requests still waiting for an answer: the drill starts some faults mid-checkout. */
  readonly inFlight = new Map<string, number>();

  begin(op: string, instance: string): () => void {
    const key = `${op}@${instance}`;
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    return () => this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
  }

  busy(op: string, instance?: string): boolean {
    for (const [key, n] of this.inFlight) {
      const [keyOp, keyInstance] = key.split("@");
      if (keyOp === op && (!instance || keyInstance === instance) && n > 0) return true;
    }
    return false;
  }
}

export interface DrillFigures {
  drill: string;
  requests: number;
  errorsByCode: Record<string, number>;
  p99DuringMs: number;
  p99AfterMs: number;
  /** From the end of the fault to the first successful hold or checkout sent after it; NaN if none. */
  recoveryMs: number;
}

/** The figures of one drill: `span` is the whole drill, `fault` its fault window. */
export function figures(history: History, drill: string, span: [number, number], fault: FaultWindow) {
  const inSpan = history.operations.filter((o) => o.sent >= span[0] && o.sent < span[1]);
  const errorsByCode: Record<string, number> = {};
  for (const o of inSpan) if (o.code !== "ok") errorsByCode[o.code] = (errorsByCode[o.code] ?? 0) + 1;
  const during = latencyHistogram();
  const after = latencyHistogram();
  for (const o of inSpan) {
    if (o.answered >= fault.start && o.sent <= fault.end) recordMs(during, o.answered - o.sent);
    else if (o.sent > fault.end) recordMs(after, o.answered - o.sent);
  }
  const recovered = inSpan.find(
    (o) => o.sent >= fault.end && o.code === "ok" && (o.op === "checkout" || o.op.startsWith("hold")),
  );
  return {
    drill,
    requests: inSpan.length,
    errorsByCode,
    p99DuringMs: percentilesMs(during).p99,
    p99AfterMs: percentilesMs(after).p99,
    recoveryMs: recovered ? recovered.answered - fault.end : Number.NaN,
  } satisfies DrillFigures;
}
