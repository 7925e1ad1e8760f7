import pg from "pg";

// A plain `pg` pool next to Prisma, for the hot path of holds (docs/holds.md): each of its statements is
// sent as a named prepared statement, so Postgres parses and plans it once per connection, and it goes
// through no query runtime on the way. Everything else uses Prisma.

export type SqlPool = pg.Pool;

export interface SqlPoolOptions {
  max: number;
  /** Postgres' idle_in_transaction_session_timeout for these connections (0 or absent: the server's). */
  idleInTransactionTimeoutMs?: number;
  /** An idle connection failed (e.g. Postgres restarted); the pool replaces it. */
  onIdleError: (error: Error) => void;
}

export function createSqlPool(databaseUrl: string, options: SqlPoolOptions): SqlPool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.max,
    // Fail fast when Postgres is unreachable instead of queueing requests behind a dead pool.
    connectionTimeoutMillis: 3_000,
    ...(options.idleInTransactionTimeoutMs
      ? { idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs }
      : {}),
  });
  // Without a listener, an idle client's connection dropping would crash the process.
  pool.on("error", options.onIdleError);
  return pool;
}

/** A statement prepared once per connection, run by name from then on. */
export interface PreparedStatement {
  name: string;
  text: string;
}

export async function queryPrepared<Row extends pg.QueryResultRow>(
  pool: SqlPool,
  statement: PreparedStatement,
  values: unknown[],
): Promise<Row[]> {
  const result = await pool.query<Row>({ name: statement.name, text: statement.text, values });
  return result.rows;
}
