import { type IntervalHistogram, monitorEventLoopDelay, performance } from "node:perf_hooks";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * The event-loop delay sampler's period. Each sample is the time between two runs of a timer of this
 * period, so an idle loop reads the period itself: prom-client's `nodejs_eventloop_lag_*` (10 ms) read
 * ~10 ms when nothing waits and barely see a task of a few ms. At 1 ms, p99 of a few ms reads as such,
 * for ~2% of a core while the process idles (less under load, when the loop turns anyway).
 */
const EVENT_LOOP_RESOLUTION_MS = 1;

/** One sampler per process (the event loop is the process's), shared by every registry made in it. */
let eventLoopDelay: { histogram: IntervalHistogram; resetAt: number } | undefined;

function eventLoopSampler() {
  if (!eventLoopDelay) {
    const histogram = monitorEventLoopDelay({ resolution: EVENT_LOOP_RESOLUTION_MS });
    histogram.enable();
    eventLoopDelay = { histogram, resetAt: performance.now() };
  }
  return eventLoopDelay;
}

/**
 * The event loop's delay since the previous scrape (p99 and max, the sampler's own period taken off),
 * and the seconds that covers: a stall shows in the next scrape's max, then is forgotten.
 */
function eventLoopDelayGauges(registry: Registry): void {
  const sampler = eventLoopSampler();
  const delaySeconds = (nanoseconds: number) =>
    Math.max(0, nanoseconds / 1e6 - EVENT_LOOP_RESOLUTION_MS) / 1000;
  const max = new Gauge({
    name: "frontrow_event_loop_delay_max_seconds",
    help: "Longest event-loop delay since the previous scrape of this process (1 ms sampling)",
    registers: [],
  });
  const window = new Gauge({
    name: "frontrow_event_loop_delay_window_seconds",
    help: "Seconds since the previous scrape of this process: the span the event-loop delay figures cover",
    registers: [],
  });
  const p99 = new Gauge({
    name: "frontrow_event_loop_delay_p99_seconds",
    help: "99th percentile of the event-loop delay since the previous scrape of this process (1 ms sampling)",
    registers: [],
    // Sets all three and starts a new span.
    collect() {
      const { histogram, resetAt } = sampler;
      const now = performance.now();
      const sampled = histogram.count > 0;
      this.set(sampled ? delaySeconds(histogram.percentile(99)) : 0);
      max.set(sampled ? delaySeconds(histogram.max) : 0);
      window.set((now - resetAt) / 1000);
      histogram.reset();
      sampler.resetAt = now;
    },
  });
  // prom-client collects a registry's metrics one after the other, synchronously, in this order: the
  // collect above runs before the other two are read.
  for (const gauge of [p99, max, window]) registry.registerMetric(gauge);
}

/** Prometheus metrics for one API process, served at GET /metrics. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  eventLoopDelayGauges(registry);
  return {
    registry,
    httpRequests: new Counter({
      name: "frontrow_http_requests_total",
      help: "HTTP requests by route and status",
      labelNames: ["route", "status"] as const,
      registers: [registry],
    }),
    graphqlOperations: new Histogram({
      name: "frontrow_graphql_operation_seconds",
      help: "GraphQL operation duration by operation type and outcome",
      labelNames: ["type", "outcome"] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    graphqlErrors: new Counter({
      name: "frontrow_graphql_errors_total",
      help: "GraphQL errors sent to clients by code",
      labelNames: ["code"] as const,
      registers: [registry],
    }),
    responseCache: new Counter({
      name: "frontrow_response_cache_total",
      help: "Shared response cache lookups by result",
      labelNames: ["result"] as const,
      registers: [registry],
    }),
    queueEntries: new Counter({
      name: "frontrow_queue_entries_total",
      help:
        "Waiting-room entries the leader moved on this instance, by outcome: admitted, skipped (no " +
        "heartbeat within the grace period), window_ended (shopping window over)",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    queueTickSeconds: new Histogram({
      name: "frontrow_queue_tick_seconds",
      help: "Duration of one leader tick of one waiting room (draw, admit, broadcast)",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    holdBatchHolds: new Histogram({
      name: "frontrow_hold_batch_holds",
      help: "Holds per place_holds statement (group commit: holds that arrived while others were in Postgres)",
      buckets: [1, 2, 4, 8, 16, 32, 64],
      registers: [registry],
    }),
    seatMapDeltas: new Counter({
      name: "frontrow_seat_map_deltas_total",
      help:
        "Seat map deltas this instance recorded, by outcome: published, publishedAfterGap, " +
        "stale (dropped: a later version was out first)",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    seatMapDeltaSeats: new Histogram({
      name: "frontrow_seat_map_delta_seats",
      help: "Seats per published seat map delta (how much coalescing merged)",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
      registers: [registry],
    }),
    seatMapFlushFailures: new Counter({
      name: "frontrow_seat_map_flush_failures_total",
      help: "Failed attempts to record (Postgres) or publish (Redis) a seat map delta; each is retried",
      labelNames: ["stage"] as const,
      registers: [registry],
    }),
    seatMapDroppedSeats: new Counter({
      name: "frontrow_seat_map_dropped_seat_changes_total",
      help: "Seat changes never published because Postgres or Redis stayed down until shutdown",
      registers: [registry],
    }),
    subscriptionResults: new Counter({
      name: "frontrow_subscription_results_total",
      help:
        "Subscription results by source: executed (once per event, shared), reused (that result, " +
        "for another subscriber), unshared (executed for one subscriber)",
      labelNames: ["source"] as const,
      registers: [registry],
    }),
    seatLocks: new Counter({
      name: "frontrow_seat_lock_calls_total",
      help:
        "Redis seat-lock fast path calls by operation (acquire, release) and outcome " +
        "(acquired, conflict, released, bypassed while Redis is considered down, failed)",
      labelNames: ["operation", "outcome"] as const,
      registers: [registry],
    }),
    rateLimitDecisions: new Counter({
      name: "frontrow_rate_limit_decisions_total",
      help:
        "Rate-limited root fields by outcome: allowed, limited (RATE_LIMITED), failed_open (Redis " +
        "failed, so the request went through uncounted)",
      labelNames: ["field", "outcome"] as const,
      registers: [registry],
    }),
    botSignals: new Counter({
      name: "frontrow_bot_signals_total",
      help: "Bot signals recorded, by kind",
      labelNames: ["kind"] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
