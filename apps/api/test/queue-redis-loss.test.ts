import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { AdmissionTokens } from "../src/modules/queue/admission-token.js";
import { NOTABLE_EVENT_SLUGS } from "../src/seed/seed.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { asFan, createFans, errorCode, eventIdOf, type Fan, logIn, MANY_LOGINS } from "./support/holds.js";
import { JOIN_QUEUE, QUEUE_STATUS, type QueueStatusData, watchQueue } from "./support/queue.js";
import { startTestRedis, type TestRedis } from "./support/redis-server.js";
import {
  dataOf,
  type GraphQLResult,
  gql,
  readMetrics,
  startTestServer,
  type TestServer,
} from "./support/server.js";
import { waitFor } from "./support/wait.js";

// The waiting room when Redis fails (issue 12), with a Redis of the test's own that it kills (SIGKILL)
// and starts again empty: an admission serves only the account it was made to, with or without Redis;
// the queue's fields answer SERVICE_UNAVAILABLE (never INTERNAL_SERVER_ERROR) while Redis is down; and
// after Redis loses everything, every room is set up again with the commitment it had, fans who were in
// line are told to rejoin, admitted fans keep shopping and admissions resume within 5 s.

const HOLD = `mutation ($eventId: ID!, $token: String) {
  holdBestAvailable(eventId: $eventId, quantity: 1, admissionToken: $token) { id } }`;
const HEARTBEAT = "mutation ($eventId: ID!) { queueHeartbeat(eventId: $eventId) { state } }";
const LEAVE = "mutation ($eventId: ID!) { leaveQueue(eventId: $eventId) }";
const AUDIT = "query ($eventId: ID!) { queueAudit(eventId: $eventId) { commitment preQueueEntries } }";
const SETTINGS = "query ($id: ID!) { event(id: $id) { id queueSettings { waitingCount } } }";

let database: TestDatabase;
let redis: TestRedis;
let api: TestServer;
let onSale: number;
let upcoming: number;
let fans: Fan[];
let organizer: Fan;
let tokens: AdmissionTokens;
// Admitted in the first test; shops on through the outage and the loss.
let admitted: { fan: Fan; token: string };

before(async () => {
  database = await createTestDatabase({ seeded: true });
  redis = await startTestRedis();
  api = await startTestServer(database.url, {
    ...MANY_LOGINS,
    REDIS_URL: redis.url,
    QUEUE_TICK_MS: "200",
    QUEUE_LEASE_MS: "1000",
  });
  // What a holder of the (development) secret can sign: the defences must not rest on it alone.
  tokens = new AdmissionTokens(api.server.config.ADMISSION_TOKEN_SECRET);
  onSale = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.stadiumQueueOnSale);
  upcoming = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.stadiumQueueUpcoming);
  fans = await createFans(database.db, api.url, 7, `qloss-${randomBytes(2).toString("hex")}`);
  organizer = { id: "", email: "organizer@frontrow.test", cookie: "" };
  organizer.cookie = await logIn(api.url, organizer.email, "organizer-password");
});

after(async () => {
  await api?.close();
  await redis?.dispose();
  await database?.dispose();
});

const fan = (index: number) => fans[index] as Fan;
const statusOf = async (who: Fan, eventId = onSale) =>
  dataOf(
    await asFan<{ queueStatus: QueueStatusData }>(api.url, who, QUEUE_STATUS, { eventId: String(eventId) }),
  ).queueStatus;
const joinQueue = async (who: Fan, eventId = onSale) =>
  dataOf(await asFan<{ joinQueue: QueueStatusData }>(api.url, who, JOIN_QUEUE, { eventId: String(eventId) }))
    .joinQueue;
const hold = (who: Fan, token: string) =>
  asFan<{ holdBestAvailable: { id: string } }>(api.url, who, HOLD, { eventId: String(onSale), token });
const setRate = (admissionRatePerMinute: number) =>
  database.db.event.update({ where: { id: onSale }, data: { admissionRatePerMinute } });
const auditOf = async (eventId: number) =>
  dataOf(
    await gql<{ queueAudit: { commitment: string | null; preQueueEntries: string[] } }>(api.url, AUDIT, {
      eventId: String(eventId),
    }),
  ).queueAudit;
const ticks = async () => (await readMetrics(api.origin))("frontrow_queue_tick_seconds_count");

/** The same token's claims, signed again for another account. */
function resignedFor(token: string, other: Fan): string {
  const claims = tokens.verify(token);
  assert.ok(claims);
  return tokens.sign({ ...claims, userId: other.id });
}

function assertUnavailable(result: GraphQLResult<unknown>, field: string) {
  const error = result.errors?.[0];
  assert.equal(error?.extensions?.code, "SERVICE_UNAVAILABLE", `${field}: ${JSON.stringify(result.errors)}`);
  const retryAfter = error?.extensions?.retryAfterSeconds;
  assert.ok(typeof retryAfter === "number" && retryAfter >= 1, `${field} says when to retry: ${retryAfter}`);
}

test("a token re-signed for another account is refused: the admission's entry must be the caller's", async () => {
  await setRate(0);
  await joinQueue(fan(0));
  await setRate(600);
  const status = await waitFor(
    "the admission",
    async () => {
      const now = await statusOf(fan(0));
      return now.state === "ADMITTED" ? now : undefined;
    },
    10_000,
  );
  await setRate(0);
  admitted = { fan: fan(0), token: status.admissionToken as string };

  const stolen = await hold(fan(1), resignedFor(admitted.token, fan(1)));
  assert.equal(errorCode(stolen), "NOT_ADMITTED", JSON.stringify(stolen.errors));
  assert.match(stolen.errors?.[0]?.message ?? "", /another account/);
  assert.ok(dataOf(await hold(admitted.fan, admitted.token)).holdBestAvailable.id, "the admitted fan holds");
});

test("while Redis is down: queue fields answer SERVICE_UNAVAILABLE, and a token serves only its own admission's account", async () => {
  // The leader records a tick's admissions before the ticks that follow it: two more ticks and the
  // admission above is in Postgres.
  const seen = await ticks();
  await waitFor("two more leader ticks", async () => (await ticks()) >= seen + 2, 5_000);
  await redis.kill();

  const vars = { eventId: String(onSale) };
  assertUnavailable(await asFan(api.url, fan(2), QUEUE_STATUS, vars), "queueStatus");
  assertUnavailable(await asFan(api.url, fan(2), JOIN_QUEUE, vars), "joinQueue");
  assertUnavailable(await asFan(api.url, fan(2), HEARTBEAT, vars), "queueHeartbeat");
  assertUnavailable(await asFan(api.url, fan(2), LEAVE, vars), "leaveQueue");
  assertUnavailable(await gql(api.url, AUDIT, vars), "queueAudit");
  assertUnavailable(await asFan(api.url, organizer, SETTINGS, { id: String(onSale) }), "Event.queueSettings");

  // Without Redis the admission is checked against Postgres' record of it: another account's copy of
  // the token, and a token for an account that never queued, buy nothing.
  const stolen = await hold(fan(1), resignedFor(admitted.token, fan(1)));
  assert.equal(errorCode(stolen), "NOT_ADMITTED", JSON.stringify(stolen.errors));
  const neverQueued = tokens.sign({
    userId: fan(2).id,
    eventId: onSale,
    entryId: randomUUID(),
    sessionId: "1",
    expiresAt: Date.now() + 300_000,
  });
  const forged = await hold(fan(2), neverQueued);
  assert.equal(errorCode(forged), "NOT_ADMITTED", JSON.stringify(forged.errors));
  // The fan it was made to keeps shopping.
  assert.ok(dataOf(await hold(admitted.fan, admitted.token)).holdBestAvailable.id, "the admitted fan holds");
});

test("after Redis loses everything: rooms are set up again with their commitments, fans are told to rejoin, admissions resume within 5 s", async () => {
  await redis.start();
  const [waitingA, waitingB, early, late] = [fan(3), fan(4), fan(5), fan(6)];
  // A room in line and one before its sale, as they were before the loss.
  await waitFor(
    "the room to answer again",
    () =>
      joinQueue(waitingA).then(
        () => true,
        () => false,
      ),
    10_000,
  );
  await joinQueue(waitingB);
  assert.equal((await joinQueue(early, upcoming)).state, "PRE_QUEUE");
  const before = {
    onSale: (await auditOf(onSale)).commitment,
    upcoming: (await auditOf(upcoming)).commitment,
  };
  assert.match(before.onSale ?? "", /^[0-9a-f]{64}$/);
  assert.match(before.upcoming ?? "", /^[0-9a-f]{64}$/);
  assert.equal((await statusOf(waitingB)).state, "WAITING");
  const watcher = watchQueue(api.url, waitingB, onSale);
  await waitFor("the watcher's first status", () => watcher.seen.at(-1)?.state === "WAITING", 8_000);

  await redis.kill();
  await setRate(600);
  await redis.start();
  const restartedAt = Date.now();
  // Admissions resume: a fan who was in line rejoins as soon as told to and is let in within 5 s of Redis
  // coming back. This runs beside the checks below, so that their own requests do not count against it.
  const resumed = (async () => {
    await waitFor(
      "waiting fans told to rejoin",
      () =>
        statusOf(waitingA).then(
          ({ state }) => state === "REJOIN",
          () => false,
        ),
      5_000,
    );
    assert.equal((await joinQueue(waitingA)).state, "WAITING");
    await waitFor(
      "the rejoined fan's admission",
      async () => (await statusOf(waitingA)).state === "ADMITTED",
      5_000,
    );
    return Date.now() - restartedAt;
  })();
  // Its failure is reported where it is awaited, at the end.
  resumed.catch(() => {});

  // A fan joins the pre-queue at once: the room publishes the commitment it had before placing anyone.
  const rejoined = await waitFor(
    "a join to be answered",
    () =>
      joinQueue(late, upcoming).then(
        (status) => status,
        () => undefined,
      ),
    5_000,
  );
  assert.equal(rejoined.state, "PRE_QUEUE");
  const audit = await auditOf(upcoming);
  assert.equal(audit.commitment, before.upcoming, "the same commitment, published before any entry");
  assert.ok(audit.preQueueEntries.includes(rejoined.entryId as string));

  // The other room is set up again by the leader, with no request for it.
  const metaKey = `${api.server.config.REDIS_KEY_PREFIX}q:{ev:${onSale}}:meta`;
  await waitFor(
    "the room set up again",
    async () => (await redis.probe.hget(metaKey, "commitment")) === before.onSale,
    5_000,
  );

  // Fans who were in line are told so, by status and live; nobody sits at a silent position 1. The marking
  // runs after the set-up, in the background (it failed once as an immediate check, 2026-12-07).
  await waitFor(
    "the fan of the pre-queue told to rejoin",
    async () => (await statusOf(early, upcoming)).state === "REJOIN",
    3_000,
  );
  await waitFor("the watcher told to rejoin", () => watcher.seen.at(-1)?.state === "REJOIN", 5_000);
  assert.deepEqual(watcher.errors, []);
  await watcher.dispose();

  // The admitted fan keeps the admission and its token.
  const stillAdmitted = await statusOf(admitted.fan);
  assert.equal(stillAdmitted.state, "ADMITTED");
  assert.equal(stillAdmitted.admissionToken, admitted.token);
  assert.ok(dataOf(await hold(admitted.fan, admitted.token)).holdBestAvailable.id);

  const resumedAfter = await resumed;
  assert.ok(resumedAfter < 5_000, `admitted ${resumedAfter} ms after Redis restarted`);
});
