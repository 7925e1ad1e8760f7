import assert from "node:assert/strict";
import { createPublicKey, generateKeyPairSync, randomBytes, randomUUID, verify } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { signingKeyFromSeed, TicketCodes } from "../src/modules/orders/ticket-codes.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import {
  asFan,
  createFanAccounts,
  createFans,
  errorCode,
  type Fan,
  logIn,
  MANY_CHECKOUTS,
  MANY_LOGINS,
} from "./support/holds.js";
import {
  CANCEL_ORDER,
  checkout,
  eventPicker,
  holdSeats,
  must,
  type OrderData,
  VERIFY_TICKET,
} from "./support/orders.js";
import { gql, startTestServer, type TestServer } from "./support/server.js";

const WINDOW_SECONDS = 20;
const ticket = { id: randomUUID(), secret: randomBytes(32) };
const codes = new TicketCodes(signingKeyFromSeed(randomBytes(32).toString("base64url")), WINDOW_SECONDS);
const windowMs = WINDOW_SECONDS * 1000;

/** Flips one bit in the code's bytes at `index` and re-encodes it. */
function altered(code: string, index: number): string {
  const bytes = Buffer.from(code, "base64url");
  bytes[index] = (bytes[index] as number) ^ 0x01;
  return bytes.toString("base64url");
}

describe("ticket codes", () => {
  test("a code is valid in its window and the windows next to it (clock skew), then stale", () => {
    const now = Date.UTC(2026, 10, 24, 20, 0, 5);
    const { code, expiresAt } = codes.issue(ticket, now);
    assert.equal(expiresAt.getTime(), Math.floor(now / windowMs + 1) * windowMs);
    const reading = codes.read(code, now);
    assert.ok(reading.valid);
    assert.equal(reading.ticketId, ticket.id);
    assert.ok(codes.tagMatches(reading, ticket.secret));
    assert.ok(codes.read(code, now + windowMs).valid, "one window late is accepted");
    assert.ok(codes.read(code, now - windowMs).valid, "one window early is accepted");
    assert.equal(codes.read(code, now + 2 * windowMs).valid, false, "two windows later it is stale");
    assert.equal(codes.read(code, now - 2 * windowMs).valid, false);
    assert.notEqual(codes.issue(ticket, now + windowMs).code, code, "the code rotates every window");
  });

  test("altered, forged and malformed codes are rejected", () => {
    const now = Date.now();
    const { code } = codes.issue(ticket, now);
    for (const index of [1, 17, 21, 30, 80]) {
      assert.equal(codes.read(altered(code, index), now).valid, false, `bit flipped in byte ${index}`);
    }
    const forger = new TicketCodes(signingKeyFromSeed(randomBytes(32).toString("base64url")), WINDOW_SECONDS);
    assert.equal(codes.read(forger.issue(ticket, now).code, now).valid, false, "signed with another key");
    for (const garbage of ["", "hello", "!!!!", code.slice(0, -4), `${code}AAAA`]) {
      assert.equal(codes.read(garbage, now).valid, false, JSON.stringify(garbage));
    }
    const reading = codes.read(code, now);
    assert.ok(reading.valid);
    assert.equal(codes.tagMatches(reading, randomBytes(32)), false, "another ticket secret does not match");
  });

  test("scanners can check the signature offline with the published public key", () => {
    const { code } = codes.issue(ticket);
    const bytes = Buffer.from(code, "base64url");
    const publicKey = createPublicKey(codes.publicKeyPem);
    assert.ok(verify(null, bytes.subarray(0, 25), publicKey, bytes.subarray(25)));
    const other = generateKeyPairSync("ed25519").publicKey;
    assert.equal(verify(null, bytes.subarray(0, 25), other, bytes.subarray(25)), false);
  });
});

describe("verifyTicket", () => {
  let database: TestDatabase;
  let api: TestServer;
  let fanAccount: Fan;
  let organizer: Fan;
  let otherOrganizer: Fan;
  let order: OrderData;
  let eventId: number;

  before(async () => {
    database = await createTestDatabase({ seeded: true });
    api = await startTestServer(database.url, {
      ...MANY_LOGINS,
      ...MANY_CHECKOUTS,
      TICKET_CODE_WINDOW_SECONDS: String(WINDOW_SECONDS),
      HOLD_SWEEP_INTERVAL_MS: "3600000",
      PAYMENT_RECOVERY_INTERVAL_MS: "3600000",
      OUTBOX_RELAY_INTERVAL_MS: "3600000",
    });
    [fanAccount] = (await createFans(database.db, api.url, 1, "tickets")) as [Fan];
    const staff = await createFanAccounts(database.db, 2, "ticket-staff");
    await database.db.user.updateMany({
      where: { id: { in: staff.map((s) => s.id) } },
      data: { role: "ORGANIZER" },
    });
    [organizer, otherOrganizer] = (await Promise.all(
      staff.map(async (account) => ({ ...account, cookie: await logIn(api.url, account.email) })),
    )) as [Fan, Fan];
    const event = await eventPicker(database.db)();
    eventId = event.id;
    await database.db.event.update({ where: { id: eventId }, data: { organizerId: organizer.id } });
    const hold = must(await holdSeats(api.url, fanAccount, eventId, event.seatIds.slice(0, 2))).holdSeats;
    order = must(await checkout(api.url, fanAccount, hold.id, randomUUID())).checkout;
  });

  after(async () => {
    await api.close();
    await database.dispose();
  });

  type Verification = {
    verifyTicket: {
      result: string;
      message: string;
      usedAt: string | null;
      ticket: { id: string; status: string } | null;
    };
  };
  const scan = (who: Fan, code: string) => asFan<Verification>(api.url, who, VERIFY_TICKET, { code });

  test("the first scan admits and marks the ticket used; the second says already used", async () => {
    const [first] = order.tickets;
    assert.ok(first);
    const admitted = must(await scan(organizer, first.code)).verifyTicket;
    assert.equal(admitted.result, "VALID");
    assert.equal(admitted.ticket?.id, first.id);
    assert.ok(admitted.usedAt);
    const again = must(await scan(organizer, first.code)).verifyTicket;
    assert.equal(again.result, "ALREADY_USED");
    assert.equal(again.usedAt, admitted.usedAt);
    const stored = await database.db.ticket.findUniqueOrThrow({ where: { id: first.id } });
    assert.equal(stored.usedAt?.toISOString(), admitted.usedAt);
  });

  test("stale, altered and forged codes are INVALID and mark nothing", async () => {
    const second = order.tickets[1];
    assert.ok(second);
    const stored = await database.db.ticket.findUniqueOrThrow({ where: { id: second.id } });
    const serverCodes = new TicketCodes(
      signingKeyFromSeed(api.server.config.TICKET_SIGNING_KEY),
      WINDOW_SECONDS,
    );
    const screenshot = serverCodes.issue(stored, Date.now() - 3 * windowMs).code;
    const stale = must(await scan(organizer, screenshot)).verifyTicket;
    assert.equal(stale.result, "INVALID");
    assert.match(stale.message, /expired/);
    assert.equal(must(await scan(organizer, altered(second.code, 5))).verifyTicket.result, "INVALID");
    // Genuinely signed, but not derived from this ticket's secret (e.g. the ticket was reissued).
    const wrongSecret = serverCodes.issue({ id: second.id, secret: randomBytes(32) }).code;
    assert.equal(must(await scan(organizer, wrongSecret)).verifyTicket.result, "INVALID");
    assert.equal(must(await scan(organizer, "not a code")).verifyTicket.result, "INVALID");
    assert.equal((await database.db.ticket.findUniqueOrThrow({ where: { id: second.id } })).usedAt, null);
  });

  test("only the event's organizer (or an admin) scans its tickets", async () => {
    const second = order.tickets[1] as OrderData["tickets"][number];
    assert.equal(errorCode(await scan(fanAccount, second.code)), "FORBIDDEN");
    // The same answer for a code that is not genuine: a fan learns nothing about a code they hold.
    assert.equal(errorCode(await scan(fanAccount, altered(second.code, 5))), "FORBIDDEN");
    assert.equal(errorCode(await scan(fanAccount, "not a code")), "FORBIDDEN");
    assert.equal(errorCode(await scan(otherOrganizer, second.code)), "FORBIDDEN");
    assert.equal(errorCode(await gql(api.url, VERIFY_TICKET, { code: second.code })), "UNAUTHENTICATED");
  });

  test("a cancelled order's tickets are VOID", async () => {
    must(await asFan(api.url, fanAccount, CANCEL_ORDER, { orderId: order.id }));
    const second = order.tickets[1] as OrderData["tickets"][number];
    const voided = must(await scan(organizer, second.code)).verifyTicket;
    assert.equal(voided.result, "VOID");
    assert.equal(voided.ticket?.status, "VOID");
  });

  test("ticketCodeKey publishes the key that verifies the codes", async () => {
    const { ticketCodeKey } = must(
      await gql<{ ticketCodeKey: { algorithm: string; publicKeyPem: string; windowSeconds: number } }>(
        api.url,
        "{ ticketCodeKey { algorithm publicKeyPem windowSeconds } }",
      ),
    );
    assert.equal(ticketCodeKey.algorithm, "Ed25519");
    assert.equal(ticketCodeKey.windowSeconds, WINDOW_SECONDS);
    const bytes = Buffer.from((order.tickets[0] as OrderData["tickets"][number]).code, "base64url");
    assert.ok(
      verify(null, bytes.subarray(0, 25), createPublicKey(ticketCodeKey.publicKeyPem), bytes.subarray(25)),
    );
  });
});
