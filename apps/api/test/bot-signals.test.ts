import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { NOTABLE_EVENT_SLUGS } from "../src/seed/seed.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import {
  asFan,
  createFans,
  errorCode,
  FAN_PASSWORD,
  type Fan,
  HOLD_BEST,
  HOLD_SEATS,
  type HoldData,
  logIn,
  MANY_LOGINS,
} from "./support/holds.js";
import { gql, startTestServer, type TestServer } from "./support/server.js";

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
let fans: Fan[];
let eventId: number;

before(async () => {
  database = await createTestDatabase({ seeded: true });
  api = await startTestServer(database.url, {
    ...MANY_LOGINS,
    TRUST_PROXY: "true",
    SIGNUPS_PER_IP_BEFORE_SIGNAL: "1",
    RATE_LIMITS: JSON.stringify({ "Mutation.holdSeats": { account: { points: 1, seconds: 60 } } }),
  });
  const account = await database.db.user.findUniqueOrThrow({ where: { email: "organizer@frontrow.test" } });
  organizer = {
    id: account.id,
    email: account.email,
    cookie: await logIn(api.url, account.email, "organizer-password"),
  };
  fans = await createFans(database.db, api.url, 3, "signals");
  eventId = (
    await database.db.event.findUniqueOrThrow({ where: { slug: NOTABLE_EVENT_SLUGS.theatreOnSale } })
  ).id;
});

after(async () => {
  await api.close();
  await database.dispose();
});

const signalsOf = async (eventFilter?: number) => {
  const result = await asFan<{ botSignals: Signal[] }>(api.url, organizer, SIGNALS, {
    eventId: eventFilter === undefined ? null : String(eventFilter),
  });
  assert.equal(result.errors, undefined, JSON.stringify(result.errors));
  return result.data?.botSignals ?? [];
};

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

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
    const seatIds = hold.seats.map((seat) => Number(seat.id));
    const versionOf = async () =>
      (await database.db.event.findUniqueOrThrow({ where: { id: eventId } })).seatMapVersion;
    await waitFor("the hold's delta", async () => {
      const seats = await database.db.eventSeat.findMany({ where: { eventId, seatId: { in: seatIds } } });
      return seats.every((seat) => seat.status === "HELD");
    });
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
    await waitFor("a seat map delta for the released seats", async () => (await versionOf()) > versionBefore);

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
