import type { ApolloServerPlugin } from "@apollo/server";
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  type GraphQLSchema,
  getVariableValues,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  visit,
} from "graphql";
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from "graphql-query-complexity";
import { ErrorCode } from "../kernel/errors.js";
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

/** Names of the schema's fields whose cost is a function of their arguments (e.g. `first`). */
function argumentCostedFields(schema: GraphQLSchema): Set<string> {
  const names = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      if (typeof field.extensions.complexity === "function") names.add(field.name);
    }
  }
  return names;
}

function mentionsVariable(value: ValueNode): boolean {
  switch (value.kind) {
    case Kind.VARIABLE:
      return true;
    case Kind.LIST:
      return value.values.some(mentionsVariable);
    case Kind.OBJECT:
      return value.fields.some((field) => mentionsVariable(field.value));
    default:
      return false;
  }
}

/** Whether a variable feeds an argument of a field named in `fields` (by name only: errs on the safe side). */
function variablesReachCost(document: DocumentNode, fields: ReadonlySet<string>): boolean {
  let reached = false;
  visit(document, {
    Field(node) {
      if (!fields.has(node.name.value)) return;
      if (node.arguments?.some((argument) => mentionsVariable(argument.value))) reached = true;
    },
  });
  return reached;
}

/** What is known of one operation of a document without its variables. */
interface OperationShape {
  operation: OperationDefinitionNode | undefined;
  depth: number;
  /** The cost when it cannot depend on the variables (set after its first computation), else undefined. */
  fixedCost?: number;
  variablesReachCost: boolean;
}

/**
 * Rejects operations that are too deep or too costly, before they run. Used by the HTTP path (an Apollo
 * plugin) and the WebSocket path (graphql-ws onSubscribe) alike; `check` returns the operation's cost.
 * Both paths reuse one DocumentNode per distinct query text (Apollo's document store, the WebSocket
 * path's parse cache), so depth and cost are worked out once per document and operation: only the cost
 * of an operation whose variables feed a costed argument (`first: $n`) is computed per request.
 */
export class OperationLimiter {
  private readonly shapes = new WeakMap<DocumentNode, Map<string, OperationShape>>();
  private readonly costedFields: ReadonlySet<string>;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly limits: OperationLimits,
  ) {
    this.costedFields = argumentCostedFields(schema);
  }

  check(
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Record<string, unknown> | null | undefined,
  ): number {
    const shape = this.shapeOf(document, operationName);
    const { operation, depth } = shape;
    if (!operation) return 0;
    const { maxDepth, maxCost } = this.limits;
    if (depth > maxDepth) {
      throw tooComplex(`Query is too deep: depth ${depth}, at most ${maxDepth} allowed`, { depth, maxDepth });
    }
    const definitions = operation.variableDefinitions ?? [];
    // Invalid variables fail execution with BAD_USER_INPUT; the cost estimate would only turn them into a 500.
    if (definitions.length && getVariableValues(this.schema, definitions, variables ?? {}).errors) return 0;
    let cost = shape.fixedCost;
    if (cost === undefined) {
      cost = getComplexity({
        schema: this.schema,
        query: document,
        operationName: operation.name?.value,
        variables: variables ?? {},
        estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
      });
      if (!shape.variablesReachCost) shape.fixedCost = cost;
    }
    if (cost > maxCost) {
      throw tooComplex(`Query is too costly: cost ${cost}, at most ${maxCost} allowed`, { cost, maxCost });
    }
    return cost;
  }

  private shapeOf(document: DocumentNode, operationName: string | null | undefined): OperationShape {
    let byName = this.shapes.get(document);
    if (!byName) {
      byName = new Map();
      this.shapes.set(document, byName);
    }
    const key = operationName ?? "";
    let shape = byName.get(key);
    if (!shape) {
      const operations = document.definitions.filter(
        (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
      );
      const operation = operationName
        ? operations.find((candidate) => candidate.name?.value === operationName)
        : operations[0];
      shape = {
        operation,
        depth: operation ? operationDepth(document, operation) : 0,
        variablesReachCost:
          Boolean(operation?.variableDefinitions?.length) && variablesReachCost(document, this.costedFields),
      };
      byName.set(key, shape);
    }
    return shape;
  }
}

/**
 * The HTTP path's limits: refuses operations over the depth and cost limits and, for requests with a
 * partner API key, charges the operation's cost to the key's budget for the minute, reported to the
 * caller as `extensions.cost` ({ requested, remaining, budget }), refused or not.
 */
export function operationLimitsPlugin(limiter: OperationLimiter): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operationName, request, contextValue }) {
          const cost = limiter.check(document, operationName, request.variables);
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
