import type { GraphQLFormattedError } from "graphql";
import { GraphQLError } from "graphql";
import { ArgumentValidationError } from "type-graphql";
import {
  DATABASE_OUTAGE_MESSAGE,
  DATABASE_RETRY_AFTER_SECONDS,
  isDatabaseOutage,
} from "../infra/database-outage.js";
import { AppError, ErrorCode } from "../kernel/errors.js";
import { DOCUMENT_LIMITS, isTokenLimit, TOKEN_LIMIT_MESSAGE } from "./limits.js";

// Codes produced by graphql-js, Apollo Server or our own checks that are safe to pass on as they are.
const PASS_THROUGH = new Set<string>([
  ...Object.values(ErrorCode),
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
  "BAD_REQUEST",
]);

function describeValidation(error: ArgumentValidationError): { message: string; fields: string[] } {
  const fields: string[] = [];
  const problems: string[] = [];
  const walk = (errors: ArgumentValidationError["extensions"]["validationErrors"], prefix: string) => {
    for (const item of errors) {
      const path = prefix ? `${prefix}.${item.property}` : item.property;
      for (const constraint of Object.values(item.constraints ?? {})) {
        fields.push(path);
        problems.push(constraint);
      }
      walk(item.children ?? [], path);
    }
  };
  walk(error.extensions.validationErrors, "");
  return { message: `Invalid input: ${problems.join("; ")}`, fields: [...new Set(fields)] };
}

/**
 * What graphql-js says after 50 bad variable values (a long list of bad ids, say): the 50 come as
 * BAD_USER_INPUT, and this last one, which names no variable, would otherwise be masked as internal.
 */
const VARIABLE_ERROR_LIMIT_MESSAGE =
  "Too many errors processing variables, error limit reached. Execution aborted.";

/** The error a resolver or rule threw, behind the GraphQLError that graphql-js wrapped it in. */
function originalOf(error: unknown): unknown {
  return error instanceof GraphQLError && error.originalError ? error.originalError : error;
}

/** True for errors that were not meant for clients: they are logged and masked. */
export function isUnexpected(error: unknown): boolean {
  const original = originalOf(error);
  if (original instanceof AppError || original instanceof ArgumentValidationError) return false;
  return !(original instanceof GraphQLError);
}

/**
 * Every error leaves with a stable `extensions.code` and a message meant for clients. Unexpected
 * errors (logged with the request id by the logging plugin) are masked: no stack traces or internals.
 */
export function createErrorFormatter(exposeStack: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = originalOf(error);
    const { stacktrace, ...extensions } = formatted.extensions ?? {};
    const debug = exposeStack && stacktrace ? { stacktrace } : {};
    if (original instanceof ArgumentValidationError) {
      const { message, fields } = describeValidation(original);
      return { ...formatted, message, extensions: { code: ErrorCode.BAD_USER_INPUT, fields, ...debug } };
    }
    if (original instanceof AppError) {
      return { ...formatted, extensions: { ...extensions, ...debug } };
    }
    const code = typeof extensions.code === "string" ? extensions.code : undefined;
    if (original instanceof GraphQLError && original.message === VARIABLE_ERROR_LIMIT_MESSAGE) {
      return { ...formatted, extensions: { ...extensions, code: ErrorCode.BAD_USER_INPUT, ...debug } };
    }
    if (code === ErrorCode.GRAPHQL_PARSE_FAILED && isTokenLimit(formatted.message)) {
      const { maxTokens } = DOCUMENT_LIMITS;
      return { message: TOKEN_LIMIT_MESSAGE, extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, maxTokens } };
    }
    if (code === "UNAUTHORIZED") {
      return { ...formatted, extensions: { ...extensions, code: ErrorCode.FORBIDDEN, ...debug } };
    }
    if (
      code &&
      PASS_THROUGH.has(code) &&
      (original instanceof GraphQLError || !(original instanceof Error))
    ) {
      return { ...formatted, extensions: { ...extensions, ...debug } };
    }
    if (isDatabaseOutage(original)) {
      return {
        message: DATABASE_OUTAGE_MESSAGE,
        path: formatted.path,
        locations: formatted.locations,
        extensions: {
          code: ErrorCode.SERVICE_UNAVAILABLE,
          retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
          ...debug,
        },
      };
    }
    return {
      message: "Internal server error",
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...debug },
    };
  };
}
