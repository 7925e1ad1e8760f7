import {
  type DocumentNode,
  type ExecutionResult,
  type FormattedExecutionResult,
  GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  getOperationAST,
} from "graphql";
import { ErrorCode } from "../kernel/errors.js";
import { createErrorFormatter } from "./format-error.js";
import { coerceVariables } from "./variables.js";

// The WebSocket path answers with the codes and masking of the HTTP path (docs/api.md): graphql-ws on its
// own sends graphql-js's request errors without a code and resolver errors unformatted.

/**
 * The request errors Apollo Server answers before execution, for the WebSocket path: no operation of that
 * name (OPERATION_RESOLUTION_FAILURE), variables that do not fit their types (BAD_USER_INPUT).
 */
export function operationRequestErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): GraphQLError[] | undefined {
  const operation = getOperationAST(document, operationName);
  if (!operation) {
    const message = operationName
      ? `Unknown operation named "${operationName}".`
      : "Must provide operation name if query contains multiple operations.";
    return [new GraphQLError(message, { extensions: { code: "OPERATION_RESOLUTION_FAILURE" } })];
  }
  const { errors } = coerceVariables(schema, operation.variableDefinitions, variables);
  if (!errors?.length) return undefined;
  return errors.map(
    (error) =>
      new GraphQLError(error.message, {
        nodes: error.nodes,
        extensions: { ...error.extensions, code: ErrorCode.BAD_USER_INPUT },
      }),
  );
}

/** Formats results and errors on their way to a socket with the HTTP path's error formatter. */
export function createWebSocketFormatter(exposeStack: boolean) {
  const format = createErrorFormatter(exposeStack);
  const formatError = (error: GraphQLError): GraphQLFormattedError => format(error.toJSON(), error);
  return {
    errors: (errors: readonly GraphQLError[]): GraphQLFormattedError[] => errors.map(formatError),
    result: (result: ExecutionResult): FormattedExecutionResult =>
      result.errors
        ? { ...result, errors: result.errors.map(formatError) }
        : (result as FormattedExecutionResult),
  };
}
