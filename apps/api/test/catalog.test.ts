import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createPrisma, type Db } from "../src/infra/prisma.js";
import { NOTABLE_EVENT_SLUGS } from "../src/seed/seed.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { dataOf, gql, startTestServer, type TestServer } from "./support/server.js";

interface EventNode {
  id: string;
  name: string;
  category: string;
  startsAt: string;
  onSale: boolean;
  status: string;
  venue: { city: string; name: string };
  performer: { name: string };
}
interface EventsData {
  events: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: EventNode }[];
  };
}

const EVENTS = `query Events($filter: EventFilter, $first: Int, $after: String) {
  events(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id name category startsAt onSale status venue { name city } performer { name } } }
  }
}`;

let database: TestDatabase;
let api: TestServer;
let countingDb: Db;
let statements: string[] = [];

before(async () => {
  database = await createTestDatabase({ seeded: true });
  countingDb = createPrisma(database.url, { onQuery: (sql) => statements.push(sql) });
  // The background jobs share the client; keep their statements out of the count.
  const quietJobs = {
    HOLD_SWEEP_INTERVAL_MS: "3600000",
    PAYMENT_RECOVERY_INTERVAL_MS: "3600000",
    OUTBOX_RELAY_INTERVAL_MS: "3600000",
    WAITLIST_SCAN_INTERVAL_MS: "3600000",
    SEAT_MAP_AUDIT_INTERVAL_MS: "0",
    SALES_FOLD_INTERVAL_MS: "0",
  };
  api = await startTestServer(database.url, quietJobs, { db: countingDb });
});

after(async () => {
  await api.close();
  await database.dispose();
});

async function events(filter: Record<string, unknown> = {}, first = 100, after?: string) {
  return dataOf(await gql<EventsData>(api.url, EVENTS, { filter, first, after })).events;
}

async function allPages(filter: Record<string, unknown>, pageSize: number) {
  const nodes: EventNode[] = [];
  let after: string | undefined;
  for (let page = 0; page < 100; page++) {
    const result = await events(filter, pageSize, after);
    nodes.push(...result.edges.map((edge) => edge.node));
    if (!result.pageInfo.hasNextPage) return { nodes, totalCount: result.totalCount };
    after = result.pageInfo.endCursor ?? undefined;
  }
  throw new Error("pagination did not end");
}

describe("events", () => {
  test("lists upcoming published events soonest first; drafts and past events are hidden", async () => {
    const { nodes, totalCount } = await allPages({}, 100);
    const expected = await database.db.event.count({
      where: { status: { not: "DRAFT" }, startsAt: { gte: new Date() } },
    });
    assert.equal(totalCount, expected);
    assert.equal(nodes.length, expected);
    assert.ok(nodes.every((node) => node.status !== "DRAFT" && Date.parse(node.startsAt) >= Date.now()));
    const times = nodes.map((node) => Date.parse(node.startsAt));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
    const draft = await database.db.event.findUniqueOrThrow({ where: { slug: NOTABLE_EVENT_SLUGS.draft } });
    const withPast = await allPages({ includePast: true }, 100);
    assert.ok(withPast.totalCount > totalCount, "includePast adds the events that already happened");
    assert.ok(!withPast.nodes.some((node) => node.id === String(draft.id)));
  });

  test("cursor pagination walks every event exactly once, whatever the page size", async () => {
    const whole = await allPages({ includePast: true }, 100);
    for (const size of [1, 7, 20]) {
      const paged = await allPages({ includePast: true }, size);
      assert.deepEqual(
        paged.nodes.map((node) => node.id),
        whole.nodes.map((node) => node.id),
        `pages of ${size}`,
      );
      assert.equal(paged.totalCount, whole.totalCount);
    }
  });

  test("text search matches name, performer, venue and city, every word, case-insensitively", async () => {
    const byVenue = await events({ search: "tejo" });
    assert.ok(byVenue.totalCount >= 2);
    assert.ok(
      byVenue.edges.every(({ node }) =>
        /tejo/i.test(`${node.name} ${node.performer.name} ${node.venue.name}`),
      ),
    );
    const byCity = await events({ search: "LISBON" });
    assert.ok(byCity.edges.length > 0 && byCity.edges.every(({ node }) => node.venue.city === "Lisbon"));
    const byPerformer = await events({ search: "aurora vale" });
    assert.ok(byPerformer.edges.some(({ node }) => node.performer.name === "Aurora Vale"));
    assert.equal((await events({ search: "tejo paris" })).totalCount, 0, "all words must match");
    assert.equal((await events({ search: "no-such-thing-anywhere" })).totalCount, 0);
  });

  test("filters by city, category, date range and on-sale state", async () => {
    const berlin = await events({ city: "berlin" });
    assert.ok(berlin.totalCount > 0 && berlin.edges.every(({ node }) => node.venue.city === "Berlin"));
    const comedy = await events({ category: "Comedy" });
    assert.ok(comedy.totalCount > 0 && comedy.edges.every(({ node }) => node.category === "Comedy"));
    const from = new Date(Date.now() + 7 * 86_400_000);
    const to = new Date(Date.now() + 30 * 86_400_000);
    const ranged = await events({ startsAfter: from.toISOString(), startsBefore: to.toISOString() });
    assert.ok(ranged.totalCount > 0);
    for (const { node } of ranged.edges) {
      const startsAt = Date.parse(node.startsAt);
      assert.ok(startsAt >= from.getTime() && startsAt < to.getTime());
    }
    const onSale = await events({ onSale: true });
    const notOnSale = await events({ onSale: false });
    assert.ok(onSale.totalCount > 0 && onSale.edges.every(({ node }) => node.onSale));
    assert.ok(notOnSale.totalCount > 0 && notOnSale.edges.every(({ node }) => !node.onSale));
    assert.equal(onSale.totalCount + notOnSale.totalCount, (await events()).totalCount);
  });

  test("bad arguments are client errors with stable codes, never 500s", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ first: 101 }, /first must be between 1 and 100/],
      [{ first: 0 }, /first must be between 1 and 100/],
      [{ after: "not-a-cursor" }, /not a cursor/],
      [{ filter: { search: "x".repeat(101) } }, /search/],
      [
        { filter: { startsAfter: "2030-01-02T00:00:00Z", startsBefore: "2030-01-01T00:00:00Z" } },
        /startsAfter must be before startsBefore/,
      ],
    ];
    for (const [variables, message] of cases) {
      const result = await gql(api.url, EVENTS, variables);
      assert.equal(result.status, 200);
      assert.equal(result.errors?.[0]?.extensions?.code, "BAD_USER_INPUT", JSON.stringify(variables));
      assert.match(result.errors?.[0]?.message ?? "", message);
    }
    const badDate = await gql(api.url, EVENTS, { filter: { startsAfter: "yesterday" } });
    assert.equal(badDate.status, 200);
    assert.equal(badDate.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
  });
});

describe("event and venue", () => {
  test("event(id) returns a published event with tiers and availability, null for unknown or draft", async () => {
    const stadium = await database.db.event.findUniqueOrThrow({
      where: { slug: NOTABLE_EVENT_SLUGS.stadiumOnSale },
    });
    const draft = await database.db.event.findUniqueOrThrow({ where: { slug: NOTABLE_EVENT_SLUGS.draft } });
    const query = `query ($id: ID!) { event(id: $id) { id name onSale venue { id capacity }
      priceTiers { id name price { amount currency } sectionIds }
      availability { available held sold accessibleAvailable } } }`;
    const data = dataOf(
      await gql<{
        event: {
          onSale: boolean;
          venue: { id: string; capacity: number };
          priceTiers: { price: { amount: number; currency: string }; sectionIds: string[] }[];
          availability: { available: number; held: number; sold: number; accessibleAvailable: number };
        };
      }>(api.url, query, { id: String(stadium.id) }),
    );
    assert.equal(data.event.onSale, true);
    assert.ok(data.event.venue.capacity >= 50_000);
    assert.ok(data.event.priceTiers.length >= 2);
    assert.ok(data.event.priceTiers.every((tier) => tier.price.amount > 0 && tier.sectionIds.length > 0));
    const eventSeats = await database.db.eventSeat.count({ where: { eventId: stadium.id } });
    // The seed's wheelchair spaces (each with a companion seat) are all free: the event page says so.
    assert.deepEqual(data.event.availability, {
      available: eventSeats,
      held: 0,
      sold: 0,
      accessibleAvailable: 272,
    });
    assert.equal(dataOf(await gql<{ event: null }>(api.url, query, { id: String(draft.id) })).event, null);
    assert.equal(dataOf(await gql<{ event: null }>(api.url, query, { id: "999999" })).event, null);
    const bad = await gql(api.url, query, { id: "abc" });
    assert.equal(bad.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
    const venue = dataOf(
      await gql<{ venue: { name: string; timezone: string } }>(
        api.url,
        `query ($id: ID!) { venue(id: $id) { name timezone } }`,
        {
          id: data.event.venue.id,
        },
      ),
    );
    assert.equal(venue.venue.timezone, "Europe/Lisbon");
  });

  test("categories and cities list the values the filters accept", async () => {
    const data = dataOf(
      await gql<{ categories: string[]; cities: string[] }>(api.url, "{ categories cities }"),
    );
    assert.ok(data.categories.length >= 5 && data.categories.includes("Concert"));
    assert.ok(data.cities.length >= 6 && data.cities.includes("Lisbon"));
  });
});

test("a page of events with venue, performer, tiers and availability costs a fixed number of SQL queries", async () => {
  const query = `query ($first: Int) { events(first: $first, filter: { includePast: true }) { totalCount edges { node {
    id venue { name city capacity } performer { name } priceTiers { name price { amount } sectionIds }
    availability { available held sold } } } } }`;
  const countFor = async (first: number) => {
    statements = [];
    // A distinct operation text each time, so the shared response cache cannot answer it.
    const result = await gql<EventsData>(api.url, `${query} # ${first} ${Math.random()}`, { first });
    dataOf(result);
    return { statements: statements.length, events: result.data?.events.edges.length ?? 0 };
  };
  const small = await countFor(3);
  const large = await countFor(100);
  assert.equal(small.events, 3);
  assert.ok(large.events > 30, `a large page (${large.events} events)`);
  assert.ok(
    large.statements <= 8,
    `at most 8 statements for ${large.events} events, saw ${large.statements}`,
  );
  assert.equal(large.statements, small.statements, "the number of statements does not grow with the page");
});
