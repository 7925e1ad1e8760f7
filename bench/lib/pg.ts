import { createRequire } from "node:module";
import { resolve } from "node:path";
import { repoRoot } from "./api-build.js";

// Postgres through the `pg` driver the API itself uses (resolved from apps/api), typed to what the
// benchmarks use of it.

export interface PgResult<Row> {
  rows: Row[];
  rowCount: number | null;
}

export interface PgClient {
  query<Row = Record<string, unknown>>(
    query: string | { name?: string; text: string; values?: unknown[] },
    values?: unknown[],
  ): Promise<PgResult<Row>>;
  end(): Promise<void>;
}

interface PgConnection extends PgClient {
  connect(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
}

interface PgModule {
  Client: new (config: { connectionString: string; application_name: string }) => PgConnection;
}

let pg: PgModule | undefined;

/** A connection named `name` (pg_stat_activity's application_name). */
export async function connectPg(databaseUrl: string, name: string): Promise<PgClient> {
  pg ??= createRequire(resolve(repoRoot, "apps/api/package.json"))("pg") as PgModule;
  const client = new pg.Client({ connectionString: databaseUrl, application_name: name });
  // An idle client's connection error (e.g. Postgres restarted) must not crash the run.
  client.on("error", (error) => console.error(`  pg (${name}): ${error.message}`));
  await client.connect();
  return client;
}

/** Runs `work` in one transaction on `db`. */
export async function transaction(db: PgClient, work: () => Promise<void>): Promise<void> {
  await db.query("BEGIN");
  try {
    await work();
    await db.query("COMMIT");
  } catch (error) {
    await db.query("ROLLBACK");
    throw error;
  }
}

/**
 * Vacuums and analyzes `tables` (SQL, comma separated) after a run or step churned them, as autovacuum
 * would in a running database (it may be off on a bench machine); a failure is reported, not thrown.
 */
export async function vacuumAnalyze(db: PgClient, tables: string): Promise<void> {
  await db
    .query(`VACUUM (ANALYZE) ${tables}`)
    .catch((error: Error) => console.error(`  (vacuum skipped: ${error.message})`));
}

/** The integer `n` a counting query selects. */
export async function count(db: PgClient, sql: string, values: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: number }>(sql, values);
  const n = rows[0]?.n;
  if (typeof n !== "number") throw new Error(`Not a count: ${sql}`);
  return n;
}

/**
 * Takes this database's advisory lock for `scenario` on `db`'s connection, so that two runs of one
 * scenario never undo each other's set-up; the lock goes with the connection, also when the process dies.
 */
export async function lockScenario(db: PgClient, scenario: string): Promise<boolean> {
  const { rows } = await db.query<{ locked: boolean }>(
    "SELECT pg_try_advisory_lock(hashtext($1)) AS locked",
    [`frontrow:bench:${scenario}`],
  );
  return rows[0]?.locked === true;
}
