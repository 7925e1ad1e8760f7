import { randomBytes } from "node:crypto";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { migrateJobs } from "../../src/infra/jobs.js";
import { migrate } from "../../src/infra/migrate.js";
import { createPrisma, type Db } from "../../src/infra/prisma.js";
import { seed } from "../../src/seed/seed.js";

// Every test gets a database of its own, cloned from a template that test/run.ts migrates (and seeds)
// once per run: cloning takes a fraction of a second, migrating and seeding several.

export const ADMIN_URL =
  process.env.TEST_DATABASE_ADMIN_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
export const MIGRATIONS_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../../../../../prisma/migrations",
);

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createDatabase(name: string, template?: string): Promise<void> {
  await withAdmin(async (client) => {
    // Two clones of one template at the same instant can collide ("being accessed by other users").
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ""}`);
        return;
      } catch (error) {
        if (attempt >= 20 || !/being accessed by other users/.test(String(error))) throw error;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
      }
    }
  });
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

export interface TemplateNames {
  migrated: string;
  seeded: string;
}

/** Builds the two templates a run clones from; test/run.ts calls it once and drops them at the end. */
export async function createTemplates(runId: string): Promise<TemplateNames> {
  const names = { migrated: `frontrow_t_${runId}_migrated`, seeded: `frontrow_t_${runId}_seeded` };
  await createDatabase(names.migrated);
  await migrate(databaseUrl(names.migrated), MIGRATIONS_DIR);
  await migrateJobs(databaseUrl(names.migrated));
  await createDatabase(names.seeded, names.migrated);
  const db = createPrisma(databaseUrl(names.seeded), { poolSize: 4 });
  try {
    await seed(db, { log: () => undefined });
  } finally {
    await db.$disconnect();
  }
  return names;
}

function templatesFromEnvironment(): TemplateNames {
  const migrated = process.env.FRONTROW_TEST_TEMPLATE_MIGRATED;
  const seeded = process.env.FRONTROW_TEST_TEMPLATE_SEEDED;
  if (!migrated || !seeded) {
    throw new Error("Run the API tests through `pnpm test` (test/run.ts builds the template databases).");
  }
  return { migrated, seeded };
}

export interface TestDatabase {
  name: string;
  url: string;
  db: Db;
  dispose(): Promise<void>;
}

export async function createTestDatabase(options: { seeded?: boolean } = {}): Promise<TestDatabase> {
  const templates = templatesFromEnvironment();
  const name = `frontrow_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  await createDatabase(name, options.seeded ? templates.seeded : templates.migrated);
  const url = databaseUrl(name);
  const db = createPrisma(url, { poolSize: 10 });
  return {
    name,
    url,
    db,
    async dispose() {
      await db.$disconnect();
      await dropDatabase(name);
    },
  };
}
