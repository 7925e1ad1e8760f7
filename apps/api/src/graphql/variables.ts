import { type GraphQLSchema, getVariableValues, type VariableDefinitionNode } from "graphql";

/**
 * As many variable errors as execution itself reports (graphql-js's execute stops at 50). Uncapped,
 * getVariableValues builds an error for every wrong item of a list: a 2,000-item list variable held an
 * instance's event loop for 200 ms, once per check (test/hostile-requests.test.ts).
 */
const MAX_VARIABLE_ERRORS = 50;

/**
 * An operation's variables coerced to their types, or the errors that say why not (at most
 * MAX_VARIABLE_ERRORS, then one that says the rest were not looked at): every check before execution
 * (cost, the WebSocket path's request errors, the seat map's own response) reads them through this.
 */
export function coerceVariables(
  schema: GraphQLSchema,
  definitions: readonly VariableDefinitionNode[] | undefined,
  inputs: Record<string, unknown> | null | undefined,
): ReturnType<typeof getVariableValues> {
  return getVariableValues(schema, definitions ?? [], inputs ?? {}, { maxErrors: MAX_VARIABLE_ERRORS });
}
