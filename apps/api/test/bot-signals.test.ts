import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { NOTABLE_EVENT_SLUGS } from "../src/seed/seed.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import {
  asFan,
  createFans,
  errorCode,
  eventIdOf,
  FAN_PASSWORD,
  type Fan,
  HOLD_BEST,
  HOLD_SEATS,
  type HoldData,
  logIn,
  MANY_LOGINS,
  openEvent,
} from "./support/holds.js";
import { gql, startTestServer, type TestServer } from "./support/server.js";
import { waitFor } from "./support/wait.js";

const SIGNALS = `query ($eventId: ID) { botSignals(eventId: $eventId, first: 100) {
  id kind userId email eventId ip detail createdAt } }`;
const ACCOUNTS = `query ($eventId: ID) { accountBotSignals(eventId: $eventId) {
  userId email blockedAt total kinds { kind count } } }`;
const BLOCK = "mutation ($userId: ID!, $reason: String!) { blockAccount(userId: $userId, reason: $reason) }";
const UNBLOCK = "mutation ($userId: ID!) { unblockAccount(userId: $userId) }";

interface Signal {
  kind: string;
  userId: string | null;
  eventId: string | null;
  ip: string | null;
  detail: Record<string, unknown>;
}

let database: TestDatabase;
let api: TestServer;
let organizer: Fan;
let admin: Fan;
let fans: Fan[];
let eventId: number;
let queueEventId: number;

before(async () => {
  database = await createTestDatabase({ seeded: true });
  api = await startTestServer(database.url, {
    ...MANY_LOGINS,
    TRUST_PROXY: "true",
    SIGNUPS_PER_IP_BEFORE_SIGNAL: "1",
    // Any hold within a minute of admission counts, so that a loaded machine cannot make the test flaky.
    FAST_HOLD_AFTER_ADMISSION_MS: "60000",
    QUEUE_TICK_MS: "100",
    RATE_LIMITS: JSON.stringify({ "Mutation.holdSeats": { account: { points: 1, seconds: 60 } } }),
  });
  const account = await database.db.user.findUniqueOrThrow({ where: { email: "organizer@frontrow.test" } });
  organizer = {
    id: account.id,
    email: account.email,
    cookie: await logIn(api.url, account.email, "organizer-password"),
  };
  const adminAccount = await database.db.user.findUniqueOrThrow({ where: { email: "admin@frontrow.test" } });
  admin = {
    id: adminAccount.id,
    email: adminAccount.email,
    cookie: await logIn(api.url, adminAccount.email, "admin-password"),
  };
  fans = await createFans(database.db, api.url, 3, "signals");
  eventId = await eventIdOf(database.db, NOTABLE_EVENT_SLUGS.theatreOnSale);
  // A second event on sale, behind a waiting room (without proof of work).
  const queued = await database.db.event.findFirstOrThrow({
    where: {
      id: { not: eventId },
      slug: { notIn: Object.values(NOTABLE_EVENT_SLUGS) },
      organizerId: organizer.id,
    },
  });
  queueEventId = queued.id;
  await openEvent(database.db, queueEventId);
  await database.db.event.update({
    where: { id: queueEventId },
    data: { queueEnabled: true, powDifficulty: 0 },
  });
});

after(async () => {
  await api.close();
  await database.dispose();
});

/** The signals `viewer` sees: an event's (its organizer's view), or all of them (an admin's). */
const signalsOf = async (eventFilter?: number, viewer = eventFilter === undefined ? admin : organizer) => {
  const result = await asFan<{ botSignals: Signal[] }>(api.url, viewer, SIGNALS, {
    eventId: eventFilter === undefined ? null : String(eventFilter),
  });
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data?.botSignals ?? [];
};

describe("bot signals", () => {
  test("rate-limit hits are recorded once per caller and field per minute", async () => {
    const fan = fans[0] as Fan;
    const hold = () => asFan(api.url, fan, HOLD_SEATS, { eventId: String(eventId), seatIds: [] });
    await hold();
    assert.equal(errorCode(await hold()), "RATE_LIMITED");
    assert.equal(errorCode(await hold()), "RATE_LIMITED");
    const mine = (await signalsOf(eventId)).filter((signal) => signal.userId === fan.id);
    assert.equal(mine.length, 1);
    assert.equal(mine[0]?.kind, "RATE_LIMITED");
    assert.deepEqual(mine[0]?.detail, { field: "Mutation.holdSeats", subject: "account" });
  });

  test("refusals of auth's own login limiter are recorded too", async () => {
    const fan = fans[0] as Fan;
    const attempt = () =>
      gql(
        api.url,
        'mutation ($e: String!) { logIn(email: $e, password: "not-the-password") { id } }',
        { e: fan.email },
        { "x-forwarded-for": "10.77.0.1" },
      );
    let code: unknown;
    for (let i = 0; i < 10 && code !== "RATE_LIMITED"; i++) code = errorCode(await attempt());
    assert.equal(code, "RATE_LIMITED");
    const found = (await signalsOf()).filter(
      (signal) => signal.kind === "RATE_LIMITED" && signal.ip === "10.77.0.1",
    );
    assert.equal(found.length, 1);
    assert.deepEqual(found[0]?.detail, { field: "Mutation.logIn", subject: "module" });
  });

  test("many sign-ups from one address are recorded", async () => {
    const signUp = (n: number) =>
      gql(
        api.url,
        "mutation ($e: String!, $p: String!) { signUp(email: $e, password: $p) { id } }",
        { e: `farm-${n}@signals.test`, p: FAN_PASSWORD },
        { "x-forwarded-for": "10.66.0.1" },
      );
    assert.equal((await signUp(1)).errors, undefined);
    assert.equal((await signUp(2)).errors, undefined);
    const second = await database.db.user.findUniqueOrThrow({ where: { email: "farm-2@signals.test" } });
    const found = (await signalsOf()).filter((signal) => signal.kind === "SIGNUPS_FROM_ONE_IP");
    assert.equal(found.length, 1);
    assert.equal(found[0]?.userId, second.id);
    assert.equal(found[0]?.ip, "10.66.0.1");
  });

  test("only organizers and admins see them", async () => {
    assert.equal(errorCode(await asFan(api.url, fans[1] as Fan, SIGNALS, {})), "FORBIDDEN");
    assert.equal(errorCode(await gql(api.url, SIGNALS, {})), "UNAUTHENTICATED");
    assert.equal(errorCode(await asFan(api.url, fans[1] as Fan, ACCOUNTS, {})), "FORBIDDEN");
    const summary = await asFan<{
      accountBotSignals: { userId: string; total: number; kinds: { kind: string }[] }[];
    }>(api.url, organizer, ACCOUNTS, { eventId: String(eventId) });
    const account = summary.data?.accountBotSignals.find((entry) => entry.userId === (fans[0] as Fan).id);
    assert.equal(account?.total, 1);
    assert.deepEqual(
      account?.kinds.map((kind) => kind.kind),
      ["RATE_LIMITED"],
    );
  });

  test("organizers see their own events' signals only; admins see all", async () => {
    const everything = await signalsOf(undefined, admin);
    assert.ok(everything.some((signal) => signal.kind === "SIGNUPS_FROM_ONE_IP"));
    const organizers = await signalsOf(undefined, organizer);
    assert.ok(organizers.length > 0);
    const own = await database.db.event.findMany({
      where: { organizerId: organizer.id },
      select: { id: true },
    });
    const ownIds = new Set(own.map((event) => String(event.id)));
    assert.ok(organizers.every((signal) => signal.eventId !== null && ownIds.has(signal.eventId)));
    const someoneElses = await database.db.event.findFirstOrThrow({ where: { organizerId: null } });
    const refused = await asFan(api.url, organizer, SIGNALS, { eventId: String(someoneElses.id) });
    assert.equal(errorCode(refused), "FORBIDDEN");
    assert.equal(
      (await asFan(api.url, admin, SIGNALS, { eventId: String(someoneElses.id) })).errors,
      undefined,
    );
  });
});

test("a hold right after admission from the waiting room is recorded", async () => {
  const fan = fans[1] as Fan;
  const eventVariable = { eventId: String(queueEventId) };
  const joined = await asFan(
    api.url,
    fan,
    "mutation ($eventId: ID!) { joinQueue(eventId: $eventId) { state } }",
    eventVariable,
  );
  assert.equal(joined.errors, undefined, JSON.stringify(joined.errors));
  let token: string | null = null;
  await waitFor(
    "admission",
    async () => {
      const status = await asFan<{ queueStatus: { state: string; admissionToken: string | null } }>(
        api.url,
        fan,
        "query ($eventId: ID!) { queueStatus(eventId: $eventId) { state admissionToken } }",
        eventVariable,
      );
      token = status.data?.queueStatus.admissionToken ?? null;
      return token !== null;
    },
    10_000,
  );
  const held = await asFan(
    api.url,
    fan,
    "mutation ($eventId: ID!, $token: String) { holdBestAvailable(eventId: $eventId, quantity: 1, admissionToken: $token) { id } }",
    { ...eventVariable, token },
  );
  assert.equal(held.errors, undefined, JSON.stringify(held.errors));
  const signal = (await signalsOf(queueEventId)).find(
    (found) => found.kind === "HOLD_RIGHT_AFTER_ADMISSION" && found.userId === fan.id,
  );
  const afterMs = signal?.detail.afterMs;
  assert.ok(typeof afterMs === "number" && afterMs >= 0 && afterMs < 60_000, JSON.stringify(signal));
});

describe("blocking an account", () => {
  test("releases its holds (seat map delta published), signs it out and refuses it", async () => {
    const fan = fans[2] as Fan;
    const held = await asFan<{ holdBestAvailable: HoldData }>(api.url, fan, HOLD_BEST, {
      eventId: String(eventId),
      quantity: 2,
    });
    assert.equal(held.errors, undefined, JSON.stringify(held.errors));
    const hold = held.data?.holdBestAvailable as HoldData;
    const queued = await asFan(api.url, fan, "mutation ($e: ID!) { joinQueue(eventId: $e) { state } }", {
      e: String(queueEventId),
    });
    assert.equal(queued.errors, undefined, JSON.stringify(queued.errors));
    const seatIds = hold.seats.map((seat) => Number(seat.id));
    const versionOf = async () =>
      (await database.db.event.findUniqueOrThrow({ where: { id: eventId } })).seatMapVersion;
    await waitFor(
      "the hold's delta",
      async () => {
        const seats = await database.db.eventSeat.findMany({ where: { eventId, seatId: { in: seatIds } } });
        return seats.every((seat) => seat.status === "HELD");
      },
      10_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the hold's own delta go out first
    const versionBefore = await versionOf();

    assert.equal(
      errorCode(await asFan(api.url, fans[1] as Fan, BLOCK, { userId: fan.id, reason: "bot" })),
      "FORBIDDEN",
    );
    const blocked = await asFan(api.url, organizer, BLOCK, { userId: fan.id, reason: "500 holds a minute" });
    assert.deepEqual(blocked.data, { blockAccount: true }, JSON.stringify(blocked.errors));

    const row = await database.db.hold.findUniqueOrThrow({ where: { id: hold.id } });
    assert.equal(row.state, "RELEASED");
    const seats = await database.db.eventSeat.findMany({ where: { eventId, seatId: { in: seatIds } } });
    assert.ok(seats.every((seat) => seat.status === "AVAILABLE" && seat.holdId === null));
    await waitFor(
      "a seat map delta for the released seats",
      async () => (await versionOf()) > versionBefore,
      10_000,
    );

    // Its cookie is signed out, its logins are refused.
    assert.equal(
      errorCode(await asFan(api.url, fan, HOLD_BEST, { eventId: String(eventId), quantity: 1 })),
      "UNAUTHENTICATED",
    );
    assert.equal(await database.db.session.count({ where: { userId: fan.id } }), 0);
    const login = await gql(
      api.url,
      "mutation ($e: String!, $p: String!) { logIn(email: $e, password: $p) { id } }",
      {
        e: fan.email,
        p: FAN_PASSWORD,
      },
    );
    assert.equal(errorCode(login), "FORBIDDEN");

    const audit = (await signalsOf()).find(
      (signal) => signal.kind === "ACCOUNT_BLOCKED" && signal.userId === fan.id,
    );
    assert.equal(audit?.detail.reason, "500 holds a minute");
    assert.equal(audit?.detail.holdsReleased, 1);
    assert.equal(audit?.detail.queuesLeft, 1);

    assert.deepEqual((await asFan(api.url, organizer, UNBLOCK, { userId: fan.id })).data, {
      unblockAccount: true,
    });
    await logIn(api.url, fan.email);
  });

  test("organizers cannot block admins, organizers or themselves", async () => {
    const admin = await database.db.user.findUniqueOrThrow({ where: { email: "admin@frontrow.test" } });
    for (const userId of [admin.id, organizer.id]) {
      assert.equal(
        errorCode(await asFan(api.url, organizer, BLOCK, { userId, reason: "test" })),
        "FORBIDDEN",
      );
    }
    assert.equal(
      errorCode(await asFan(api.url, organizer, BLOCK, { userId: "nope", reason: "test" })),
      "NOT_FOUND",
    );
  });
});
