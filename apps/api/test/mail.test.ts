import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer, type Server, Socket } from "node:net";
import { after, before, test } from "node:test";
import { createSqlPool } from "../src/infra/sql.js";
import { MailPlanner } from "../src/modules/notifications/mail-planner.js";
import { createTestDatabase } from "./support/database.js";
import { createFans, freePort, standingArea } from "./support/holds.js";
import { type ReceivedMail, startMaildev, type TestMaildev } from "./support/maildev.js";
import {
  checkout,
  eventPicker,
  holdPlaces,
  holdSeats,
  must,
  ORDER_TEST_ENV,
  type OrdersScenario,
  ordersScenario,
} from "./support/orders.js";
import { type ApiProcess, spawnApi, startTestServer } from "./support/server.js";
import { waitFor } from "./support/wait.js";

// The mail pipeline against a real SMTP server (maildev): outbox event → planned mail → sent once.

let maildev: TestMaildev;
let scenario: OrdersScenario;

const MAIL_ENV = {
  OUTBOX_RELAY_INTERVAL_MS: "100",
  JOBS_POLL_INTERVAL_MS: "100",
  JOBS_STALE_WORKER_MS: "900",
  MAIL_CLAIM_MS: "1500",
};

before(async () => {
  maildev = await startMaildev();
  scenario = await ordersScenario("mail", 2, { ...MAIL_ENV, SMTP_URL: maildev.smtpUrl });
});

after(async () => {
  await scenario.close();
  await maildev.dispose();
});

const isConfirmation = (mail: ReceivedMail) => mail.headers["x-frontrow-template"] === "order.confirmed";

/** A mail planner of this test's own, on a pool of its own (as the API's outbox jobs run it). */
async function withPlanner(use: (planner: MailPlanner) => Promise<void>): Promise<void> {
  const pool = createSqlPool(scenario.database.url, { max: 1, onIdleError: () => undefined });
  try {
    await use(new MailPlanner(pool, { resetTtlMinutes: 30 }));
  } finally {
    await pool.end();
  }
}

async function buy(api: { url: string }, fanIndex: number, seats = 2) {
  const fan = scenario.fans[fanIndex];
  assert.ok(fan);
  const event = await scenario.freshEvent();
  const hold = must(await holdSeats(api.url, fan, event.id, event.seatIds.slice(0, seats))).holdSeats;
  const order = must(await checkout(api.url, fan, hold.id, randomUUID())).checkout;
  return { fan, event, order };
}

test("an order's confirmation arrives once, with its tickets, as HTML and text, even if its event is handled again", async () => {
  const { fan, order } = await buy(scenario.api, 0);
  const [mail] = await maildev.waitForMail(fan.email, isConfirmation);
  assert.ok(mail);
  assert.match(mail.subject, /^Your tickets for /);
  assert.match(mail.text, new RegExp(`Order ${order.id}`));
  assert.equal((mail.text.match(/, row .+, seat \d+/g) ?? []).length, 2, "both tickets listed");
  assert.match(mail.html, /<a href="http:\/\/localhost:3000\/orders\//);
  const [pdf] = mail.attachments ?? [];
  assert.equal(pdf?.contentType, "application/pdf", "the order's PDF is attached");
  assert.equal(pdf?.fileName, `frontrow-tickets-${order.id}.pdf`);
  assert.ok((pdf?.length ?? 0) > 1_000);
  assert.match(mail.messageId, /^<?outbox-\d+\.[0-9a-f]{20}@frontrow\.test>?$/);

  // The outbox job runs again (at-least-once delivery of jobs): no second row, no second mail.
  const { db } = scenario.database;
  const event = await db.outboxEvent.findFirstOrThrow({
    where: { topic: "order.confirmed", payload: { path: ["orderId"], equals: order.id } },
  });
  await withPlanner((planner) => planner.handle({ ...event, id: event.id.toString() }));
  const [row] = await db.mailMessage.findMany({ where: { outboxEventId: event.id } });
  assert.ok(row);
  assert.equal(row.status, "SENT");
  await scenario.api.server.mailSender?.send(row.id.toString());
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal((await maildev.messages(fan.email)).filter(isConfirmation).length, 1);
});

test("a standing order's confirmation lists its places as standing, beside no row or seat", async () => {
  const fan = scenario.fans[0];
  assert.ok(fan);
  const event = await scenario.freshEvent();
  const areaId = await standingArea(scenario.database.db, event.id, "Pit", 50);
  const hold = must(await holdPlaces(scenario.api.url, fan, event.id, areaId, 3)).holdGeneralAdmission;
  const order = must(await checkout(scenario.api.url, fan, hold.id, randomUUID())).checkout;
  const [mail] = await maildev.waitForMail(
    fan.email,
    (received) => isConfirmation(received) && received.text.includes(`Order ${order.id}`),
  );
  assert.ok(mail);
  assert.equal((mail.text.match(/^.*Pit, standing \(/gm) ?? []).length, 3, mail.text);
  assert.doesNotMatch(mail.text, /Pit, row/);
});

test("one relay batch of mixed events: each plans its own mails; an unknown subject plans none; a replay adds none", async () => {
  const [owner, friend] = scenario.fans;
  assert.ok(owner && friend);
  const { event, order } = await buy(scenario.api, 1);
  const [refunded, transferred] = order.tickets;
  assert.ok(refunded && transferred);
  // Outbox ids of this test's own, far above the relay's (mail rows do not reference the outbox).
  const base = 9_000_000_000 + Math.floor(Math.random() * 1_000_000) * 10;
  const eventId = Number(event.id);
  const batch = [
    {
      topic: "order.refunded",
      payload: {
        orderId: order.id,
        userId: owner.id,
        eventId,
        ticketIds: [refunded.id],
        amountMinor: 1_000,
        currency: "EUR",
        reason: "Seat view blocked",
      },
    },
    {
      topic: "ticket.transferred",
      payload: {
        fromUserId: owner.id,
        toUserId: friend.id,
        eventId,
        ticketIds: [transferred.id],
        newOrderId: randomUUID(),
      },
    },
    {
      topic: "waitlist.offered",
      payload: {
        userId: friend.id,
        eventId,
        holdId: randomUUID(),
        quantity: 2,
        expiresAt: new Date(Date.now() + 600_000).toISOString(),
      },
    },
    { topic: "user.signed_up", payload: { userId: "not-a-uuid" } },
    { topic: "order.confirmed", payload: { orderId: randomUUID(), userId: owner.id, eventId } },
  ].map((message, i) => ({ ...message, id: String(base + i), createdAt: new Date() }));
  await withPlanner((planner) => planner.handleBatch(batch));
  await withPlanner((planner) => planner.handleBatch(batch));

  const rows = await scenario.database.db.mailMessage.findMany({
    where: { outboxEventId: { gte: BigInt(base), lt: BigInt(base + 10) } },
    orderBy: [{ outboxEventId: "asc" }, { template: "asc" }],
  });
  const planned = rows.map((row) => [Number(row.outboxEventId) - base, row.template, row.recipient]);
  assert.deepEqual(planned, [
    [0, "order.refunded", owner.email],
    [1, "ticket.transferred.recipient", friend.email],
    [1, "ticket.transferred.sender", owner.email],
    [2, "waitlist.offered", friend.email],
  ]);
  const refund = rows[0]?.params as { tickets: { id: string }[]; event: { id: number; startsAt: string } };
  assert.deepEqual(
    refund.tickets.map((ticket) => ticket.id),
    [refunded.id],
    "only the refunded ticket",
  );
  assert.equal(refund.event.id, eventId);
  assert.ok(!Number.isNaN(Date.parse(refund.event.startsAt)));
});

/**
 * A TCP proxy in front of maildev that holds back the end of the first confirmation's DATA (the "."
 * line): the sender is then mid-send, the SMTP server has not accepted the mail. `release()` sends what
 * it held and lets everything through from then on.
 */
async function stallingProxy(
  targetPort: number,
): Promise<{ port: number; stalled: Promise<void>; release: () => void; server: Server }> {
  const port = await freePort();
  let onStall: () => void = () => undefined;
  const stalled = new Promise<void>((resolve) => {
    onStall = resolve;
  });
  let released = false;
  const held: { upstream: Socket; chunks: Buffer[] }[] = [];
  const release = () => {
    released = true;
    for (const { upstream, chunks } of held.splice(0)) for (const chunk of chunks) upstream.write(chunk);
  };
  const server = createServer((client: Socket) => {
    const upstream = new Socket();
    upstream.connect(targetPort, "127.0.0.1");
    let holding: Buffer[] | null = null;
    let seen = "";
    client.on("data", (chunk: Buffer) => {
      if (holding && !released) {
        holding.push(chunk);
        return;
      }
      seen = (seen + chunk.toString("latin1")).slice(-100_000);
      const end = seen.indexOf("\r\n.\r\n");
      if (!released && /X-Frontrow-Template: order\.confirmed/i.test(seen) && end >= 0) {
        holding = [chunk];
        held.push({ upstream, chunks: holding });
        onStall();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => client.write(chunk));
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("close", close);
    upstream.on("close", close);
    client.on("error", close);
    upstream.on("error", close);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { port, stalled, release, server };
}

test("a sender killed mid-send and a new one started: the confirmation arrives exactly once", async () => {
  // A database of its own: no other server's workers may take the job.
  const database = await createTestDatabase({ seeded: true });
  const proxy = await stallingProxy(maildev.smtpPort);
  const env = { ...ORDER_TEST_ENV, ...MAIL_ENV, ...secretsOf(scenario.api.server.config) };
  let doomed: ApiProcess | undefined;
  let successor: Awaited<ReturnType<typeof startTestServer>> | undefined;
  try {
    doomed = await spawnApi(await freePort(), {
      ...env,
      DATABASE_URL: database.url,
      SMTP_URL: `smtp://127.0.0.1:${proxy.port}`,
      REDIS_KEY_PREFIX: `${scenario.api.server.config.REDIS_KEY_PREFIX}doomed:`,
      JOBS_CONCURRENCY: "2",
    });
    const [fan] = await createFans(database.db, doomed.url, 1, "mail-kill");
    assert.ok(fan);
    const event = await eventPicker(database.db)();
    const hold = must(await holdSeats(doomed.url, fan, event.id, event.seatIds.slice(0, 1))).holdSeats;
    const order = must(await checkout(doomed.url, fan, hold.id, randomUUID())).checkout;
    await Promise.race([
      proxy.stalled,
      new Promise((_, reject) => setTimeout(() => reject(new Error("the send never stalled")), 15_000)),
    ]);
    const exited = new Promise((resolve) => doomed?.child.once("exit", resolve));
    doomed.child.kill("SIGKILL");
    await exited;
    const row = await database.db.mailMessage.findFirstOrThrow({
      where: { recipient: fan.email, template: "order.confirmed" },
    });
    assert.equal(row.status, "PENDING", "the killed sender never marked it");
    assert.ok(row.sendingAt, "it was claimed mid-send");
    assert.equal((await maildev.messages(fan.email)).filter(isConfirmation).length, 0, "not accepted");

    // A new instance (sending straight to maildev) takes the dead one's job over once its claim lapses.
    successor = await startTestServer(database.url, { ...env, SMTP_URL: maildev.smtpUrl });
    const [mail] = await maildev.waitForMail(fan.email, isConfirmation, 1, 30_000);
    assert.match(mail?.text ?? "", new RegExp(order.id));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal((await maildev.messages(fan.email)).filter(isConfirmation).length, 1, "exactly once");
    const sent = await database.db.mailMessage.findUniqueOrThrow({ where: { id: row.id } });
    assert.equal(sent.status, "SENT");
    assert.equal(sent.attempts, 2);
  } finally {
    doomed?.child.kill("SIGKILL");
    proxy.server.close();
    await successor?.close();
    await database.dispose();
  }
});

test("a graceful stop lets the sends under way finish: one mid-send, one waiting for the connection", async () => {
  const database = await createTestDatabase({ seeded: true });
  const proxy = await stallingProxy(maildev.smtpPort);
  const env = { ...ORDER_TEST_ENV, ...MAIL_ENV, ...secretsOf(scenario.api.server.config) };
  const server = await startTestServer(database.url, {
    ...env,
    SMTP_URL: `smtp://127.0.0.1:${proxy.port}`,
    REDIS_KEY_PREFIX: `${scenario.api.server.config.REDIS_KEY_PREFIX}stopping:`,
    JOBS_CONCURRENCY: "2",
    // One SMTP connection: the second mail waits in the mailer's queue behind the stalled first.
    MAIL_MAX_CONNECTIONS: "1",
  });
  let closing: Promise<void> | undefined;
  try {
    const fans = await createFans(database.db, server.url, 2, "mail-stop");
    const pick = eventPicker(database.db);
    for (const fan of fans) {
      const event = await pick();
      const hold = must(await holdSeats(server.url, fan, event.id, event.seatIds.slice(0, 1))).holdSeats;
      must(await checkout(server.url, fan, hold.id, randomUUID()));
    }
    const claimed = async () =>
      database.db.mailMessage.count({ where: { template: "order.confirmed", sendingAt: { not: null } } });
    await Promise.race([
      proxy.stalled,
      new Promise((_, reject) => setTimeout(() => reject(new Error("the send never stalled")), 15_000)),
    ]);
    await waitFor("both confirmations claimed", async () => (await claimed()) === 2);

    closing = server.close();
    await new Promise((resolve) => setTimeout(resolve, 500));
    proxy.release();
    await closing;

    const rows = await database.db.mailMessage.findMany({ where: { template: "order.confirmed" } });
    assert.deepEqual(
      rows.map((row) => [row.status, row.attempts, row.lastError]),
      [
        ["SENT", 1, null],
        ["SENT", 1, null],
      ],
    );
    for (const fan of fans) {
      await maildev.waitForMail(fan.email, isConfirmation);
      assert.equal((await maildev.messages(fan.email)).filter(isConfirmation).length, 1, "exactly once");
    }
  } finally {
    proxy.release();
    proxy.server.close();
    await (closing ?? server.close());
    await database.dispose();
  }
});

function secretsOf(config: Record<string, unknown>): Record<string, string> {
  const names = ["ADMISSION_TOKEN_SECRET", "POW_SECRET", "TICKET_SIGNING_KEY", "ACCOUNT_TOKEN_SECRET"];
  return Object.fromEntries(names.map((name) => [name, String(config[name])]));
}

test("without SMTP_URL no mail is planned", async () => {
  const quiet = await startTestServer(scenario.database.url, ORDER_TEST_ENV);
  try {
    assert.equal(quiet.server.mailSender, undefined);
  } finally {
    await quiet.close();
  }
});
