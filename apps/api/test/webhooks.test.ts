import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { generateSecrets } from "../src/config.js";
import { Jobs } from "../src/infra/jobs.js";
import { createLogger } from "../src/infra/logger.js";
import { WebhookDeliverer } from "../src/modules/webhooks/webhook-delivery.js";
import { generateWebhookSecret, verifyWebhook } from "../src/modules/webhooks/webhook-signing.js";
import { WebhookStore } from "../src/modules/webhooks/webhook-store.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import {
  asFan,
  createFans,
  errorCode,
  type Fan,
  freePort,
  logIn,
  MANY_CHECKOUTS,
  MANY_LOGINS,
} from "./support/holds.js";
import { startMaildev, type TestMaildev } from "./support/maildev.js";
import { CANCEL_ORDER, checkout, eventPicker, holdSeats, must, VERIFY_TICKET } from "./support/orders.js";
import { testRedisPrefix } from "./support/redis-prefix.js";
import { type ApiProcess, gql, spawnApi, startTestServer, type TestServer } from "./support/server.js";
import { waitFor } from "./support/wait.js";

// A real HTTP receiver on a local port gets every order event, signed (Standard Webhooks), at least once
// and in order per order, through failures of the receiver and a crash of the API.

/** A partner's server: records each request; can fail (500) or hang for a while; de-duplicates by id. */
class Receiver {
  readonly requests: { headers: Record<string, string | undefined>; body: string }[] = [];
  /** Applied once per webhook-id, as a receiver that de-duplicates does. */
  readonly applied = new Map<string, { type: string; data: { orderId: string } }>();
  failing = 0;
  hang = false;
  private server: Server | undefined;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.listen(0, "127.0.0.1");
    await once(this.server, "listening");
    const { port } = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${port}/hooks`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const headers = {
        "webhook-id": req.headers["webhook-id"] as string | undefined,
        "webhook-timestamp": req.headers["webhook-timestamp"] as string | undefined,
        "webhook-signature": req.headers["webhook-signature"] as string | undefined,
      };
      this.requests.push({ headers, body });
      if (this.hang) return; // never answers: the API times out or dies waiting
      if (this.failing > 0) {
        this.failing--;
        res.writeHead(500).end("down");
        return;
      }
      const id = headers["webhook-id"] as string;
      if (!this.applied.has(id)) this.applied.set(id, JSON.parse(body));
      res.writeHead(204).end();
    });
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

const FAST_RETRIES = {
  WEBHOOK_ALLOW_PRIVATE_URLS: "true",
  OUTBOX_RELAY_INTERVAL_MS: "100",
  JOBS_POLL_INTERVAL_MS: "100",
  JOBS_STALE_WORKER_MS: "1500",
  WEBHOOK_RETRY_BASE_MS: "100",
  WEBHOOK_RETRY_MAX_DELAY_MS: "600",
  WEBHOOK_TIMEOUT_MS: "3000",
  PAYMENT_RECOVERY_INTERVAL_MS: "3600000",
  ...MANY_LOGINS,
  ...MANY_CHECKOUTS,
};

const CREATE = `mutation ($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { id url eventTypes eventId secret disabledAt } }`;
const DELIVERIES = `query ($endpointId: ID!) { webhookDeliveries(endpointId: $endpointId, first: 50) {
  totalCount edges { cursor node { id eventType status attempts lastStatusCode body
    attemptLog { statusCode error durationMs } } } } }`;

interface Endpoint {
  id: string;
  secret: string;
  eventId: string | null;
}
interface DeliveryNode {
  id: string;
  eventType: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  attemptLog: { statusCode: number | null; error: string | null }[];
}

let database: TestDatabase;
let maildev: TestMaildev;
let api: TestServer | undefined;
let receiver: Receiver;
let organizer: { cookie: string };
let fan: Fan;
let pickEvent: ReturnType<typeof eventPicker>;
const processes: ApiProcess[] = [];

before(async () => {
  database = await createTestDatabase({ seeded: true });
  // A real SMTP server: a disabled endpoint's owner is mailed (the notifications module).
  maildev = await startMaildev();
  api = await startTestServer(database.url, { ...FAST_RETRIES, SMTP_URL: maildev.smtpUrl });
  receiver = new Receiver();
  await receiver.start();
  organizer = { cookie: await logIn(api.url, "organizer@frontrow.test", "organizer-password") };
  [fan] = (await createFans(database.db, api.url, 1, "webhooks")) as [Fan];
  pickEvent = eventPicker(database.db);
});

after(async () => {
  for (const spawned of processes) if (spawned.child.exitCode === null) spawned.child.kill("SIGKILL");
  await api?.close();
  await receiver.close();
  await maildev.dispose();
  await database.dispose();
});

/** An event on sale that the demo organizer organizes, with an endpoint for it. */
async function organizedEventWithEndpoint(url: string, eventTypes = ["order.confirmed", "order.cancelled"]) {
  const event = await pickEvent();
  const organizerId = (
    await database.db.user.findUniqueOrThrow({ where: { email: "organizer@frontrow.test" } })
  ).id;
  await database.db.event.update({ where: { id: event.id }, data: { organizerId } });
  const created = must(
    await asFan<{ createWebhookEndpoint: Endpoint }>(url, organizer, CREATE, {
      input: { url: receiver.url, eventTypes, eventId: String(event.id) },
    }),
  ).createWebhookEndpoint;
  return { event, endpoint: created };
}

async function buy(url: string, event: { id: number; seatIds: number[] }, seats: number[]): Promise<string> {
  const hold = must(await holdSeats(url, fan, event.id, seats)).holdSeats;
  return must(await checkout(url, fan, hold.id, randomUUID())).checkout.id;
}

const deliveriesOf = async (url: string, endpointId: string) =>
  must(
    await asFan<{ webhookDeliveries: { totalCount: number; edges: { node: DeliveryNode }[] } }>(
      url,
      organizer,
      DELIVERIES,
      { endpointId },
    ),
  ).webhookDeliveries.edges.map((edge) => edge.node);

/** The receiver has answered; the API records the answer right after: wait for that. */
const allDelivered = (url: string, endpointId: string) =>
  waitFor("every delivery recorded as delivered", async () => {
    const listed = await deliveriesOf(url, endpointId);
    return listed.every((delivery) => delivery.status === "DELIVERED") ? listed : undefined;
  });

const appliedFor = (orderId: string) =>
  [...receiver.applied.values()].filter((event) => event.data.orderId === orderId).map((event) => event.type);

test("fans are refused; bad input names its field", async () => {
  const url = (api as TestServer).url;
  const refused = await asFan(url, fan, CREATE, {
    input: { url: receiver.url, eventTypes: ["order.confirmed"] },
  });
  assert.equal(errorCode(refused), "FORBIDDEN");
  const badType = await asFan(url, organizer, CREATE, {
    input: { url: receiver.url, eventTypes: ["order.eaten"] },
  });
  assert.equal(errorCode(badType), "BAD_USER_INPUT");
  assert.equal(badType.errors?.[0]?.extensions?.field, "eventTypes");
  const badUrl = await asFan(url, organizer, CREATE, {
    input: { url: "ftp://example.com/x", eventTypes: ["order.confirmed"] },
  });
  assert.equal(errorCode(badUrl), "BAD_USER_INPUT");
  assert.equal(badUrl.errors?.[0]?.extensions?.field, "url");
  // An event the organizer does not run (the seed has some sold by the venue itself).
  const notTheirs = await database.db.event.findFirstOrThrow({ where: { organizerId: null } });
  const foreign = await asFan(url, organizer, CREATE, {
    input: { url: receiver.url, eventTypes: ["order.confirmed"], eventId: String(notTheirs.id) },
  });
  assert.equal(errorCode(foreign), "FORBIDDEN");
  assert.equal(foreign.errors?.[0]?.extensions?.field, "eventId");
  const anonymous = await gql(url, "{ webhookEndpoints { id } }");
  assert.equal(errorCode(anonymous), "UNAUTHENTICATED");
});

test("each event reaches the receiver once, in order, with a valid signature", async () => {
  const url = (api as TestServer).url;
  const { event, endpoint } = await organizedEventWithEndpoint(url);
  assert.match(endpoint.secret, /^whsec_[A-Za-z0-9+/]+=*$/);
  const listed = must(
    await asFan<{ webhookEndpoints: Endpoint[] }>(url, organizer, "{ webhookEndpoints { id secret } }"),
  );
  assert.equal(
    listed.webhookEndpoints.find((e) => e.id === endpoint.id)?.secret,
    null,
    "the secret is shown once",
  );

  const orderId = await buy(url, event, event.seatIds.slice(0, 2));
  must(await asFan(url, fan, CANCEL_ORDER, { orderId }));
  await waitFor("both events applied", () => appliedFor(orderId).length === 2, 15_000);
  assert.deepEqual(appliedFor(orderId), ["order.confirmed", "order.cancelled"], "in order");
  const mine = receiver.requests.filter((request) => request.body.includes(orderId));
  assert.equal(mine.length, 2, "each once");
  for (const request of mine) {
    assert.ok(
      verifyWebhook(endpoint.secret, request.headers, request.body),
      "signed with the endpoint's secret",
    );
    assert.ok(
      !verifyWebhook(`whsec_${Buffer.from("another").toString("base64")}`, request.headers, request.body),
    );
  }
  const deliveries = await allDelivered(url, endpoint.id);
  assert.equal(deliveries.length, 2);
  for (const delivery of deliveries) {
    assert.equal(delivery.status, "DELIVERED");
    assert.deepEqual(
      delivery.attemptLog.map((attempt) => attempt.statusCode),
      [204],
    );
  }
});

test("a drain sends only each order's earliest pending delivery, also beyond the oldest it looks at first, and one drain at a time", async () => {
  const store = new WebhookStore(database.db);
  const admin = await database.db.user.findFirstOrThrow({ where: { role: "ADMIN" } });
  const endpoint = await store.insertEndpoint({
    id: randomUUID(),
    ownerId: admin.id,
    eventId: null,
    url: receiver.url,
    eventTypes: ["order.confirmed"],
    secret: generateWebhookSecret(),
  });
  // [outbox event id, order, due]: order a's first waits for its retry; b has three; c..e one each.
  const rows: [number, string, boolean][] = [
    [10, "a", false],
    [11, "a", true],
    [20, "b", true],
    [21, "b", true],
    [22, "b", true],
    [30, "c", true],
    [31, "d", true],
    [32, "e", true],
  ];
  const insert = (list: [number, string, boolean][]) =>
    database.db.$executeRawUnsafe(
      `INSERT INTO webhook_delivery (id, endpoint_id, outbox_event_id, event_type, order_key, payload,
                                     created_at, next_attempt_at)
       SELECT gen_random_uuid(), $1::uuid, r.id, 'order.confirmed', r.order_key, '{}'::jsonb,
              now() - interval '1 minute', CASE WHEN r.due THEN NULL ELSE now() + interval '1 hour' END
       FROM jsonb_to_recordset($2::jsonb) AS r(id bigint, order_key text, due boolean)`,
      endpoint.id,
      JSON.stringify(list.map(([id, order, due]) => ({ id, order_key: `order:${order}`, due }))),
    );
  await insert(rows);
  const due = async (limit: number) =>
    (await store.dueDeliveries(endpoint.id, limit)).map((delivery) => Number(delivery.outboxEventId));
  try {
    assert.deepEqual(await due(3), [20, 30, 31], "a's and b's later ones wait; the oldest first");
    assert.deepEqual(await due(10), [20, 30, 31, 32]);
    // 20 oldest rows (its first look for a round of 5) that all wait behind a's first: the next due one
    // lies beyond them.
    await database.db
      .$executeRaw`DELETE FROM webhook_delivery WHERE endpoint_id = ${endpoint.id}::uuid AND outbox_event_id > 11`;
    await insert([
      ...Array.from({ length: 30 }, (_, i): [number, string, boolean] => [100 + i, "a", true]),
      [200, "f", true],
    ]);
    assert.deepEqual(await due(5), [200]);
    assert.ok((await store.nextWakeUp(endpoint.id)) !== null);

    // One drain at a time: a second one is told until when the first holds the endpoint.
    const [first, second] = [randomUUID(), randomUUID()];
    assert.equal(((await store.leaseDrain(endpoint.id, first, 60_000)) as { id: string }).id, endpoint.id);
    const refused = await store.leaseDrain(endpoint.id, second, 60_000);
    assert.ok(refused && "leasedUntil" in refused && refused.leasedUntil.getTime() > Date.now() + 50_000);
    assert.ok(await store.leaseDrain(endpoint.id, first, 60_000), "its holder renews it");
    await store.releaseDrain(endpoint.id, second);
    assert.ok(
      "leasedUntil" in ((await store.leaseDrain(endpoint.id, second, 60_000)) ?? {}),
      "only the holder releases it",
    );
    await store.releaseDrain(endpoint.id, first);
    assert.equal(((await store.leaseDrain(endpoint.id, second, 60_000)) as { id: string }).id, endpoint.id);
  } finally {
    await store.deleteEndpoint(endpoint.id);
  }
});

test("a ticket scanned at the door is announced as ticket.checked_in, after its order.confirmed", async () => {
  const url = (api as TestServer).url;
  const { event } = await organizedEventWithEndpoint(url, ["order.confirmed", "ticket.checked_in"]);
  const hold = must(await holdSeats(url, fan, event.id, event.seatIds.slice(60, 61))).holdSeats;
  const order = must(await checkout(url, fan, hold.id, randomUUID())).checkout;
  const [ticket] = order.tickets;
  assert.ok(ticket);
  const scanned = must(
    await asFan<{ verifyTicket: { result: string } }>(url, organizer, VERIFY_TICKET, { code: ticket.code }),
  );
  assert.equal(scanned.verifyTicket.result, "VALID");
  must(await asFan(url, organizer, VERIFY_TICKET, { code: ticket.code }));
  await waitFor("both events applied", () => appliedFor(order.id).length === 2, 15_000);
  assert.deepEqual(appliedFor(order.id), ["order.confirmed", "ticket.checked_in"], "in order, the scan once");
});

test("a receiver that fails for a while gets every event late, none lost, none applied twice", async () => {
  const url = (api as TestServer).url;
  const { event, endpoint } = await organizedEventWithEndpoint(url);
  receiver.failing = 6;
  const orders: string[] = [];
  for (let i = 0; i < 3; i++) orders.push(await buy(url, event, event.seatIds.slice(10 + i * 2, 12 + i * 2)));
  await waitFor(
    "every order.confirmed applied",
    () => orders.every((id) => appliedFor(id).length === 1),
    30_000,
  );
  assert.equal(receiver.failing, 0, "the receiver failed first");
  const deliveries = await allDelivered(url, endpoint.id);
  assert.equal(deliveries.length, 3);
  const failures = deliveries.flatMap((d) => d.attemptLog).filter((attempt) => attempt.statusCode === 500);
  assert.ok(failures.length >= 1, "the log shows the failed attempts and their status codes");

  // A manual redelivery sends the same webhook-id: the receiver applies it once.
  const [first] = deliveries as [DeliveryNode];
  const before = receiver.requests.length;
  const redelivered = must(
    await asFan<{ redeliverWebhook: { id: string; status: string } }>(
      url,
      organizer,
      "mutation ($id: ID!) { redeliverWebhook(deliveryId: $id) { id status } }",
      { id: first.id },
    ),
  ).redeliverWebhook;
  assert.equal(redelivered.status, "PENDING");
  await waitFor("the redelivery", () => receiver.requests.length > before, 10_000);
  assert.equal(receiver.requests.at(-1)?.headers["webhook-id"], first.id);
  assert.equal(
    orders.reduce((n, id) => n + appliedFor(id).length, 0),
    3,
    "applied once each",
  );
});

test("after a rotation, both the new and the previous secret sign until the overlap ends", async () => {
  const url = (api as TestServer).url;
  const { event, endpoint } = await organizedEventWithEndpoint(url, ["order.confirmed"]);
  const rotated = must(
    await asFan<{ rotateWebhookSecret: Endpoint & { previousSecretExpiresAt: string } }>(
      url,
      organizer,
      "mutation ($id: ID!) { rotateWebhookSecret(endpointId: $id) { id secret previousSecretExpiresAt } }",
      { id: endpoint.id },
    ),
  ).rotateWebhookSecret;
  assert.notEqual(rotated.secret, endpoint.secret);
  assert.ok(new Date(rotated.previousSecretExpiresAt).getTime() > Date.now());
  const orderId = await buy(url, event, event.seatIds.slice(30, 31));
  await waitFor("the order.confirmed", () => appliedFor(orderId).length === 1, 15_000);
  const request = receiver.requests.find((r) => r.body.includes(orderId));
  assert.ok(request);
  assert.equal(request.headers["webhook-signature"]?.split(" ").length, 2, "two v1 signatures");
  assert.ok(verifyWebhook(rotated.secret, request.headers, request.body), "the new secret verifies");
  assert.ok(verifyWebhook(endpoint.secret, request.headers, request.body), "the previous one still does");
});

test("URLs that reach loopback or private networks are refused, at registration and at delivery", async () => {
  const strict = await startTestServer(database.url, { ...MANY_LOGINS, WEBHOOK_ALLOW_PRIVATE_URLS: "false" });
  try {
    const cookie = await logIn(strict.url, "organizer@frontrow.test", "organizer-password");
    for (const target of [
      receiver.url,
      "http://localhost:9/x",
      "http://10.1.2.3/x",
      "http://169.254.169.254/latest/meta-data",
      "http://[::1]:9/x",
      "http://[::ffff:127.0.0.1]/x",
    ]) {
      const refused = await asFan(strict.url, { cookie }, CREATE, {
        input: { url: target, eventTypes: ["order.confirmed"] },
      });
      assert.equal(errorCode(refused), "BAD_USER_INPUT", target);
      assert.equal(refused.errors?.[0]?.extensions?.field, "url", target);
    }
  } finally {
    await strict.close();
  }

  // A name that resolved to a public address when registered and to loopback now (DNS rebinding):
  // the delivery's own lookup refuses it.
  const { store, deliverer } = directDeliverer({ allowPrivateUrls: false, retryWindowMs: 3_600_000 });
  const organizerId = (
    await database.db.user.findUniqueOrThrow({ where: { email: "organizer@frontrow.test" } })
  ).id;
  const port = new URL(receiver.url).port;
  const endpoint = await store.insertEndpoint({
    id: randomUUID(),
    ownerId: organizerId,
    eventId: null,
    url: `http://localhost:${port}/hooks`,
    eventTypes: ["order.confirmed"],
    secret: "whsec_dGVzdA==",
  });
  const delivery = await insertDelivery(endpoint.id);
  const before = receiver.requests.length;
  await deliverer.drain(endpoint.id);
  assert.equal(receiver.requests.length, before, "nothing reached the receiver");
  const recorded = await database.db.webhookDelivery.findUniqueOrThrow({
    where: { id: delivery.id },
    include: { attemptLog: true },
  });
  assert.equal(recorded.status, "PENDING", "retried later, like any failure");
  assert.match(recorded.attemptLog[0]?.error ?? "", /private|loopback/);
  // It would match every later event of the organizer's.
  await store.deleteEndpoint(endpoint.id);
});

/** A deliverer driven by the test (its jobs never start, so no worker takes its deliveries). */
function directDeliverer(options: { allowPrivateUrls: boolean; retryWindowMs: number }) {
  const store = new WebhookStore(database.db);
  const jobs = new Jobs(database.db, createLogger("silent"), {
    databaseUrl: database.url,
    concurrency: 1,
    pollIntervalMs: 100,
    staleWorkerMs: 30_000,
  });
  const deliverer = new WebhookDeliverer(database.db, store, jobs, createLogger("silent"), {
    timeoutMs: 2_000,
    retryBaseMs: 60_000,
    retryMaxDelayMs: 60_000,
    ...options,
  });
  return { store, deliverer };
}

/** A delivery written as the outbox.webhooks job writes one, without its job. */
async function insertDelivery(endpointId: string) {
  const outbox = await database.db.outboxEvent.create({
    data: { topic: "test.direct", payload: {}, deliveredAt: new Date() },
  });
  return database.db.webhookDelivery.create({
    data: {
      id: randomUUID(),
      endpointId,
      outboxEventId: outbox.id,
      eventType: "order.confirmed",
      orderKey: `direct:${outbox.id}`,
      payload: { orderId: `direct-${outbox.id}` },
    },
  });
}

test("an endpoint that keeps failing is disabled, its owner sees why, and enabling it sends what waited", async () => {
  const url = (api as TestServer).url;
  const { event, endpoint } = await organizedEventWithEndpoint(url, ["order.confirmed"]);
  // A retry window of 1 ms: the first failure is the last one.
  const { deliverer } = directDeliverer({ allowPrivateUrls: true, retryWindowMs: 1 });
  const failed = await insertDelivery(endpoint.id);
  receiver.failing = 1;
  await deliverer.drain(endpoint.id);
  const row = await database.db.webhookDelivery.findUniqueOrThrow({ where: { id: failed.id } });
  assert.equal(row.status, "FAILED");
  const listed = must(
    await asFan<{
      webhookEndpoints: { id: string; disabledAt: string | null; disabledReason: string | null }[];
    }>(url, organizer, "{ webhookEndpoints { id disabledAt disabledReason } }"),
  ).webhookEndpoints.find((e) => e.id === endpoint.id);
  assert.ok(listed?.disabledAt, "the endpoint is disabled");
  assert.match(listed?.disabledReason ?? "", /HTTP 500/);
  // Its owner is told: an outbox event the notifications module mails, written with the disable.
  const told = await database.db.outboxEvent.findFirst({
    where: { topic: "webhook.endpoint_disabled", payload: { path: ["endpointId"], equals: endpoint.id } },
  });
  assert.match(String((told?.payload as { reason?: string } | undefined)?.reason), /HTTP 500/);
  const [notice] = await maildev.waitForMail(
    "organizer@frontrow.test",
    (mail) =>
      mail.headers["x-frontrow-template"] === "webhook.endpoint_disabled" && mail.text.includes(endpoint.id),
  );
  assert.match(notice?.subject ?? "", /stopped sending to one of your webhook endpoints/);
  for (const part of [notice?.text ?? "", notice?.html ?? ""]) {
    assert.ok(part.includes(receiver.url), "names the endpoint's URL");
    assert.match(part, /HTTP 500/, "says why");
    assert.match(part, /\/organizer\/webhooks/, "links to where it is enabled again");
  }

  // Events meanwhile are recorded for it, not sent.
  const orderId = await buy(url, event, event.seatIds.slice(50, 51));
  const waiting = await waitFor(
    "the order's delivery recorded",
    async () =>
      (await database.db.webhookDelivery.findFirst({
        where: { endpointId: endpoint.id, payload: { path: ["orderId"], equals: orderId } },
      })) ?? undefined,
    15_000,
  );
  await sleep(500);
  assert.equal(appliedFor(orderId).length, 0, "nothing is sent to a disabled endpoint");
  const stillWaiting = await database.db.webhookDelivery.findUniqueOrThrow({ where: { id: waiting.id } });
  assert.equal(stillWaiting.status, "PENDING");

  const enabled = must(
    await asFan<{ enableWebhookEndpoint: { disabledAt: string | null } }>(
      url,
      organizer,
      "mutation ($id: ID!) { enableWebhookEndpoint(endpointId: $id) { disabledAt } }",
      { id: endpoint.id },
    ),
  ).enableWebhookEndpoint;
  assert.equal(enabled.disabledAt, null);
  await waitFor("the waiting delivery sent", () => appliedFor(orderId).length === 1, 15_000);
});

test("an API process killed mid-delivery loses nothing: another instance delivers it", async () => {
  // Only spawned processes run jobs from here on.
  await api?.close();
  api = undefined;
  const env = {
    ...FAST_RETRIES,
    ...generateSecrets(),
    DATABASE_URL: database.url,
    REDIS_KEY_PREFIX: testRedisPrefix("webhooks-kill"),
    LOG_LEVEL: "error",
  };
  const first = await spawnApi(await freePort(), env);
  processes.push(first);
  const cookie = await logIn(first.url, "organizer@frontrow.test", "organizer-password");
  organizer = { cookie };
  fan = { ...fan, cookie: await logIn(first.url, fan.email) };
  const { event, endpoint } = await organizedEventWithEndpoint(first.url, ["order.confirmed"]);
  receiver.hang = true;
  const before = receiver.requests.length;
  const orderId = await buy(first.url, event, event.seatIds.slice(40, 42));
  await waitFor("the request in flight", () => receiver.requests.length > before, 15_000);
  first.child.kill("SIGKILL");
  await once(first.child, "exit");
  receiver.hang = false;
  const pending = await database.db.webhookDelivery.findFirstOrThrow({ where: { endpointId: endpoint.id } });
  assert.equal(pending.status, "PENDING", "the killed process never recorded an answer");

  const second = await spawnApi(await freePort(), env);
  processes.push(second);
  await waitFor("the delivery, by the other instance", () => appliedFor(orderId).length === 1, 30_000);

  const done = await waitFor(
    "the delivery recorded",
    async () => {
      const row = await database.db.webhookDelivery.findFirstOrThrow({ where: { endpointId: endpoint.id } });
      return row.status === "DELIVERED" ? row : undefined;
    },
    10_000,
  );
  assert.equal(done.id, pending.id);
  await sleep(300);
  assert.equal(appliedFor(orderId).length, 1, "applied once");
  second.child.kill("SIGTERM");
  await once(second.child, "exit");
});
