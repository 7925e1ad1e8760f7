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
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
