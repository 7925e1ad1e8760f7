import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createTestDatabase } from "./support/database.js";
import { createFans } from "./support/holds.js";
import { type ReceivedMail, startMaildev, type TestMaildev } from "./support/maildev.js";
import { checkout, eventPicker, holdSeats, must, ORDER_TEST_ENV } from "./support/orders.js";
import { startTestServer } from "./support/server.js";

// Where mail is sent (docs/notifications.md, "Off the sale's path"): API_ROLE=serve plans it and leaves
// the sending to API_ROLE=worker processes. A file of its own: mail.test.ts is near its time limit.

let maildev: TestMaildev;

const MAIL_ENV = { OUTBOX_RELAY_INTERVAL_MS: "100", JOBS_POLL_INTERVAL_MS: "100" };

before(async () => {
  maildev = await startMaildev();
});

after(async () => {
  await maildev.dispose();
});

const isConfirmation = (mail: ReceivedMail) => mail.headers["x-frontrow-template"] === "order.confirmed";

test("API_ROLE=serve leaves the confirmation to an API_ROLE=worker process, which sends it once", async () => {
  // A database of its own: no other server's workers may take the job.
  const database = await createTestDatabase({ seeded: true });
  const env = { ...ORDER_TEST_ENV, ...MAIL_ENV, SMTP_URL: maildev.smtpUrl };
  let serving: Awaited<ReturnType<typeof startTestServer>> | undefined;
  let worker: Awaited<ReturnType<typeof startTestServer>> | undefined;
  try {
    serving = await startTestServer(database.url, { ...env, API_ROLE: "serve" });
    assert.ok(serving.server.jobs.tasks().includes("outbox.mail"), "the serving instance plans mail");
    assert.ok(!serving.server.jobs.tasks().includes("mail.send"), "but sends none");
    const [fan] = await createFans(database.db, serving.url, 1, "mail-role");
    assert.ok(fan);
    const event = await eventPicker(database.db)();
    const hold = must(await holdSeats(serving.url, fan, event.id, event.seatIds.slice(0, 2))).holdSeats;
    const order = must(await checkout(serving.url, fan, hold.id, randomUUID())).checkout;
    const planned = async () =>
      database.db.mailMessage.findFirst({ where: { recipient: fan.email, template: "order.confirmed" } });
    for (let tries = 0; tries < 100 && !(await planned()); tries++) await sleep(100);
    await sleep(1_000);
    assert.equal((await planned())?.status, "PENDING", "planned, and left for a worker");
    assert.equal((await maildev.messages(fan.email)).filter(isConfirmation).length, 0);

    worker = await startTestServer(database.url, { ...env, API_ROLE: "worker" });
    assert.deepEqual(worker.server.jobs.tasks(), ["mail.send"]);
    const [mail] = await maildev.waitForMail(fan.email, isConfirmation, 1, 30_000);
    assert.match(mail?.text ?? "", new RegExp(order.id));
    await sleep(1_000);
    assert.equal((await maildev.messages(fan.email)).filter(isConfirmation).length, 1, "exactly once");
    assert.equal((await planned())?.status, "SENT");
  } finally {
    await worker?.close();
    await serving?.close();
    await database.dispose();
  }
});
