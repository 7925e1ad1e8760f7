import assert from "node:assert/strict";
import { test } from "node:test";
import { GraphQLError } from "graphql";
import { createErrorFormatter } from "../src/graphql/format-error.js";

// Found by `pnpm drill` (postgres-restart): while Postgres restarts it refuses connections with SQLSTATE
// 57P03 ("the database system is not yet accepting connections" / "is starting up"); those answers went
// out as INTERNAL_SERVER_ERROR (218 in a short drill) instead of SERVICE_UNAVAILABLE, which says "retry".

/** An error as node-postgres throws it for a server-side refusal. */
function databaseError(message: string, code: string): Error {
  return Object.assign(new Error(message), { name: "DatabaseError", code });
}

const codeOf = (original: Error) => {
  const wrapped = new GraphQLError(original.message, { originalError: original, path: ["holdSeats"] });
  return createErrorFormatter(false)(wrapped.toJSON(), wrapped).extensions?.code;
};

test("a database that is restarting or shutting down is SERVICE_UNAVAILABLE, not INTERNAL_SERVER_ERROR", () => {
  const refusals: [string, string][] = [
    ["the database system is not yet accepting connections", "57P03"],
    ["the database system is starting up", "57P03"],
    ["the database system is shutting down", "57P03"],
    ["terminating connection due to administrator command", "57P01"],
    ["terminating connection due to crash of another server process", "57P02"],
    ["terminating connection due to idle-in-transaction timeout", "25P03"],
    ["read ECONNRESET", "ECONNRESET"],
  ];
  for (const [message, code] of refusals) {
    assert.equal(codeOf(databaseError(message, code)), "SERVICE_UNAVAILABLE", message);
  }
  // Prisma names the SQLSTATE in its message only.
  const prisma = Object.assign(
    new Error(
      "Raw query failed. Code: `57P03`. Message: `the database system is not yet accepting connections`",
    ),
    { name: "PrismaClientKnownRequestError", code: "P2010" },
  );
  assert.equal(codeOf(prisma), "SERVICE_UNAVAILABLE");
  // No pooled connection came free in time (found by the long drill, under load).
  const poolWait = Object.assign(
    new Error("Transaction API error: Unable to start a transaction in the given time."),
    { name: "PrismaClientKnownRequestError", code: "P2028" },
  );
  assert.equal(codeOf(poolWait), "SERVICE_UNAVAILABLE");
  const closed = Object.assign(new Error("Server has closed the connection."), {
    name: "PrismaClientKnownRequestError",
    code: "P1017",
  });
  assert.equal(codeOf(closed), "SERVICE_UNAVAILABLE");
  // A transaction's next statement after its connection was lost (found by the long drill: a cancelOrder
  // while Postgres restarted); node-postgres says so without a code.
  assert.equal(
    codeOf(new Error("Client has encountered a connection error and is not queryable")),
    "SERVICE_UNAVAILABLE",
  );
});

/** An error as Prisma's driver adapter (@prisma/driver-adapter-utils) makes it: the kind as message. */
function adapterError(cause: Record<string, string>): Error {
  return Object.assign(new Error(cause.message ?? cause.kind), { name: "DriverAdapterError", cause });
}

// Found by the short drill in CI (a cancelOrder as Postgres restarted) and then by restarting Postgres
// under Prisma transactions: the adapter's own error came through unwrapped, and went out as
// INTERNAL_SERVER_ERROR.
test("a connection that Prisma's driver adapter lost is SERVICE_UNAVAILABLE", () => {
  for (const kind of ["ConnectionClosed", "DatabaseNotReachable", "SocketTimeout", "TooManyConnections"]) {
    assert.equal(codeOf(adapterError({ kind })), "SERVICE_UNAVAILABLE", kind);
  }
  const shuttingDown = { kind: "postgres", code: "57P01", message: "terminating connection" };
  assert.equal(codeOf(adapterError(shuttingDown)), "SERVICE_UNAVAILABLE");
  const missingTable = { kind: "postgres", code: "42P01", message: 'relation "nope" does not exist' };
  assert.equal(codeOf(adapterError(missingTable)), "INTERNAL_SERVER_ERROR");
  assert.equal(codeOf(adapterError({ kind: "LengthMismatch" })), "INTERNAL_SERVER_ERROR");
});

test("other unexpected errors stay masked as INTERNAL_SERVER_ERROR", () => {
  assert.equal(codeOf(databaseError('relation "nope" does not exist', "42P01")), "INTERNAL_SERVER_ERROR");
  assert.equal(codeOf(new TypeError("x is undefined")), "INTERNAL_SERVER_ERROR");
});
