import type { GraphQLFormattedError } from "graphql";
import { GraphQLError } from "graphql";
import { ArgumentValidationError } from "type-graphql";
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

// SQLSTATE 57P01–57P03: the server is shutting down, restarting after a crash, or not accepting
// connections yet (a restart, a failover); 25P03: it ended this instance's transaction after a silence
// (DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS); the connection dropped (also under a transaction, whose next
// statement node-postgres then refuses: "is not queryable"); or no pooled connection came free in
// time (pg-pool's "timeout exceeded when trying to connect", Prisma's P2028): retry in a moment.
const SERVER_UNAVAILABLE_STATES = /^(57P0[123]|25P03)$/;

// Prisma's driver adapter lets its own error through unwrapped when a connection drops as a transaction
// begins or ends (found by restarting Postgres under load: `DriverAdapterError: ConnectionClosed`). Its
// `cause` says what happened: these kinds are an outage; `postgres` carries the SQLSTATE.
const UNAVAILABLE_ADAPTER_KINDS = new Set([
  "ConnectionClosed",
  "DatabaseNotReachable",
  "SocketTimeout",
  "TooManyConnections",
]);

function isAdapterOutage(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== "DriverAdapterError") return false;
  const cause = error.cause as { kind?: unknown; code?: unknown } | undefined;
  if (typeof cause?.kind === "string" && UNAVAILABLE_ADAPTER_KINDS.has(cause.kind)) return true;
  return (
    cause?.kind === "postgres" && typeof cause.code === "string" && SERVER_UNAVAILABLE_STATES.test(cause.code)
  );
}

function isDatabaseUnavailable(error: unknown): boolean {
  if (isAdapterOutage(error)) return true;
  const text = error instanceof Error ? `${error.name} ${error.message}` : "";
  const sqlState = (error as { code?: unknown } | undefined)?.code;
  if (typeof sqlState === "string" && SERVER_UNAVAILABLE_STATES.test(sqlState)) return true;
  return /ECONNREFUSED|ETIMEDOUT|Can't reach database|connection terminated|timeout exceeded when trying to connect|DatabaseNotReachable|ECONNRESET|Server has closed the connection|is not queryable|Code: `57P0[123]`|Unable to start a transaction in the given time/i.test(
    text,
  );
}

// Prisma's codes for a database too busy to answer in time: a transaction that could not start or outlived
// its timeout (P2028), no pooled connection in time (P2024). Load, not a bug: the client should retry.
const DATABASE_BUSY_CODES = new Set(["P2028", "P2024"]);

function isDatabaseBusy(error: unknown): boolean {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === "string" && DATABASE_BUSY_CODES.has(code);
}

/** Seconds a client should wait before retrying a request the database could not serve. */
const DATABASE_RETRY_AFTER_SECONDS = 1;

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
    if (isDatabaseUnavailable(original) || isDatabaseBusy(original)) {
      return {
        message: "The service is temporarily unavailable, please retry shortly",
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
