import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { DEMO_ACCOUNTS } from "../src/seed/accounts.js";
import { asFan, errorCode, FAN_PASSWORD, type Fan, logIn } from "./support/holds.js";
import {
  checkout,
  holdSeats,
  must,
  type OrderData,
  type OrdersScenario,
  ordersScenario,
  VERIFY_TICKET,
} from "./support/orders.js";
import { gql } from "./support/server.js";

// At the door (docs/checkin.md): an organizer invites door staff by e-mail (before the account exists);
// once signed up, they scan that event's tickets and no other's, see sold/scanned, and find tickets by name.

const INVITE = `mutation ($id: ID!, $email: String!) { inviteDoorStaff(eventId: $id, email: $email) { email signedUp } }`;
const DOOR_STATUS = `query ($id: ID!) { doorStatus(eventId: $id) { sold checkedIn } }`;
const DOOR_TICKETS = `query ($id: ID!, $search: String!) { doorTickets(eventId: $id, search: $search) { ticketId orderId status usedAt buyerEmail } }`;
const CHECK_IN = `mutation ($id: ID!) { checkInTicket(ticketId: $id) { result } }`;

let scenario: OrdersScenario;
let owner: Fan;
const url = () => scenario.api.url;
const db = () => scenario.database.db;

before(async () => {
  scenario = await ordersScenario("checkin", 2);
  const organizer = await db().user.findUniqueOrThrow({ where: { email: DEMO_ACCOUNTS.organizer.email } });
  owner = {
    id: organizer.id,
    email: organizer.email,
    cookie: await logIn(url(), organizer.email, DEMO_ACCOUNTS.organizer.password),
  };
});

after(() => scenario.close());

async function soldEvent(fan: Fan) {
  const event = await scenario.freshEvent();
  await db().event.update({ where: { id: event.id }, data: { organizerId: owner.id } });
  const hold = must(await holdSeats(url(), fan, event.id, event.seatIds.slice(0, 2)));
  const order: OrderData = must(await checkout(url(), fan, hold.holdSeats.id, randomUUID())).checkout;
  return { id: event.id, order };
}

test("door staff invited for one event scan its tickets and no other's", async () => {
  const buyer = scenario.fans[0] as Fan;
  const mine = await soldEvent(buyer);
  const other = await soldEvent(buyer);
  const email = `door-${randomUUID().slice(0, 8)}@checkin.test`;

  assert.equal(
    errorCode(await asFan(url(), scenario.fans[1] as Fan, INVITE, { id: String(mine.id), email })),
    "FORBIDDEN",
  );
  const badEmail = await asFan(url(), owner, INVITE, { id: String(mine.id), email: "not-an-email" });
  assert.equal(errorCode(badEmail), "BAD_USER_INPUT");
  assert.equal(badEmail.errors?.[0]?.extensions?.field, "email");
  const invited = must(
    await asFan<{ inviteDoorStaff: { email: string; signedUp: boolean }[] }>(url(), owner, INVITE, {
      id: String(mine.id),
      email: email.toUpperCase(),
    }),
  );
  assert.deepEqual(invited.inviteDoorStaff, [{ email, signedUp: false }]);
  const [audit] = await db().auditLog.findMany({ where: { eventId: mine.id, action: "door_staff.invite" } });
  assert.equal(audit?.actorId, owner.id);

  // The account is made after the invitation.
  const signUp = await gql(
    url(),
    "mutation ($e: String!, $p: String!) { signUp(email: $e, password: $p) { id } }",
    { e: email, p: FAN_PASSWORD },
  );
  const cookie = signUp.headers
    .getSetCookie()
    .find((value) => value.startsWith("frontrow_session="))
    ?.split(";")[0];
  assert.ok(cookie);
  const door: Fan = { id: "", email, cookie };

  const [ticket, second] = mine.order.tickets;
  const scan = async (code: string) =>
    must(await asFan<{ verifyTicket: { result: string } }>(url(), door, VERIFY_TICKET, { code })).verifyTicket
      .result;
  assert.equal(await scan(ticket?.code ?? ""), "VALID");
  assert.equal(await scan(ticket?.code ?? ""), "ALREADY_USED");
  assert.equal(await scan("garbage"), "INVALID");
  const elsewhere = await asFan(url(), door, VERIFY_TICKET, { code: other.order.tickets[0]?.code });
  assert.equal(errorCode(elsewhere), "FORBIDDEN", "another event's ticket");
  assert.equal(errorCode(await asFan(url(), door, DOOR_STATUS, { id: String(other.id) })), "FORBIDDEN");
  assert.equal(
    errorCode(
      await asFan(url(), door, "query ($id: ID!) { eventSales(eventId: $id) { eventId } }", {
        id: String(mine.id),
      }),
    ),
    "FORBIDDEN",
    "door staff only scan",
  );

  const status = must(
    await asFan<{ doorStatus: { sold: number; checkedIn: number } }>(url(), door, DOOR_STATUS, {
      id: String(mine.id),
    }),
  );
  assert.deepEqual(status.doorStatus, { sold: 2, checkedIn: 1 });

  const found = must(
    await asFan<{ doorTickets: { ticketId: string; usedAt: string | null }[] }>(url(), door, DOOR_TICKETS, {
      id: String(mine.id),
      search: buyer.email.slice(0, 8),
    }),
  );
  assert.deepEqual(found.doorTickets.map((t) => t.ticketId).sort(), [ticket?.id, second?.id].sort());
  const manual = await asFan<{ checkInTicket: { result: string } }>(url(), door, CHECK_IN, {
    id: second?.id,
  });
  assert.equal(must(manual).checkInTicket.result, "VALID");
  assert.equal(
    errorCode(await asFan(url(), door, CHECK_IN, { id: other.order.tickets[1]?.id })),
    "FORBIDDEN",
  );
  const after = must(
    await asFan<{ doorStatus: { sold: number; checkedIn: number } }>(url(), door, DOOR_STATUS, {
      id: String(mine.id),
    }),
  );
  assert.deepEqual(after.doorStatus, { sold: 2, checkedIn: 2 });
});
