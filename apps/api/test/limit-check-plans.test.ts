import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import { NOTABLE_EVENT_SLUGS } from "../src/seed/seed.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { createFanAccounts, eventIdOf, eventSeats } from "./support/holds.js";

// The per-account limit check (tickets_used_by, inside every batch of holds) must cost a fan's own
// orders, whatever the statistics say (migration 20261217000000_limit_check_from_orders). Its plans are
// chosen from the statistics of the moment: when one account holds most orders, they say that every fan
// has that many, and the check walked every sold seat of every event, or every order of the event.

/** Orders one account made: failed, seatless in the end, as a box office's or an import's history. */
const ORDERS_OF_ONE_ACCOUNT = 3_000;

let database: TestDatabase;
let heavy: string;
let fan: string;
let eventId: number;

before(async () => {
  database = await createTestDatabase({ seeded: true });
  [heavy, fan] = (await createFanAccounts(database.db, 2, "plans")).map((account) => account.id) as [
    string,
    string,
  ];
  eventId = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.theatreOnSale);
  const [seat] = await eventSeats(database.db, eventId);
  await database.db.$executeRaw`
    WITH holds AS (
      INSERT INTO hold (id, user_id, event_id, state, seat_ids, seat_prices, total_minor, currency, expires_at, ended_at)
      SELECT gen_random_uuid(), ${heavy}::uuid, ${eventId}, 'RELEASED', ARRAY[${seat?.seatId}::int], ARRAY[0], 0, 'EUR',
             now(), now()
      FROM generate_series(1, ${ORDERS_OF_ONE_ACCOUNT}) RETURNING id)
    INSERT INTO "order" (id, user_id, event_id, hold_id, status, payment_state, subtotal_minor, fees_minor,
                         total_minor, currency, idempotency_key, request_hash, updated_at)
    SELECT gen_random_uuid(), ${heavy}::uuid, ${eventId}, id, 'FAILED', 'DECLINED', 0, 0, 0, 'EUR',
           gen_random_uuid()::text, 'plans', now()
    FROM holds`;
  // What autovacuum's analyze would see now: nearly every order is one account's, no seat is sold.
  await database.db.$executeRawUnsafe(`ANALYZE "order", hold, event_seat, ticket`);
});

after(async () => {
  await database.dispose();
});

/** The plans of the statements tickets_used_by ran (auto_explain, sent to this client as notices). */
async function limitCheckPlans(userId: string): Promise<{ used: number; plans: string }> {
  const client = new pg.Client({ connectionString: database.url });
  const notices: string[] = [];
  client.on("notice", (notice) => notices.push(notice.message ?? ""));
  await client.connect();
  try {
    await client.query(`LOAD 'auto_explain'`);
    await client.query(`SET auto_explain.log_min_duration = 0`);
    await client.query(`SET auto_explain.log_nested_statements = on`);
    await client.query(`SET auto_explain.log_level = notice`);
    const { rows } = await client.query<{ used: number }>(
      "SELECT used FROM tickets_used_by(ARRAY[$1]::uuid[], ARRAY[$2]::int[])",
      [userId, eventId],
    );
    return { used: rows[0]?.used ?? -1, plans: notices.join("\n") };
  } finally {
    await client.end();
  }
}

test("the limit check starts from the fan's orders when one account holds nearly all of them", async () => {
  for (const userId of [fan, heavy]) {
    const { used, plans } = await limitCheckPlans(userId);
    assert.equal(used, 0);
    // The fan's orders, found by an index that starts from the fan (or from the event and the fan)…
    assert.match(plans, /Index Scan (using|on) order_(user_id_\w+|event_id_user_id_idx)/, plans);
    // …not every order of the table or of the event, not every sold seat of every event.
    assert.doesNotMatch(plans, /Seq Scan on "order"|order_event_id_idx\b/, plans);
    assert.doesNotMatch(plans, /event_seat_event_id_status_held_until_idx/, plans);
  }
});
