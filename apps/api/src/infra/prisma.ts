import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.js";

export type Db = PrismaClient;
export type { Prisma } from "../generated/prisma/client.js";

export function createPrisma(databaseUrl: string, poolSize = 20): Db {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: poolSize,
    // Fail fast when Postgres is unreachable instead of queueing requests behind a dead pool.
    connectionTimeoutMillis: 3_000,
  });
  return new PrismaClient({ adapter });
}
