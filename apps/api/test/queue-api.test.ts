import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { buildSchema, parse } from "graphql";
import { Redis } from "ioredis";
import WebSocket from "ws";
import { subscriptionAccess } from "../src/graphql/authorized-subscriptions.js";
import { NOTABLE_EVENT_SLUGS } from "../src/seed/seed.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { asFan, createFans, errorCode, type Fan, logIn, MANY_LOGINS } from "./support/holds.js";
import {
  JOIN_QUEUE,
  QUEUE_STATUS,
  QUEUE_STATUS_CHANGED,
  type QueueStatusData,
  watchQueue,
} from "./support/queue.js";
import { testRedisPrefix } from "./support/redis-prefix.js";
import { dataOf, gql, startTestServer, type TestServer } from "./support/server.js";
import { waitFor } from "./support/wait.js";

// The waiting room through the API: GraphQL operations, the private subscription, the holds path's
// token check, organizer settings, and the leader failing over between instances.

const LEAVE = "mutation ($eventId: ID!) { leaveQueue(eventId: $eventId) }";
const HOLD = `mutation ($eventId: ID!, $token: String) {
  holdBestAvailable(eventId: $eventId, quantity: 2, admissionToken: $token) { id seats { id } } }`;
const SETTINGS_FIELDS = `admissionRatePerMinute maxActiveShoppers paused proofOfWorkDifficulty shoppingWindowSeconds
  waitingCount activeShoppers servedUpTo admittedPerMinuteMeasured`;
const UPDATE = `mutation ($eventId: ID!, $input: QueueSettingsInput!) {
  updateQueueSettings(eventId: $eventId, input: $input) { id queueSettings { ${SETTINGS_FIELDS} } } }`;
const EVENT_SETTINGS = `query ($id: ID!) { event(id: $id) { id queueSettings { ${SETTINGS_FIELDS} } } }`;

let database: TestDatabase;
let api: TestServer;
let eventId: number;
let fans: Fan[];
let organizer: Fan;

before(async () => {
  database = await createTestDatabase({ seeded: true });
  api = await startTestServer(database.url, { ...MANY_LOGINS, QUEUE_TICK_MS: "100" });
  eventId = (
    await database.db.event.findUniqueOrThrow({ where: { slug: NOTABLE_EVENT_SLUGS.stadiumQueueOnSale } })
  ).id;
  fans = await createFans(database.db, api.url, 4, `queue-${randomBytes(2).toString("hex")}`);
  organizer = { id: "", email: "organizer@frontrow.test", cookie: "" };
  organizer.cookie = await logIn(api.url, organizer.email, "organizer-password");
});

after(async () => {
  await api?.close();
  await database?.dispose();
});

const statusOf = async (url: string, fan: Fan) =>
  dataOf(await asFan<{ queueStatus: QueueStatusData }>(url, fan, QUEUE_STATUS, { eventId: String(eventId) }))
    .queueStatus;
const joinQueue = async (url: string, fan: Fan) =>
  dataOf(await asFan<{ joinQueue: QueueStatusData }>(url, fan, JOIN_QUEUE, { eventId: String(eventId) }))
    .joinQueue;

function setRate(admissionRatePerMinute: number, extra: Record<string, unknown> = {}) {
  return database.db.event.update({ where: { id: eventId }, data: { admissionRatePerMinute, ...extra } });
}

describe("the waiting room over GraphQL", () => {
  test("a fan joins, watches the line move, is admitted and holds seats with the token", async () => {
    await setRate(0);
    const [first, second, third] = fans as [Fan, Fan, Fan];
    const joined = await joinQueue(api.url, first);
    await joinQueue(api.url, second);
    const mine = await joinQueue(api.url, third);
    assert.equal(joined.state, "WAITING");
    assert.equal(mine.position, 3);
    assert.equal(
      (await joinQueue(api.url, third)).entryId,
      mine.entryId,
      "joining twice returns the same entry",
    );

    const watcher = watchQueue(api.url, third, eventId);
    await waitFor("a first status", () => watcher.seen.length > 0, 8_000);
    assert.equal(watcher.seen[0]?.position, 3);
    assert.equal(watcher.seen[0]?.entryId, mine.entryId);

    await setRate(120); // one fan every 500 ms
    const admitted = await waitFor(
      "admission",
      () => watcher.seen.find((s) => s.state === "ADMITTED"),
      8_000,
    );
    const positions = watcher.seen.filter((s) => s.state === "WAITING").map((s) => s.position);
    assert.deepEqual([...new Set(positions)], [3, 2, 1], "the position counted down");
    assert.deepEqual(watcher.errors, []);
    await watcher.dispose();
    await setRate(0);

    const token = admitted.admissionToken as string;
    assert.ok(token);
    const hold = (fan: Fan, candidate: string | null) =>
      asFan<{ holdBestAvailable: { id: string } }>(api.url, fan, HOLD, {
        eventId: String(eventId),
        token: candidate,
      });
    assert.equal(errorCode(await hold(third, null)), "NOT_ADMITTED");
    assert.equal(errorCode(await hold(third, `${token.slice(0, -2)}xx`)), "NOT_ADMITTED", "tampered");
    const stolen = await hold(fans[3] as Fan, token);
    assert.equal(errorCode(stolen), "NOT_ADMITTED", "another account's token");
    assert.match(stolen.errors?.[0]?.message ?? "", /another account/);
    assert.ok(dataOf(await hold(third, token)).holdBestAvailable.id, "the admitted fan holds seats");
    const metrics = await (await fetch(`${api.origin}/metrics`)).text();
    assert.match(metrics, /frontrow_queue_entries_total\{outcome="admitted"\} [1-9]/);

    assert.equal(dataOf(await asFan(api.url, third, LEAVE, { eventId: String(eventId) })).leaveQueue, true);
    assert.equal(errorCode(await hold(third, token)), "NOT_ADMITTED", "replayed after the admission ended");
    assert.equal((await statusOf(api.url, third)).state, "NOT_IN_QUEUE");
  });

  test("an unauthenticated subscription to a private status closes the socket with 4401", async () => {
    const socket = new WebSocket(api.url.replace(/^http/, "ws"), "graphql-transport-ws");
    const closed = new Promise<number>((resolve) => socket.on("close", (code) => resolve(code)));
    await new Promise((resolve) => socket.on("open", resolve));
    socket.send(JSON.stringify({ type: "connection_init" }));
    await new Promise((resolve) => socket.once("message", resolve));
    socket.send(
      JSON.stringify({
        id: "1",
        type: "subscribe",
        payload: { query: QUEUE_STATUS_CHANGED, variables: { eventId: String(eventId) } },
      }),
    );
    assert.equal(await closed, 4401);
    assert.equal(
      errorCode(await gql(api.url, QUEUE_STATUS, { eventId: String(eventId) })),
      "UNAUTHENTICATED",
    );
  });

  test("private subscription access: anonymous sockets get 4401's verdict, wrong roles 4403's", () => {
    // The real schema's only private subscription is open to every role: check the rule on its own.
    const schema = buildSchema(
      "type Query { ok: Boolean } type Subscription { mine: Int staff: Int open: Int }",
    );
    const fields = schema.getSubscriptionType()?.getFields() ?? {};
    (fields.mine as { extensions: object }).extensions = { authorizedRoles: [] };
    (fields.staff as { extensions: object }).extensions = { authorizedRoles: ["ADMIN"] };
    const access = (query: string, viewer: Parameters<typeof subscriptionAccess>[3]) =>
      subscriptionAccess(schema, parse(query), undefined, viewer);
    const fan = { userId: "u", role: "FAN" as const };
    assert.equal(access("subscription { open }", null), "allowed");
    assert.equal(access("subscription { mine }", null), "unauthenticated");
    assert.equal(access("subscription { mine }", fan), "allowed");
    assert.equal(access("subscription { open staff }", fan), "forbidden");
    assert.equal(access("subscription { staff }", { userId: "a", role: "ADMIN" }), "allowed");
    const real = api.server.schema;
    assert.equal(subscriptionAccess(real, parse(QUEUE_STATUS_CHANGED), undefined, null), "unauthenticated");
    assert.equal(subscriptionAccess(real, parse(QUEUE_STATUS_CHANGED), undefined, fan), "allowed");
  });

  test("organizers see and change the room live; fans cannot", async () => {
    const fan = fans[0] as Fan;
    const asFanView = dataOf(
      await asFan<{ event: { queueSettings: null } }>(api.url, fan, EVENT_SETTINGS, { id: String(eventId) }),
    );
    assert.equal(asFanView.event.queueSettings, null);
    const refused = await asFan(api.url, fan, UPDATE, { eventId: String(eventId), input: { paused: true } });
    assert.equal(errorCode(refused), "FORBIDDEN");
    const bad = await asFan(api.url, organizer, UPDATE, {
      eventId: String(eventId),
      input: { admissionRatePerMinute: -5 },
    });
    assert.equal(errorCode(bad), "BAD_USER_INPUT");

    const updated = dataOf(
      await asFan<{ updateQueueSettings: { queueSettings: Record<string, unknown> } }>(
        api.url,
        organizer,
        UPDATE,
        {
          eventId: String(eventId),
          input: {
            admissionRatePerMinute: 90,
            maxActiveShoppers: 40,
            paused: true,
            shoppingWindowSeconds: 300,
          },
        },
      ),
    ).updateQueueSettings.queueSettings;
    assert.equal(updated.admissionRatePerMinute, 90);
    assert.equal(updated.maxActiveShoppers, 40);
    assert.equal(updated.paused, true);
    assert.equal(updated.shoppingWindowSeconds, 300);
    assert.equal(typeof updated.servedUpTo, "number");

    await joinQueue(api.url, fan);
    const paused = await statusOf(api.url, fan);
    assert.equal((paused as QueueStatusData & { paused: boolean }).paused, true);
    const lifted = dataOf(
      await asFan<{ updateQueueSettings: { queueSettings: { maxActiveShoppers: number | null } } }>(
        api.url,
        organizer,
        UPDATE,
        { eventId: String(eventId), input: { maxActiveShoppers: 0, paused: false } },
      ),
    );
    assert.equal(lifted.updateQueueSettings.queueSettings.maxActiveShoppers, null, "0 lifts the cap");
  });
});

describe("leader failover", () => {
  const prefix = testRedisPrefix("leader");
  const env = { QUEUE_TICK_MS: "100", QUEUE_LEASE_MS: "1500", REDIS_KEY_PREFIX: prefix };
  let child: ChildProcess | undefined;
  let second: TestServer | undefined;
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");

  after(async () => {
    child?.kill("SIGKILL");
    await second?.close();
    redis.disconnect();
  });

  test("another instance takes the lease within seconds of the leader's death; fans keep their places", async () => {
    // Stopped before either instance reads the settings (they cache them for a second): the line must
    // not move until the new leader is checked.
    await setRate(0);
    const main = join(dirname(fileURLToPath(import.meta.url)), "../src/main.js");
    child = spawn(process.execPath, [main], {
      env: {
        ...process.env,
        ...env,
        ...MANY_LOGINS,
        DATABASE_URL: database.url,
        PORT: "0",
        HOST: "127.0.0.1",
        LOG_LEVEL: "silent",
      },
      stdio: "ignore",
    });
    const childPid = child.pid as number;
    await waitFor(
      "the child to lead",
      async () =>
        // A loaded machine may take a while to boot a process.
        (await redis.get(`${prefix}q:leader`))?.includes(`:${childPid}:`),
      60_000,
    );
    second = await startTestServer(database.url, { ...env, ...MANY_LOGINS });
    await sleep(300);
    assert.equal(second.server.queueLeader.isLeader, false, "one leader at a time");

    const [a, b] = fans.slice(1, 3) as [Fan, Fan];
    const placeA = await joinQueue(second.url, a);
    const placeB = await joinQueue(second.url, b);
    const ahead = (placeB.position as number) - (placeA.position as number);
    assert.ok(ahead > 0);

    child.kill("SIGKILL");
    const killedAt = Date.now();
    await waitFor("a new leader", () => second?.server.queueLeader.isLeader, 10_000);
    // The lease is 1.5 s: "within seconds", with room for a loaded machine.
    const takeover = Date.now() - killedAt;
    assert.ok(takeover < 6_000, `took over after ${takeover} ms`);

    // A fan who reconnects finds the same entry and place.
    const again = await statusOf(second.url, b);
    assert.equal(again.entryId, placeB.entryId);
    const url = second.url;
    assert.equal((again.position as number) - ((await statusOf(url, a)).position as number), ahead);
    await setRate(600);
    const admittedA = await waitFor(
      "the new leader admits",
      async () => {
        const now = await statusOf(url, a);
        return now.state === "ADMITTED" ? now : undefined;
      },
      8_000,
    );
    assert.equal(admittedA.entryId, placeA.entryId);
  });
});
