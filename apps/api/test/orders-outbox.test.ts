import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { createLogger } from "../src/infra/logger.js";
import { type OutboxMessage, OutboxRelay } from "../src/modules/orders/outbox.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { createFans, type Fan, MANY_CHECKOUTS, MANY_LOGINS } from "./support/holds.js";
import { checkout, eventPicker, holdSeats, must } from "./support/orders.js";
import { testRedisPrefix } from "./support/redis-prefix.js";
import { startTestServer, type TestServer } from "./support/server.js";

const prefix = testRedisPrefix("outbox");
let database: TestDatabase;
let api: TestServer;
let subscriber: Redis;

before(async () => {
  database = await createTestDatabase({ seeded: true });
  api = await startTestServer(database.url, {
    ...MANY_LOGINS,
    ...MANY_CHECKOUTS,
    REDIS_KEY_PREFIX: prefix,
    OUTBOX_RELAY_INTERVAL_MS: "3600000",
    PAYMENT_RECOVERY_INTERVAL_MS: "3600000",
  });
  subscriber = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
});

after(async () => {
  subscriber.disconnect();
  await api.close();
  await database.dispose();
});

test("order.confirmed events written with the order are relayed to Redis once delivered", async () => {
  const received: OutboxMessage[] = [];
  await subscriber.subscribe(`${prefix}outbox:order.confirmed`);
  subscriber.on("message", (_channel, message) => received.push(JSON.parse(message) as OutboxMessage));
  const [fan] = (await createFans(database.db, api.url, 1, "outbox")) as [Fan];
  const event = await eventPicker(database.db)();
  const hold = must(await holdSeats(api.url, fan, event.id, event.seatIds.slice(0, 2))).holdSeats;
  const order = must(await checkout(api.url, fan, hold.id, randomUUID())).checkout;
  const pending = await database.db.outboxEvent.findMany({ where: { deliveredAt: null } });
  assert.equal(pending.length, 1, "written in the confirming transaction, not yet delivered");

  assert.deepEqual(await api.server.outboxRelay.runNow(), { delivered: 1, failed: 0 });
  const deadline = Date.now() + 5_000;
  while (received.length === 0 && Date.now() < deadline) await sleep(20);
  assert.equal(received.length, 1);
  const [message] = received as [OutboxMessage];
  assert.equal(message.topic, "order.confirmed");
  assert.equal((message.payload as { orderId: string }).orderId, order.id);
  assert.equal(message.id, pending[0]?.id.toString());
  const delivered = await database.db.outboxEvent.findUniqueOrThrow({ where: { id: pending[0]?.id } });
  assert.ok(delivered.deliveredAt);
  assert.equal(delivered.attempts, 1);
  assert.deepEqual(await api.server.outboxRelay.runNow(), { delivered: 0, failed: 0 }, "delivered once");
});

test("a failing sink keeps the events and they are retried until delivered", async () => {
  const topic = `test.${randomUUID()}`;
  await database.db.outboxEvent.createMany({
    data: [1, 2, 3].map((n) => ({ topic, payload: { n } })),
  });
  let sinkUp = false;
  const delivered: OutboxMessage[] = [];
  const relay = new OutboxRelay(
    database.db,
    {
      async deliver(message) {
        if (!sinkUp) throw new Error("webhook endpoint down");
        if (message.topic === topic) delivered.push(message);
      },
    },
    createLogger("silent"),
    { intervalMs: 3_600_000 },
  );
  const failed = await relay.runNow();
  assert.equal(failed.delivered, 0);
  assert.ok(failed.failed >= 3);
  const kept = await database.db.outboxEvent.findMany({ where: { topic } });
  assert.ok(kept.every((row) => row.deliveredAt === null && row.attempts === 1));

  sinkUp = true;
  const retried = await relay.runNow();
  assert.equal(retried.failed, 0);
  assert.deepEqual(
    delivered.map((message) => (message.payload as { n: number }).n),
    [1, 2, 3],
    "in order",
  );
  const done = await database.db.outboxEvent.findMany({ where: { topic } });
  assert.ok(done.every((row) => row.deliveredAt !== null && row.attempts === 2));
});
