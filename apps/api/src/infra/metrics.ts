import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";

/** Prometheus metrics for one API process, served at GET /metrics. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
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
