import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import internals from "@prisma/internals";
import pg from "pg";
import { migrate, readMigrations } from "../src/infra/migrate.js";
import { createTestDatabase, MIGRATIONS_DIR, type TestDatabase } from "./support/database.js";

// The migrations are written by hand (no schema engine here), so this proves they build exactly the
// database schema.prisma describes: tables, columns, types, nullability, enums, keys, indexes, relations.

const schemaPath = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../prisma/schema.prisma");
type Dmmf = Awaited<ReturnType<typeof internals.getDMMF>>;

let database: TestDatabase;
let client: pg.Client;
let dmmf: Dmmf;

before(async () => {
  database = await createTestDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
  dmmf = await internals.getDMMF({ datamodel: await readFile(schemaPath, "utf8") });
});

after(async () => {
  await client.end();
  await database.dispose();
});

const POSTGRES_TYPES: Record<string, string[]> = {
  String: ["text", "uuid", "character"],
  Int: ["integer"],
  BigInt: ["bigint"],
  Float: ["real", "double precision"],
  Boolean: ["boolean"],
  DateTime: ["timestamp with time zone"],
  Json: ["jsonb"],
  Bytes: ["bytea"],
};

test("every model's table has exactly the model's columns, with matching types and nullability", async () => {
  for (const model of dmmf.datamodel.models) {
    const table = model.dbName ?? model.name;
    const { rows } = await client.query<{
      column_name: string;
      data_type: string;
      udt_name: string;
      is_nullable: string;
    }>(
      `SELECT column_name, data_type, udt_name, is_nullable FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name = $1`,
      [table],
    );
    assert.ok(rows.length > 0, `table ${table} for model ${model.name} exists`);
    const columns = new Map(rows.map((row) => [row.column_name, row]));
    const scalarFields = model.fields.filter((field) => field.kind !== "object");
    assert.deepEqual(
      [...columns.keys()].sort(),
      scalarFields.map((field) => field.dbName ?? field.name).sort(),
      `columns of ${table}`,
    );
    for (const field of scalarFields) {
      const column = columns.get(field.dbName ?? field.name);
      assert.ok(column, `${table}.${field.name}`);
      const where = `${table}.${column.column_name}`;
      if (field.isList) {
        assert.equal(column.data_type, "ARRAY", `${where} is an array`);
      } else if (field.kind === "enum") {
        assert.equal(column.udt_name, field.type, `${where} uses enum ${field.type}`);
      } else {
        assert.ok(
          POSTGRES_TYPES[field.type]?.includes(column.data_type),
          `${where}: ${column.data_type} for ${field.type}`,
        );
      }
      if (!field.isList) {
        assert.equal(column.is_nullable === "NO", field.isRequired, `${where} nullability`);
      }
    }
  }
});

test("database enums have exactly the schema's values", async () => {
  for (const enumType of dmmf.datamodel.enums) {
    const { rows } = await client.query<{ value: string }>(
      `SELECT e.enumlabel AS value FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
       WHERE t.typname = $1 ORDER BY e.enumsortorder`,
      [enumType.name],
    );
    assert.deepEqual(
      rows.map((row) => row.value),
      enumType.values.map((value) => value.name),
      `enum ${enumType.name}`,
    );
  }
});

test("every index, unique constraint and primary key of the schema exists with its columns", async () => {
  const { rows } = await client.query<{ name: string; table: string; columns: string[]; unique: boolean }>(
    `SELECT i.relname::text AS name, t.relname::text AS table, ix.indisunique AS unique,
            array_agg(a.attname::text ORDER BY k.ordinality) AS columns
     FROM pg_index ix
     JOIN pg_class i ON i.oid = ix.indexrelid
     JOIN pg_class t ON t.oid = ix.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
     CROSS JOIN LATERAL unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ordinality)
     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
     GROUP BY i.relname, t.relname, ix.indisunique`,
  );
  const byName = new Map(rows.map((row) => [row.name, row]));
  const models = new Map(dmmf.datamodel.models.map((model) => [model.name, model]));
  for (const index of dmmf.datamodel.indexes) {
    const model = models.get(index.model);
    assert.ok(model, `model ${index.model}`);
    const table = model.dbName ?? model.name;
    const columnOf = (name: string) => model.fields.find((field) => field.name === name)?.dbName ?? name;
    const columns = index.fields.map((field) => columnOf(field.name));
    const name =
      index.dbName ??
      `${table}_${index.type === "id" ? "pkey" : `${columns.join("_")}_${index.type === "normal" ? "idx" : "key"}`}`;
    const found = byName.get(name);
    assert.ok(found, `index ${name} (${index.type} on ${table}(${columns.join(", ")}))`);
    assert.equal(found.table, table, `${name} is on ${table}`);
    assert.deepEqual(found.columns, columns, `${name} columns`);
    assert.equal(found.unique, index.type !== "normal", `${name} uniqueness`);
  }
});

test("every relation is a foreign key on the right columns", async () => {
  const { rows } = await client.query<{ name: string; table: string; columns: string[]; target: string }>(
    `SELECT c.conname::text AS name, t.relname::text AS table, r.relname::text AS target,
            array_agg(a.attname::text ORDER BY k.ordinality) AS columns
     FROM pg_constraint c
     JOIN pg_class t ON t.oid = c.conrelid
     JOIN pg_class r ON r.oid = c.confrelid
     CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ordinality)
     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
     WHERE c.contype = 'f'
     GROUP BY c.conname, t.relname, r.relname`,
  );
  const models = new Map(dmmf.datamodel.models.map((model) => [model.name, model]));
  let relations = 0;
  for (const model of dmmf.datamodel.models) {
    for (const field of model.fields) {
      if (field.kind !== "object" || !field.relationFromFields?.length) continue;
      relations++;
      const table = model.dbName ?? model.name;
      const target = models.get(field.type);
      const columns = field.relationFromFields.map(
        (name) => model.fields.find((candidate) => candidate.name === name)?.dbName ?? name,
      );
      const found = rows.find((row) => row.table === table && row.columns.join() === columns.join());
      assert.ok(found, `foreign key ${table}(${columns.join(", ")}) for ${model.name}.${field.name}`);
      assert.equal(found.target, target?.dbName ?? target?.name, `${found.name} references ${field.type}`);
    }
  }
  assert.equal(rows.length, relations, "no foreign keys beyond the schema's relations");
});

test("every model is usable through the Prisma client", async () => {
  const delegates = database.db as unknown as Record<
    string,
    { findFirst(): Promise<unknown>; count(): Promise<number> }
  >;
  for (const model of dmmf.datamodel.models) {
    const delegate = delegates[model.name.charAt(0).toLowerCase() + model.name.slice(1)];
    assert.ok(delegate, `client delegate for ${model.name}`);
    await delegate.findFirst();
    assert.equal(typeof (await delegate.count()), "number");
  }
});

test("migrations are recorded as Prisma records them, and re-running applies nothing", async () => {
  const migrations = await readMigrations(MIGRATIONS_DIR);
  const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
    `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name`,
  );
  assert.deepEqual(
    rows.map((row) => [row.migration_name, row.checksum, row.finished_at !== null]),
    migrations.map((migration) => [migration.name, migration.checksum, true]),
  );
  const again = await migrate(database.url, MIGRATIONS_DIR);
  assert.deepEqual(again, { applied: [], alreadyApplied: migrations.length });
});

test("a migration edited after it was applied is refused", async () => {
  const first = (await readMigrations(MIGRATIONS_DIR))[0];
  assert.ok(first);
  await client.query(`UPDATE "_prisma_migrations" SET checksum = 'tampered' WHERE migration_name = $1`, [
    first.name,
  ]);
  await assert.rejects(migrate(database.url, MIGRATIONS_DIR), /was changed after it was applied/);
});

test("the database refuses states that must never exist", async () => {
  const one = async (sql: string) => (await client.query<{ id: number }>(sql)).rows[0]?.id;
  const venueId = await one(
    `INSERT INTO venue (slug, name, city, address, timezone) VALUES ('v', 'V', 'C', 'A', 'UTC') RETURNING id`,
  );
  const chartId = await one(`INSERT INTO seating_chart (venue_id) VALUES (${venueId}) RETURNING id`);
  const sectionId = await one(
    `INSERT INTO section (chart_id, name, sort_order) VALUES (${chartId}, 'S', 0) RETURNING id`,
  );
  const seatId = await one(
    `INSERT INTO seat (section_id, row_label, row_rank, number, x, y) VALUES (${sectionId}, 'A', 0, 1, 0, 0) RETURNING id`,
  );
  const performerId = await one(`INSERT INTO performer (slug, name) VALUES ('p', 'P') RETURNING id`);
  const eventValues = `'E', 'Concert', ${performerId}, ${venueId}, ${chartId}`;
  await assert.rejects(
    client.query(
      `INSERT INTO event (slug, name, category, performer_id, venue_id, chart_id, starts_at, sale_starts_at)
       VALUES ('late-sale', ${eventValues}, now(), now() + interval '1 day')`,
    ),
    /event_sale_before_start/,
  );
  const eventId = await one(
    `INSERT INTO event (slug, name, category, performer_id, venue_id, chart_id, starts_at, sale_starts_at)
     VALUES ('e', ${eventValues}, now() + interval '2 days', now()) RETURNING id`,
  );
  const tierId = await one(
    `INSERT INTO price_tier (event_id, name, price_minor, currency) VALUES (${eventId}, 'T', 1000, 'EUR') RETURNING id`,
  );
  await assert.rejects(
    client.query(
      `INSERT INTO price_tier (event_id, name, price_minor, currency) VALUES (${eventId}, 'N', -1, 'EUR')`,
    ),
    /price_tier_price_non_negative/,
  );
  await assert.rejects(
    client.query(
      `INSERT INTO event_seat (event_id, seat_id, price_tier_id, status, held_until)
       VALUES (${eventId}, ${seatId}, ${tierId}, 'HELD', now())`,
    ),
    /event_seat_status_consistent/,
  );
  await client.query(
    `INSERT INTO event_seat (event_id, seat_id, price_tier_id) VALUES (${eventId}, ${seatId}, ${tierId})`,
  );
  await assert.rejects(
    client.query(
      `INSERT INTO event_seat (event_id, seat_id, price_tier_id) VALUES (${eventId}, ${seatId}, ${tierId})`,
    ),
    /event_seat_pkey/,
  );
  await assert.rejects(
    client.query(
      `INSERT INTO user_account (id, email, password_hash) VALUES (gen_random_uuid(), 'Upper@Example.com', 'x')`,
    ),
    /user_account_email_lowercase/,
  );
  const otherVenueId = await one(
    `INSERT INTO venue (slug, name, city, address, timezone) VALUES ('w', 'W', 'C', 'A', 'UTC') RETURNING id`,
  );
  await assert.rejects(
    client.query(
      `INSERT INTO event (slug, name, category, performer_id, venue_id, chart_id, starts_at, sale_starts_at)
       VALUES ('other-venue', 'E', 'Concert', ${performerId}, ${otherVenueId}, ${chartId}, now() + interval '2 days', now())`,
    ),
    /event_chart_id_venue_id_fkey/,
  );
  await assert.rejects(
    client.query(
      `INSERT INTO section (chart_id, name, sort_order, kind) VALUES (${chartId}, 'Pit', 1, 'STANDING')`,
    ),
    /section_standing_has_capacity/,
  );
  await assert.rejects(
    client.query(
      `INSERT INTO section (chart_id, name, sort_order, capacity) VALUES (${chartId}, 'Pit', 1, 100)`,
    ),
    /section_standing_has_capacity/,
  );
});
