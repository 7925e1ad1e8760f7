import assert from "node:assert/strict";
import { createServer } from "node:net";
import type { Db } from "../../src/infra/prisma.js";
import { hashPassword } from "../../src/modules/auth/password.js";
import { type GraphQLResult, gql } from "./server.js";

// Shared by the hold tests: fans, their sessions, the hold operations and the invariants to check.

export const FAN_PASSWORD = "holds-test-passphrase";
/** Test servers log many fans in from one address: lift the per-IP login limit. */
export const MANY_LOGINS = { LOGIN_ATTEMPTS_PER_IP_PER_MINUTE: "100000" };
/** For tests of what checkout does: its request rate limit (rate-limits.test.ts) would refuse their volley. */
export const MANY_CHECKOUTS = {
  RATE_LIMITS: JSON.stringify({ "Mutation.checkout": { account: { points: 100_000, seconds: 60 } } }),
};

export const HOLD_SEATS = `mutation ($eventId: ID!, $seatIds: [ID!]!) {
  holdSeats(eventId: $eventId, seatIds: $seatIds) {
    id eventId expiresAt seats { id row number sectionId section price { amount currency } } total { amount currency } } }`;
export const HOLD_PLACES = `mutation ($eventId: ID!, $areaId: ID!, $quantity: Int!) {
  holdGeneralAdmission(eventId: $eventId, areaId: $areaId, quantity: $quantity) { id } }`;
export const HOLD_BEST = `mutation ($eventId: ID!, $quantity: Int!, $priceTierId: ID) {
  holdBestAvailable(eventId: $eventId, quantity: $quantity, priceTierId: $priceTierId) {
    id eventId expiresAt seats { id row number sectionId price { amount currency } } total { amount currency } } }`;
export const RELEASE_HOLD = "mutation ($holdId: ID!) { releaseHold(holdId: $holdId) }";
export const MY_HOLDS = "{ me { id holds { id eventId expiresAt seats { id } total { amount currency } } } }";

export interface HoldData {
  id: string;
  eventId: string;
  expiresAt: string;
  seats: { id: string; row: string; number: number; sectionId: string; price: { amount: number } }[];
  total: { amount: number; currency: string };
}

export interface Fan {
  id: string;
  email: string;
  cookie: string;
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on("error", reject);
  });
}

let passwordHash: Promise<string> | undefined;

/** Creates `count` fan accounts directly in the database (one password hash for all). */
export async function createFanAccounts(
  db: Db,
  count: number,
  tag: string,
): Promise<{ id: string; email: string }[]> {
  passwordHash ??= hashPassword(FAN_PASSWORD);
  const hash = await passwordHash;
  const emails = Array.from({ length: count }, (_, i) => `${tag}-${i}@holds.test`);
  await db.user.createMany({ data: emails.map((email) => ({ email, passwordHash: hash })) });
  return db.user.findMany({ where: { email: { in: emails } }, select: { id: true, email: true } });
}

export async function logIn(url: string, email: string, password = FAN_PASSWORD): Promise<string> {
  const result = await gql(
    url,
    "mutation ($e: String!, $p: String!) { logIn(email: $e, password: $p) { id } }",
    {
      e: email,
      p: password,
    },
  );
  assert.equal(result.errors, undefined, `log in ${email}: ${JSON.stringify(result.errors)}`);
  const cookie = result.headers.getSetCookie().find((value) => value.startsWith("frontrow_session="));
  assert.ok(cookie, `a session cookie for ${email}`);
  return cookie.split(";")[0] as string;
}

/** Fan accounts, signed in through the API (a few logins at a time: each verifies an Argon2 hash). */
export async function createFans(db: Db, url: string, count: number, tag: string): Promise<Fan[]> {
  const accounts = await createFanAccounts(db, count, tag);
  const fans: Fan[] = [];
  for (let i = 0; i < accounts.length; i += 8) {
    const batch = accounts.slice(i, i + 8);
    const cookies = await Promise.all(batch.map((account) => logIn(url, account.email)));
    batch.forEach((account, j) => {
      fans.push({ ...account, cookie: cookies[j] as string });
    });
  }
  return fans;
}

export function asFan<T = Record<string, unknown>>(
  url: string,
  fan: Pick<Fan, "cookie">,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResult<T>> {
  return gql<T>(url, query, variables, { cookie: fan.cookie });
}

export const errorCode = (result: GraphQLResult<unknown>) => result.errors?.[0]?.extensions?.code;

/** The id of a seeded event, by its slug (NOTABLE_EVENT_SLUGS). */
export async function eventIdOf(db: Db, slug: string): Promise<number> {
  return (await db.event.findUniqueOrThrow({ where: { slug }, select: { id: true } })).id;
}

/** Makes the event holdable now (on sale, sale open, no waiting room), with any other settings. */
export async function openEvent(
  db: Db,
  eventId: number,
  settings: { holdSeconds?: number; maxTicketsPerAccount?: number } = {},
): Promise<void> {
  await db.event.update({
    where: { id: eventId },
    data: {
      status: "ON_SALE",
      queueEnabled: false,
      saleStartsAt: new Date(Date.now() - 3_600_000),
      startsAt: new Date(Date.now() + 30 * 86_400_000),
      ...settings,
    },
  });
}

/**
 * Adds a standing section of `capacity` places to the event's chart, priced at the event's first tier
 * (the pricing trigger opens the area's inventory, event_area). Do it before any API reads the chart: a
 * published chart's layout is cached for good. The area's id.
 */
export async function standingArea(db: Db, eventId: number, name: string, capacity: number): Promise<number> {
  const [section] = await db.$queryRaw<{ id: number }[]>`
    INSERT INTO section (chart_id, name, kind, capacity, sort_order)
    SELECT e.chart_id, ${name}, 'STANDING', ${capacity},
           (SELECT max(s.sort_order) + 1 FROM section s WHERE s.chart_id = e.chart_id)
    FROM event e WHERE e.id = ${eventId}
    RETURNING id`;
  const areaId = (section as { id: number }).id;
  await db.$executeRaw`
    INSERT INTO section_pricing (event_id, section_id, price_tier_id)
    SELECT ${eventId}, ${areaId}, (SELECT id FROM price_tier WHERE event_id = ${eventId} ORDER BY id LIMIT 1)`;
  return areaId;
}

export interface EventSeatRow {
  seatId: number;
  sectionId: number;
  rowRank: number;
  number: number;
  priceTierId: number;
}

/** The event's seats for sale, by section, row (closest first) and number. */
export function eventSeats(db: Db, eventId: number): Promise<EventSeatRow[]> {
  return db.$queryRaw<EventSeatRow[]>`
    SELECT es.seat_id AS "seatId", s.section_id AS "sectionId", s.row_rank AS "rowRank", s.number,
           es.price_tier_id AS "priceTierId"
    FROM event_seat es JOIN seat s ON s.id = es.seat_id
    WHERE es.event_id = ${eventId}
    ORDER BY s.section_id, s.row_rank, s.number`;
}

/**
 * The hold invariants, straight from the tables: no seat in two active holds; every held seat's hold
 * is active and lists it; every active, unexpired hold holds exactly its seats.
 */
export async function assertHoldInvariants(db: Db, eventId: number): Promise<void> {
  const seatsInTwoHolds = await db.$queryRaw<{ seat_id: number }[]>`
    SELECT seat_id FROM hold h CROSS JOIN LATERAL unnest(h.seat_ids) AS seat_id
    WHERE h.event_id = ${eventId} AND h.state = 'ACTIVE' AND h.expires_at > now()
    GROUP BY seat_id HAVING count(*) > 1`;
  assert.deepEqual(seatsInTwoHolds, [], "no seat is in two active holds");
  const badHeldSeats = await db.$queryRaw<{ seat_id: number }[]>`
    SELECT es.seat_id FROM event_seat es LEFT JOIN hold h ON h.id = es.hold_id
    WHERE es.event_id = ${eventId} AND es.status = 'HELD'
      AND (h.id IS NULL OR h.state <> 'ACTIVE' OR NOT es.seat_id = ANY(h.seat_ids) OR es.held_until <> h.expires_at)`;
  assert.deepEqual(badHeldSeats, [], "every held seat belongs to an active hold that lists it");
  const badHolds = await db.$queryRaw<{ id: string }[]>`
    SELECT h.id FROM hold h
    WHERE h.event_id = ${eventId} AND h.state = 'ACTIVE' AND h.expires_at > now()
      AND cardinality(h.seat_ids) <> (SELECT count(*) FROM event_seat es
                                      WHERE es.hold_id = h.id AND es.status = 'HELD' AND es.event_id = h.event_id)`;
  assert.deepEqual(badHolds, [], "every active hold holds exactly its seats");
}
