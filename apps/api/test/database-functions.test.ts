import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { createTestDatabase, MIGRATIONS_DIR, type TestDatabase } from "./support/database.js";

// docs/database.md lists every function in the database with the migration that holds its current body.
// This keeps that list true: the same functions as pg_proc, each at the latest migration defining it.

const DOC = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../docs/database.md");

let database: TestDatabase;
let client: pg.Client;

before(async () => {
  database = await createTestDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});

after(async () => {
  await client.end();
  await database.dispose();
});

/** The table of docs/database.md: function name → the migration it names. */
async function documented(): Promise<Map<string, string>> {
  const text = await readFile(DOC, "utf8");
  const rows = [...text.matchAll(/^\|\s*`([a-z_]+)`\s*\|\s*`(\d{14}_[a-z0-9_]+)`\s*\|/gm)];
  return new Map(rows.map((row) => [row[1] as string, row[2] as string]));
}

/** For each function some migration creates, the last migration (in applying order) that does. */
async function latestDefinitions(): Promise<Map<string, string>> {
  const latest = new Map<string, string>();
  const folders = (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  for (const folder of folders) {
    const sql = await readFile(join(MIGRATIONS_DIR, folder, "migration.sql"), "utf8");
    for (const match of sql.matchAll(/CREATE\s+(?:OR\s+REPLACE\s+)?FUNCTION\s+([a-z_]+)\s*\(/gi)) {
      latest.set((match[1] as string).toLowerCase(), folder);
    }
  }
  return latest;
}

test("docs/database.md lists every function of the migrated database with the migration of its current body", async () => {
  const { rows } = await client.query<{ name: string }>(
    `SELECT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'public'
       -- Functions that belong to an extension (pg_trgm's) are not ours to list.
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')`,
  );
  const inDatabase = rows.map((row) => row.name).sort();
  const listed = await documented();
  assert.deepEqual([...listed.keys()].sort(), inDatabase, "the functions of docs/database.md and pg_proc");
  const latest = await latestDefinitions();
  for (const [name, migration] of listed) {
    assert.equal(migration, latest.get(name), `${name}: its current body is in ${latest.get(name)}`);
  }
});
