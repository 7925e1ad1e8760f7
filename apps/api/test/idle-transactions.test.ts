import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { NOTABLE_EVENT_SLUGS } from "../src/seed/seed.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { eventIdOf } from "./support/holds.js";
import { startTestServer, type TestServer } from "./support/server.js";

// Found by `pnpm drill` (api-freeze, long mode): an instance frozen (SIGSTOP, a long GC pause, a stalled
// VM) inside a transaction keeps its row locks for as long as it is frozen. It held the event row (the
// seat map's version), so the other instance's transactions queued behind it, its pool ran dry and its
// hold sweeper could not start: holds outlived their expiry by the whole freeze (14.6 s). Postgres now
// ends a transaction whose client stays silent longer than DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS.

let database: TestDatabase;
let api: TestServer;

before(async () => {
  database = await createTestDatabase({ seeded: true });
  api = await startTestServer(database.url, { DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: "500" });
});

after(async () => {
  await api?.close();
  await database?.dispose();
});

test("a transaction whose instance goes silent loses its locks: other writers are not held up", async () => {
  const eventId = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.theatreOnSale);
  let frozen!: () => void;
  const thaw = new Promise<void>((resolve) => {
    frozen = resolve;
  });
  // The instance locks the event row, then stops talking to Postgres (as if frozen) for 4 s.
  const stalled = api.server.db
    .$transaction(
      async (tx) => {
        await tx.$executeRaw`UPDATE event SET seat_map_version = seat_map_version WHERE id = ${eventId}`;
        frozen();
        await sleep(4_000);
      },
      { timeout: 10_000 },
    )
    .then(
      () => "committed",
      () => "ended by Postgres",
    );
  await thaw;

  const other = new pg.Client({ connectionString: database.url });
  await other.connect();
  try {
    await other.query("SET statement_timeout = 2500");
    const started = Date.now();
    await other.query("UPDATE event SET seat_map_version = seat_map_version WHERE id = $1", [eventId]);
    assert.ok(Date.now() - started < 2_500, "the other writer got the row");
  } finally {
    await other.end();
  }
  assert.equal(await stalled, "ended by Postgres");
});
