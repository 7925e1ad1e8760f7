import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginCacheControl } from "@apollo/server/plugin/cacheControl";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import type { GraphQLSchema } from "graphql";
import type { Metrics } from "../infra/metrics.js";
import type { Context } from "./context.js";
import { createErrorFormatter, isUnexpected } from "./format-error.js";
import { DOCUMENT_LIMITS, type OperationLimiter, operationLimitsPlugin } from "./limits.js";
import { seatMapResponsePlugin, stringifyResult } from "./seat-map-response.js";

/** Apollo's KeyValueCache shape (infra/kv-cache.ts implements it on Redis). */
export interface StringCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, options?: { ttl?: number | null }): Promise<void>;
  delete(key: string): Promise<boolean | undefined>;
}

export interface ApolloOptions {
  schema: GraphQLSchema;
  /** Where automatic persisted queries are kept (shared by every instance). */
  persistedQueries: StringCache;
  limiter: OperationLimiter;
  metrics: Metrics;
  production: boolean;
}

function observabilityPlugin(metrics: Metrics): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (isUnexpected(error)) {
              contextValue.log.error(
                { err: error.originalError ?? error, path: error.path },
                "GraphQL operation failed",
              );
            }
          }
        },
        async willSendResponse({ response, operation }) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const errors = response.body.kind === "single" ? (response.body.singleResult.errors ?? []) : [];
          for (const error of errors)
            metrics.graphqlErrors.inc({ code: String(error.extensions?.code ?? "UNKNOWN") });
          metrics.graphqlOperations.observe(
            { type: operation?.operation ?? "unknown", outcome: errors.length ? "error" : "ok" },
            seconds,
          );
        },
      };
    },
  };
}

export function createApollo({
  schema,
  persistedQueries,
  limiter,
  metrics,
  production,
}: ApolloOptions): ApolloServer<Context> {
  return new ApolloServer<Context>({
    schema,
    introspection: true,
    // Parsing stops at the token limit, before a huge document is built (docs/api.md, "Limits").
    parseOptions: { maxTokens: DOCUMENT_LIMITS.maxTokens },
    // Apollo's default landing page loads from a CDN: the playground is served by http/playground.ts.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControl({ defaultMaxAge: 0, calculateHttpHeaders: true }),
      operationLimitsPlugin(limiter),
      // After the limits: a refused operation is answered by them, never by the seat-map fast path.
      seatMapResponsePlugin(),
      observabilityPlugin(metrics),
    ],
    formatError: createErrorFormatter(!production),
    stringifyResult,
    includeStacktraceInErrorResponses: !production,
    hideSchemaDetailsFromClientErrors: production,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // Apollo's protocol (docs/api.md, "Persisted queries"): a hash, the whole query only on a miss.
    persistedQueries: { cache: persistedQueries, ttl: 7 * 24 * 3600 },
    // main.ts owns shutdown: Apollo's own signal handlers would race it and re-raise the signal.
    stopOnTerminationSignals: false,
  });
}
