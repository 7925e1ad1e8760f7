import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { Jobs } from "../src/infra/jobs.js";
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

test("order.confirmed events written with the order become a job that publishes them on Redis", async () => {
  const received: OutboxMessage[] = [];
  await subscriber.subscribe(`${prefix}outbox:order.confirmed`);
  subscriber.on("message", (_channel, message) => received.push(JSON.parse(message) as OutboxMessage));
  const [fan] = (await createFans(database.db, api.url, 1, "outbox")) as [Fan];
  const event = await eventPicker(database.db)();
  const hold = must(await holdSeats(api.url, fan, event.id, event.seatIds.slice(0, 2))).holdSeats;
  const order = must(await checkout(api.url, fan, hold.id, randomUUID())).checkout;
  const pending = await database.db.outboxEvent.findMany({ where: { deliveredAt: null } });
  assert.equal(pending.length, 1, "written in the confirming transaction, not yet dispatched");

  assert.deepEqual(await api.server.outboxRelay.runNow(), { dispatched: 1 });
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
  assert.deepEqual(await api.server.outboxRelay.runNow(), { dispatched: 0 }, "dispatched once");
  await sleep(300);
  assert.equal(received.length, 1, "published once");
});

test("a failing consumer's jobs are retried until they succeed; each event is dispatched once", async () => {
  const topic = `test.${randomUUID()}`;
  await database.db.outboxEvent.createMany({
    data: [1, 2, 3].map((n) => ({ topic, payload: { n } })),
  });
  const failedOnce = new Set<string>();
  const handled: OutboxMessage[] = [];
  const log = createLogger("silent");
  const jobs = new Jobs(database.db, log, {
    databaseUrl: database.url,
    concurrency: 2,
    pollIntervalMs: 100,
    staleWorkerMs: 30_000,
  });
  const consumer = {
    name: `test-${randomUUID()}`,
    async handle(message: OutboxMessage) {
      if (message.topic !== topic) return;
      if (!failedOnce.has(message.id)) {
        failedOnce.add(message.id);
        throw new Error("webhook endpoint down");
      }
      handled.push(message);
    },
  };
  const relay = new OutboxRelay(database.db, jobs, [consumer], log, { intervalMs: 3_600_000 });
  await jobs.start();
  try {
    assert.equal((await relay.runNow()).dispatched, 3);
    const dispatched = await database.db.outboxEvent.findMany({ where: { topic } });
    assert.ok(dispatched.every((row) => row.deliveredAt !== null && row.attempts === 1));
    assert.equal((await relay.runNow()).dispatched, 0, "dispatched once");
    // graphile-worker retries a failed job after exp(1) ≈ 2.7 s.
    const deadline = Date.now() + 20_000;
    while (handled.length < 3 && Date.now() < deadline) await sleep(100);
    assert.deepEqual(
      handled.map((message) => (message.payload as { n: number }).n).sort(),
      [1, 2, 3],
      "each retried until handled",
    );
    await sleep(300);
    assert.equal(handled.length, 3, "handled once each");
  } finally {
    await jobs.stop();
  }
});
