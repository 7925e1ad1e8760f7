// Errors that mean "the database could not serve this now", whatever client threw them (node-postgres,
// Prisma, Prisma's driver adapter): the answer is SERVICE_UNAVAILABLE with a retry hint, on GraphQL
// (graphql/format-error.ts) and on the plain HTTP routes (server/http.ts) alike, not an internal error.

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
export const DATABASE_RETRY_AFTER_SECONDS = 1;
export const DATABASE_OUTAGE_MESSAGE = "The service is temporarily unavailable, please retry shortly";

/** The database is down, restarting, or too busy to answer in time: retry in a moment. */
export function isDatabaseOutage(error: unknown): boolean {
  return isDatabaseUnavailable(error) || isDatabaseBusy(error);
}
