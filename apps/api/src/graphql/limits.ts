import type { ApolloServerPlugin } from "@apollo/server";
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  getVariableValues,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from "graphql-query-complexity";
import { ErrorCode } from "../errors.js";
import type { Context } from "./context.js";

export interface OperationLimits {
  maxDepth: number;
  maxCost: number;
}

function tooComplex(message: string, details: Record<string, number>): GraphQLError {
  // http.status is read by Apollo Server (a client error, not a 500) and removed from the response.
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, ...details, http: { status: 400 } },
  });
}

/** Deepest field nesting of an operation, following fragments; introspection fields do not count. */
export function operationDepth(document: DocumentNode, operation: OperationDefinitionNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const depthOf = (selectionSet: SelectionSetNode, visiting: Set<string>): number => {
    let deepest = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith("__")) continue;
        const below = selection.selectionSet ? depthOf(selection.selectionSet, visiting) : 0;
        deepest = Math.max(deepest, 1 + below);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, depthOf(selection.selectionSet, visiting));
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        // Fragment cycles are a validation error of their own; just do not loop on them here.
        if (!fragment || visiting.has(name)) continue;
        visiting.add(name);
        deepest = Math.max(deepest, depthOf(fragment.selectionSet, visiting));
        visiting.delete(name);
      }
    }
    return deepest;
  };
  return depthOf(operation.selectionSet, new Set());
}

/**
 * Rejects operations that are too deep or too costly, before they run. Used by the HTTP path (an Apollo
 * plugin) and the WebSocket path (graphql-ws onSubscribe) alike. Returns the operation's cost.
 */
export function enforceOperationLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
  limits: OperationLimits,
): number {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  const operation = operationName
    ? operations.find((candidate) => candidate.name?.value === operationName)
    : operations[0];
  if (!operation) return 0;
  const depth = operationDepth(document, operation);
  if (depth > limits.maxDepth) {
    throw tooComplex(`Query is too deep: depth ${depth}, at most ${limits.maxDepth} allowed`, {
      depth,
      maxDepth: limits.maxDepth,
    });
  }
  // Invalid variables fail execution with BAD_USER_INPUT; the cost estimate would only turn them into a 500.
  if (getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}).errors) return 0;
  const cost = getComplexity({
    schema,
    query: document,
    operationName: operation.name?.value,
    variables: variables ?? {},
    estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
  });
  if (cost > limits.maxCost) {
    throw tooComplex(`Query is too costly: cost ${cost}, at most ${limits.maxCost} allowed`, {
      cost,
      maxCost: limits.maxCost,
    });
  }
  return cost;
}

/**
 * The HTTP path's limits: refuses operations over the depth and cost limits and, for requests with a
 * partner API key, charges the operation's cost to the key's budget for the minute, reported to the
 * caller as `extensions.cost` ({ requested, remaining, budget }), refused or not.
 */
export function operationLimitsPlugin(
  schema: GraphQLSchema,
  limits: OperationLimits,
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operationName, request, contextValue }) {
          const cost = enforceOperationLimits(schema, document, operationName, request.variables, limits);
          const key = contextValue.apiKey;
          if (!key) return;
          try {
            contextValue.cost = await contextValue.services.apiKeys.charge(key, cost);
          } catch (error) {
            if (!(error instanceof GraphQLError)) throw error;
            contextValue.cost = (error.extensions.cost as Context["cost"]) ?? null;
            // Refused before execution: a whole-request error, so give it the HTTP status it deserves.
            throw new GraphQLError(error.message, {
              extensions: { ...error.extensions, http: { status: 429 } },
            });
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (!contextValue.cost || response.body.kind !== "single") return;
          const result = response.body.singleResult;
          result.extensions = { ...result.extensions, cost: contextValue.cost };
        },
      };
    },
  };
}
