import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.js";

export type Db = PrismaClient;
export type { Prisma } from "../generated/prisma/client.js";

export interface PrismaOptions {
  poolSize?: number;
  /** Postgres' idle_in_transaction_session_timeout for these connections (0 or absent: the server's). */
  idleInTransactionTimeoutMs?: number;
  /** Called with every SQL statement the client sends (tests count them to catch N+1 queries). */
  onQuery?: (sql: string) => void;
}

export function createPrisma(databaseUrl: string, options: PrismaOptions = {}): Db {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: options.poolSize ?? 20,
    // Fail fast when Postgres is unreachable instead of queueing requests behind a dead pool.
    connectionTimeoutMillis: 3_000,
    ...(options.idleInTransactionTimeoutMs
      ? { idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs }
      : {}),
  });
  if (!options.onQuery) return new PrismaClient({ adapter });
  const onQuery = options.onQuery;
  const client = new PrismaClient({ adapter, log: [{ emit: "event", level: "query" }] });
  client.$on("query", (event) => onQuery(event.query));
  return client;
}
