import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { generateSecrets } from "../src/config.js";
import { parseRedisUrl } from "../src/infra/redis.js";
import { NOTABLE_EVENT_SLUGS } from "../src/seed/seed.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import {
  asFan,
  assertHoldInvariants,
  createFans,
  errorCode,
  eventIdOf,
  eventSeats,
  type Fan,
  type HoldData,
  MANY_LOGINS,
  openEvent,
  RELEASE_HOLD,
} from "./support/holds.js";
import { checkout, holdSeats, must } from "./support/orders.js";
import { JOIN_QUEUE, QUEUE_STATUS, type QueueStatusData, watchQueue } from "./support/queue.js";
import { startTestRedisCluster, startTestSentinel, type TestRedisCluster } from "./support/redis-cluster.js";
import { testRedisPrefix } from "./support/redis-prefix.js";
import { startTestRedis } from "./support/redis-server.js";
import { dataOf, type GraphQLResult, startTestServer, type TestServer } from "./support/server.js";
import { waitFor } from "./support/wait.js";

// REDIS_URL naming a Redis Cluster (three primaries of the test's own): the holds fast path, the waiting
// room, the live seat map across two API instances, sessions and rate limits work as on one Redis,
// because every script touches the keys of one event, which share the hash tag {ev:<id>} (one slot).

let database: TestDatabase;
let cluster: TestRedisCluster;
let a: TestServer;
let b: TestServer;
let prefix: string;

before(async () => {
  database = await createTestDatabase({ seeded: true });
  cluster = await startTestRedisCluster();
  prefix = testRedisPrefix("cluster");
  // Two instances of one deployment: what one publishes, the other's subscribers get.
  // (and one set of secrets: a token signed by one instance is checked by the other).
  const env = {
    ...MANY_LOGINS,
    ...generateSecrets(),
    REDIS_URL: cluster.url,
    REDIS_KEY_PREFIX: prefix,
    QUEUE_TICK_MS: "100",
  };
  a = await startTestServer(database.url, env);
  b = await startTestServer(database.url, env);
});

after(async () => {
  await a?.close();
  await b?.close();
  await cluster?.dispose();
  await database?.dispose();
});

/** Keys under the run's prefix matching `pattern`, on every primary of the cluster. */
async function clusterKeys(pattern: string): Promise<string[]> {
  const perNode = await Promise.all(
    cluster.probe.nodes("master").map((node) => node.keys(`${prefix}${pattern}`)),
  );
  return perNode.flat();
}

async function freeSeat(eventId: number): Promise<number> {
  const seat = await database.db.eventSeat.findFirstOrThrow({
    where: { eventId, status: "AVAILABLE" },
    orderBy: { seatId: "desc" },
  });
  return seat.seatId;
}

test("REDIS_URL names a cluster or a sentinel set", () => {
  assert.deepEqual(parseRedisUrl("redis://127.0.0.1:6379"), {
    kind: "single",
    url: "redis://127.0.0.1:6379",
  });
  assert.deepEqual(parseRedisUrl("redis+cluster://:s3cret@10.0.0.1:7000,10.0.0.2"), {
    kind: "cluster",
    nodes: [
      { host: "10.0.0.1", port: 7000 },
      { host: "10.0.0.2", port: 6379 },
    ],
    password: "s3cret",
  });
  assert.deepEqual(parseRedisUrl("redis+sentinel://10.0.0.1:26379,10.0.0.2:26379/frontrow/2"), {
    kind: "sentinel",
    sentinels: [
      { host: "10.0.0.1", port: 26379 },
      { host: "10.0.0.2", port: 26379 },
    ],
    name: "frontrow",
    password: undefined,
    db: 2,
  });
});

describe("on a three-primary Redis Cluster", () => {
  test("holds take the fast path, race without double booking, and release their locks", async () => {
    const eventId = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.theatreOnSale);
    await openEvent(database.db, eventId, { maxTicketsPerAccount: 40 });
    const seats = (await eventSeats(database.db, eventId)).map((seat) => seat.seatId);
    const fans = await createFans(database.db, a.url, 6, "cluster-holds");
    assert.ok((await clusterKeys("sess:*")).length > 0, "sessions are cached in the cluster");

    const wanted = seats.slice(0, 3);
    const results = await Promise.all(
      fans.map((fan, i) => holdSeats(i % 2 ? b.url : a.url, fan, eventId, wanted)),
    );
    const won = results.filter((result) => !result.errors);
    assert.equal(won.length, 1, JSON.stringify(results.map(errorCode)));
    for (const result of results.filter((r) => r.errors))
      assert.equal(errorCode(result), "SEATS_UNAVAILABLE");
    const locks = await clusterKeys(`{ev:${eventId}}:seat:*`);
    assert.equal(locks.length, 3, "the seat locks live in the cluster, in the event's slot");

    const winner = fans[results.findIndex((r) => !r.errors)] as Fan;
    const hold = must(won[0] as GraphQLResult<{ holdSeats: HoldData }>).holdSeats;
    const released = await asFan<{ releaseHold: boolean }>(a.url, winner, RELEASE_HOLD, { holdId: hold.id });
    assert.equal(released.data?.releaseHold, true);
    assert.deepEqual(await clusterKeys(`{ev:${eventId}}:seat:*`), [], "released locks are deleted");

    const again = must(await holdSeats(b.url, fans[0] as Fan, eventId, wanted)).holdSeats;
    assert.equal(
      must(await checkout(a.url, fans[0] as Fan, again.id, "cluster-1")).checkout.status,
      "CONFIRMED",
    );
    await assertHoldInvariants(database.db, eventId);
  });

  test("the waiting room admits in order and its token holds seats", async () => {
    const eventId = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.stadiumQueueOnSale);
    await database.db.event.update({ where: { id: eventId }, data: { admissionRatePerMinute: 0 } });
    const fans = await createFans(database.db, a.url, 3, "cluster-queue");
    const join = async (url: string, fan: Fan) =>
      dataOf(await asFan<{ joinQueue: QueueStatusData }>(url, fan, JOIN_QUEUE, { eventId: String(eventId) }))
        .joinQueue;
    const positions = [];
    for (const [i, fan] of fans.entries()) positions.push((await join(i % 2 ? b.url : a.url, fan)).position);
    assert.deepEqual(positions, [1, 2, 3]);
    const watcher = watchQueue(b.url, fans[2] as Fan, eventId);
    await waitFor("a first status", () => watcher.seen.length > 0, 8_000);

    await database.db.event.update({ where: { id: eventId }, data: { admissionRatePerMinute: 600 } });
    const admitted = await waitFor(
      "admission",
      () => watcher.seen.find((s) => s.state === "ADMITTED"),
      10_000,
    );
    const first = dataOf(
      await asFan<{ queueStatus: QueueStatusData }>(a.url, fans[0] as Fan, QUEUE_STATUS, {
        eventId: String(eventId),
      }),
    ).queueStatus;
    assert.equal(first.state, "ADMITTED", "the first in line was admitted first");
    assert.deepEqual(watcher.errors, []);
    await watcher.dispose();

    const seatId = await freeSeat(eventId);
    const held = await asFan<{ holdSeats: HoldData }>(
      a.url,
      fans[2] as Fan,
      "mutation ($e: ID!, $s: [ID!]!, $t: String) { holdSeats(eventId: $e, seatIds: $s, admissionToken: $t) { id } }",
      { e: String(eventId), s: [String(seatId)], t: admitted.admissionToken },
    );
    assert.equal(held.errors, undefined, JSON.stringify(held.errors));
    assert.ok((await clusterKeys(`q:{ev:${eventId}}:*`)).length > 0, "the room lives in the event's slot");
  });

  test("a seat map watcher on one instance sees the holds made on the other", async () => {
    const eventId = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.hallOnSaleAllPriced);
    await openEvent(database.db, eventId);
    const [fan] = await createFans(database.db, a.url, 1, "cluster-live");
    const seatId = await freeSeat(eventId);
    const client = createClient({
      url: b.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    const changes: { seatId: string; status: string }[] = [];
    const subscribed = new Promise<void>((resolve) => client.on("connected", () => resolve()));
    const unsubscribe = client.subscribe<{
      seatMapChanged: { changes: { seatId: string; status: string }[] };
    }>(
      {
        query: "subscription ($e: ID!) { seatMapChanged(eventId: $e) { version changes { seatId status } } }",
        variables: { e: String(eventId) },
      },
      {
        next: (result) => changes.push(...(result.data?.seatMapChanged.changes ?? [])),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    try {
      await subscribed;
      // The subscription reaches the cluster shortly after the socket opens: hold until a delta arrives.
      await waitFor(
        "a delta on instance b for a hold made on instance a",
        async () => {
          if (!changes.length) await holdSeats(a.url, fan as Fan, eventId, [seatId]);
          return changes.find((c) => c.seatId === String(seatId) && c.status === "HELD");
        },
        10_000,
      );
    } finally {
      unsubscribe();
      await client.dispose();
    }
  });

  test("rate limits count in the cluster", async () => {
    const eventId = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.theatreOnSale);
    const [fan] = await createFans(database.db, a.url, 1, "cluster-limits");
    const answers = [];
    for (let i = 0; i < 40; i++) {
      const result = await holdSeats(i % 2 ? b.url : a.url, fan as Fan, eventId, [999_999]);
      answers.push(errorCode(result));
      if (errorCode(result) === "RATE_LIMITED") break;
    }
    assert.equal(answers.at(-1), "RATE_LIMITED", JSON.stringify(answers));
  });
});

test("on a Sentinel-managed Redis: the instance finds the primary through the Sentinel and holds take the fast path", async () => {
  const primary = await startTestRedis();
  const sentinel = await startTestSentinel(primary.port);
  const server = await startTestServer(database.url, { ...MANY_LOGINS, REDIS_URL: sentinel.url });
  try {
    const eventId = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.hallOnSaleAllPriced);
    await openEvent(database.db, eventId, { maxTicketsPerAccount: 40 });
    const [fan] = await createFans(database.db, server.url, 1, "sentinel");
    const seatId = await freeSeat(eventId);
    must(await holdSeats(server.url, fan as Fan, eventId, [seatId]));
    const locks = await primary.probe.keys(`${server.server.config.REDIS_KEY_PREFIX}{ev:${eventId}}:seat:*`);
    assert.equal(locks.length, 1, "the seat lock is on the primary the Sentinel names");
  } finally {
    await server.close();
    await sentinel.dispose();
    await primary.dispose();
  }
});
