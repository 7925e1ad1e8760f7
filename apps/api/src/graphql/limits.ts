import type { ApolloServerPlugin } from "@apollo/server";
import {
  type DocumentNode,
  GraphQLError,
  type GraphQLSchema,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
  type ValueNode,
  validate,
  visit,
} from "graphql";
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from "graphql-query-complexity";
import { ErrorCode } from "../kernel/errors.js";
import type { Context } from "./context.js";
import { coerceVariables } from "./variables.js";

export interface OperationLimits {
  maxDepth: number;
  maxCost: number;
}

/**
 * Bounds every document meets before it is validated (validation of repeated fields is quadratic, and
 * the parser and the cost estimate recurse): measured on the full schema, a document at these bounds
 * parses and validates in a few milliseconds. Documented in docs/api.md, "Limits".
 */
export const DOCUMENT_LIMITS = {
  /** graphql-js stops parsing after this many tokens (GraphiQL's introspection query has about 300). */
  maxTokens: 5_000,
  /** Selections (fields, aliases, inline fragments, fragment spreads), fragments counted each time they are spread. */
  maxSelections: 500,
  /** Root fields (aliases included): each is a lookup of its own, so they bound the work one request starts. */
  maxRootFields: 50,
  /** Fields with one response name merged into one selection set (inline fragments and spreads included). */
  maxSameField: 25,
  /** Nesting of selection sets of any kind: fields, inline fragments and fragments followed. */
  maxNesting: 30,
  /** Fragment definitions in one document (validation compares the fragments of a selection set in pairs). */
  maxFragments: 100,
} as const;

function tooComplex(message: string, details: Record<string, number>): GraphQLError {
  // http.status is read by Apollo Server (a client error, not a 500) and removed from the response;
  // the WebSocket path strips it (withoutHttp).
  return new GraphQLError(message, {
    extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, ...details, http: { status: 400 } },
  });
}

const TOKEN_LIMIT = /^Syntax Error: Document contains more th(?:an|at) \d+ tokens/;

/** graphql-js reports the token limit as a syntax error: it is a limit, answered like the others. */
export function isTokenLimit(message: string): boolean {
  return TOKEN_LIMIT.test(message);
}

export const TOKEN_LIMIT_MESSAGE = `The document has more than ${DOCUMENT_LIMITS.maxTokens} tokens`;

/** The error as the WebSocket path sends it: the same code and details, nothing of the HTTP layer. */
export function withoutHttp(error: GraphQLError): GraphQLError {
  if (!("http" in error.extensions)) return error;
  const { http: _http, ...extensions } = error.extensions;
  return new GraphQLError(error.message, { nodes: error.nodes, extensions });
}

/** What one operation or fragment holds in itself, fragments it spreads not followed. */
interface DefinitionShape {
  selections: number;
  /** Fields at the root of the definition (where a fragment spread at an operation's root puts them). */
  rootFields: number;
  /** Deepest field nesting and deepest nesting of any kind inside this definition. */
  depth: number;
  nesting: number;
  /** Each spread, with the field depth and nesting where it stands. */
  spreads: { name: string; depth: number; nesting: number }[];
}

interface Totals {
  selections: number;
  rootFields: number;
  depth: number;
  nesting: number;
}

const NONE: Totals = { selections: 0, rootFields: 0, depth: 0, nesting: 0 };

/**
 * One walk over a definition's selections with an explicit stack (no recursion: a document of 2,000
 * nested inline fragments must not overflow the stack). Throws as soon as one selection set merges
 * more than `maxSameField` fields of one response name.
 */
function shapeOfDefinition(selectionSet: SelectionSetNode, maxSameField: number): DefinitionShape {
  const shape: DefinitionShape = { selections: 0, rootFields: 0, depth: 0, nesting: 0, spreads: [] };
  // `scope` counts response names of the fields that graphql-js will merge: one per field selection set,
  // shared by the inline fragments inside it.
  const stack: { set: SelectionSetNode; depth: number; nesting: number; scope: Map<string, number> }[] = [
    { set: selectionSet, depth: 0, nesting: 1, scope: new Map() },
  ];
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    const { depth, nesting, scope } = frame;
    shape.nesting = Math.max(shape.nesting, nesting);
    for (const selection of frame.set.selections) {
      shape.selections++;
      if (selection.kind === Kind.FIELD) {
        const name = selection.alias?.value ?? selection.name.value;
        if (depth === 0) shape.rootFields++;
        const seen = (scope.get(name) ?? 0) + 1;
        scope.set(name, seen);
        if (seen > maxSameField) {
          throw tooComplex(
            `Field "${name}" is selected more than ${maxSameField} times in one selection set`,
            {
              maxSameField,
            },
          );
        }
        // Introspection fields do not count towards the depth (GraphiQL's query is deep).
        const fieldDepth = selection.name.value.startsWith("__") ? depth : depth + 1;
        shape.depth = Math.max(shape.depth, fieldDepth);
        if (selection.selectionSet) {
          stack.push({
            set: selection.selectionSet,
            depth: fieldDepth,
            nesting: nesting + 1,
            scope: new Map(),
          });
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        stack.push({ set: selection.selectionSet, depth, nesting: nesting + 1, scope });
      } else {
        shape.spreads.push({ name: selection.name.value, depth, nesting });
      }
    }
  }
  return shape;
}

/**
 * Totals of every fragment, fragments followed, worked out bottom-up with an explicit stack. A fragment
 * in a cycle counts as empty (the cycle is a validation error of its own); counts saturate just above
 * `cap`, so a fragment spread twice in each of 60 nested fragments does not overflow a number.
 */
function fragmentTotals(shapes: Map<string, DefinitionShape>, cap: number): Map<string, Totals> {
  const totals = new Map<string, Totals>();
  const visiting = new Set<string>();
  const totalOf = (name: string): Totals => totals.get(name) ?? NONE;
  for (const root of shapes.keys()) {
    if (totals.has(root)) continue;
    const stack: { name: string; next: number }[] = [{ name: root, next: 0 }];
    visiting.add(root);
    while (stack.length) {
      const frame = stack[stack.length - 1] as { name: string; next: number };
      const shape = shapes.get(frame.name) as DefinitionShape;
      const spread = shape.spreads[frame.next];
      if (spread) {
        frame.next++;
        const child = spread.name;
        if (shapes.has(child) && !totals.has(child) && !visiting.has(child)) {
          visiting.add(child);
          stack.push({ name: child, next: 0 });
        }
        continue;
      }
      totals.set(frame.name, combine(shape, totalOf, cap));
      visiting.delete(frame.name);
      stack.pop();
    }
  }
  return totals;
}

function combine(shape: DefinitionShape, totalOf: (name: string) => Totals, cap: number): Totals {
  const { selections, rootFields, depth, nesting } = shape;
  const result = { selections, rootFields, depth, nesting };
  for (const spread of shape.spreads) {
    const inner = totalOf(spread.name);
    result.selections = Math.min(cap + 1, result.selections + inner.selections);
    if (spread.depth === 0) result.rootFields = Math.min(cap + 1, result.rootFields + inner.rootFields);
    result.depth = Math.max(result.depth, spread.depth + inner.depth);
    result.nesting = Math.max(result.nesting, spread.nesting + inner.nesting);
  }
  return result;
}

export interface DocumentMeasure {
  /** Per operation (by name, "" for an anonymous one): selections, field depth and nesting, fragments followed. */
  operations: Map<string, Totals>;
}

/**
 * Measures a parsed document in time linear in its size and refuses it (QUERY_TOO_COMPLEX) when any
 * operation goes over DOCUMENT_LIMITS: run before validation, whose cost grows with the square of
 * repeated fields. Field depth is checked later, per operation (`OperationLimiter.check`).
 */
export function measureDocument(document: DocumentNode, limits = DOCUMENT_LIMITS): DocumentMeasure {
  const fragmentShapes = new Map<string, DefinitionShape>();
  const operationShapes = new Map<string, DefinitionShape>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) {
      fragmentShapes.set(
        definition.name.value,
        shapeOfDefinition(definition.selectionSet, limits.maxSameField),
      );
    } else if (definition.kind === Kind.OPERATION_DEFINITION) {
      operationShapes.set(
        definition.name?.value ?? "",
        shapeOfDefinition(definition.selectionSet, limits.maxSameField),
      );
    }
  }
  if (fragmentShapes.size > limits.maxFragments) {
    throw tooComplex(`The document defines more than ${limits.maxFragments} fragments`, {
      maxFragments: limits.maxFragments,
    });
  }
  const fragments = fragmentTotals(fragmentShapes, limits.maxSelections);
  const operations = new Map<string, Totals>();
  for (const [name, shape] of operationShapes) {
    const totals = combine(shape, (fragment) => fragments.get(fragment) ?? NONE, limits.maxSelections);
    const label = name ? `Operation "${name}"` : "The operation";
    if (totals.selections > limits.maxSelections) {
      throw tooComplex(
        `${label} has more than ${limits.maxSelections} selections, fragments counted each time they are spread`,
        {
          maxSelections: limits.maxSelections,
        },
      );
    }
    if (totals.rootFields > limits.maxRootFields) {
      throw tooComplex(`${label} selects more than ${limits.maxRootFields} root fields`, {
        maxRootFields: limits.maxRootFields,
      });
    }
    if (totals.nesting > limits.maxNesting) {
      throw tooComplex(
        `${label} nests selections ${totals.nesting} deep, at most ${limits.maxNesting} allowed`,
        {
          nesting: totals.nesting,
          maxNesting: limits.maxNesting,
        },
      );
    }
    operations.set(name, totals);
  }
  return { operations };
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
  /** Selections as written, fragments counted each time they are spread: the least the operation costs. */
  selections: number;
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
 *
 * The cost is the larger of graphql-query-complexity's estimate (one per field, lists multiplied by
 * `first`, fixed costs from the schema) and the selections as written: the estimate merges repeated
 * fields, so `{ categories categories … }` would otherwise cost 1 however long it is.
 */
export class OperationLimiter {
  private readonly shapes = new WeakMap<DocumentNode, Map<string, OperationShape>>();
  private readonly measures = new WeakMap<DocumentNode, DocumentMeasure>();
  private readonly costedFields: ReadonlySet<string>;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly limits: OperationLimits,
  ) {
    this.costedFields = argumentCostedFields(schema);
  }

  /** Refuses (QUERY_TOO_COMPLEX) a document over DOCUMENT_LIMITS; run between parsing and validation. */
  measure(document: DocumentNode): DocumentMeasure {
    let measure = this.measures.get(document);
    if (!measure) {
      measure = measureDocument(document);
      this.measures.set(document, measure);
    }
    return measure;
  }

  /**
   * The WebSocket path's parse and validation, with the codes the HTTP path answers: GRAPHQL_PARSE_FAILED
   * (syntax, or over the token limit), QUERY_TOO_COMPLEX (DOCUMENT_LIMITS), GRAPHQL_VALIDATION_FAILED.
   */
  parseAndValidate(query: unknown): DocumentNode | readonly GraphQLError[] {
    if (typeof query !== "string") {
      return [new GraphQLError("The query must be a string", { extensions: { code: "BAD_REQUEST" } })];
    }
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: DOCUMENT_LIMITS.maxTokens });
    } catch (error) {
      const message = error instanceof GraphQLError ? error.message : "Could not parse the query";
      if (isTokenLimit(message)) {
        const { maxTokens } = DOCUMENT_LIMITS;
        return [
          new GraphQLError(TOKEN_LIMIT_MESSAGE, {
            extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, maxTokens },
          }),
        ];
      }
      const nodes = error instanceof GraphQLError ? { source: error.source, positions: error.positions } : {};
      return [new GraphQLError(message, { ...nodes, extensions: { code: ErrorCode.GRAPHQL_PARSE_FAILED } })];
    }
    try {
      this.measure(document);
    } catch (error) {
      if (error instanceof GraphQLError) return [withoutHttp(error)];
      throw error;
    }
    const errors = validate(this.schema, document);
    if (!errors.length) return document;
    return errors.map(
      (error) =>
        new GraphQLError(error.message, {
          nodes: error.nodes,
          source: error.source,
          positions: error.positions,
          extensions: { ...error.extensions, code: ErrorCode.GRAPHQL_VALIDATION_FAILED },
        }),
    );
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
    if (definitions.length && coerceVariables(this.schema, definitions, variables).errors) return 0;
    let cost = shape.fixedCost;
    if (cost === undefined) {
      const estimate = getComplexity({
        schema: this.schema,
        query: document,
        operationName: operation.name?.value,
        variables: variables ?? {},
        estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
      });
      cost = Math.max(estimate, shape.selections);
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
      const totals = operation
        ? this.measure(document).operations.get(operation.name?.value ?? "")
        : undefined;
      shape = {
        operation,
        depth: totals?.depth ?? 0,
        selections: totals?.selections ?? 0,
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
  // Documents that stand in for refused ones, with the refusal to answer.
  const refusals = new WeakMap<DocumentNode, GraphQLError>();
  return {
    async requestDidStart() {
      return {
        // After parsing (bounded by DOCUMENT_LIMITS.maxTokens, Apollo's parseOptions), before validation.
        // No hook of Apollo Server before validation may answer a request (an error thrown there is a 500),
        // so a refused document is swapped for one that validates at once, and the refusal is answered in
        // didResolveOperation; Apollo's document store keeps the stand-in, so a repeat is refused as fast.
        async validationDidStart(requestContext) {
          try {
            limiter.measure(requestContext.document);
          } catch (error) {
            if (!(error instanceof GraphQLError)) throw error;
            const standIn = parse("{ __typename }");
            refusals.set(standIn, error);
            (requestContext as { document: DocumentNode }).document = standIn;
          }
        },
        async didResolveOperation({ document, operationName, request, contextValue }) {
          const refusal = refusals.get(document);
          if (refusal) throw refusal;
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
