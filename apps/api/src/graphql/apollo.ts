import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginCacheControl } from "@apollo/server/plugin/cacheControl";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import type { GraphQLSchema } from "graphql";
import type { Metrics } from "../infra/metrics.js";
import type { Context } from "./context.js";
import { createErrorFormatter, isUnexpected } from "./format-error.js";
import { DOCUMENT_LIMITS, type OperationLimiter, operationLimitsPlugin } from "./limits.js";
import { seatMapResponsePlugin, stringifyResult } from "./seat-map-response.js";

export interface ApolloOptions {
  schema: GraphQLSchema;
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

export function createApollo({ schema, limiter, metrics, production }: ApolloOptions): ApolloServer<Context> {
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
    // main.ts owns shutdown: Apollo's own signal handlers would race it and re-raise the signal.
    stopOnTerminationSignals: false,
  });
}
