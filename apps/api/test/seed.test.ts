import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { Db } from "../src/infra/prisma.js";
import { verifyPassword } from "../src/modules/auth/password.js";
import { generateChart } from "../src/modules/venues/chart-generator.js";
import { EVENTS } from "../src/seed/catalog.js";
import { buildEventPlans } from "../src/seed/event-plans.js";
import { DEMO_ACCOUNTS, NOTABLE_EVENT_SLUGS, type SeedSummary, seed, VENUE_SLUGS } from "../src/seed/seed.js";
import { hallCharts, stadiumCharts, theatreCharts } from "../src/seed/venue-charts.js";
import { VENUES } from "../src/seed/venues.js";
import { createTestDatabase } from "./support/database.js";

// A fixed `now` keeps the schedule (and DST handling) the same on every run of this file.
const NOW = new Date("2026-11-24T18:00:00.000Z");

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Db;
let summary: SeedSummary;
const progress: string[] = [];

before(async () => {
  database = await createTestDatabase({ seeded: false });
  db = database.db;
  summary = await seed(db, { now: NOW, log: (line) => progress.push(line) });
});

after(async () => {
  await database?.dispose();
});

async function tableCounts(): Promise<Record<string, number>> {
  const rows = await db.$queryRaw<{ name: string; count: number }[]>`
    SELECT 'user_account' AS "name", count(*)::int AS "count" FROM "user_account"
    UNION ALL SELECT 'venue', count(*)::int FROM "venue"
    UNION ALL SELECT 'section', count(*)::int FROM "section"
    UNION ALL SELECT 'seat', count(*)::int FROM "seat"
    UNION ALL SELECT 'performer', count(*)::int FROM "performer"
    UNION ALL SELECT 'event', count(*)::int FROM "event"
    UNION ALL SELECT 'price_tier', count(*)::int FROM "price_tier"
    UNION ALL SELECT 'section_pricing', count(*)::int FROM "section_pricing"
    UNION ALL SELECT 'event_seat', count(*)::int FROM "event_seat"
    UNION ALL SELECT 'hold', count(*)::int FROM "hold"`;
  return Object.fromEntries(rows.map((row) => [row.name, row.count]));
}

/** A summary without what differs between runs (timings, rows added). */
function countsOf({ timingsMs: _timings, totalMs: _total, inserted: _inserted, ...counts }: SeedSummary) {
  return counts;
}

async function eventBySlug(slug: string) {
  return db.event.findUniqueOrThrow({ where: { slug } });
}

describe("seed", () => {
  it("reports progress and finishes well under a minute", () => {
    assert.ok(progress.length >= 5, "one progress line per step");
    assert.ok(summary.totalMs < 60_000, `seeding took ${summary.totalMs} ms`);
  });

  it("creates venues in at least six cities, with IANA time zones and a stage", async () => {
    const venues = await db.venue.findMany();
    assert.ok(new Set(venues.map((venue) => venue.city)).size >= 6);
    for (const venue of venues) {
      assert.ok(venue.name.length > 0 && venue.address.length > 10, venue.slug);
      // Throws a RangeError for anything that is not a time zone Intl knows.
      assert.doesNotThrow(() => new Intl.DateTimeFormat("en", { timeZone: venue.timezone }), venue.timezone);
      assert.match(venue.timezone, /^[A-Z][a-z]+\/[A-Za-z_]+$/);
      assert.ok(venue.stageWidth > 0 && venue.stageHeight > 0, `${venue.slug} has a stage`);
    }
    const stadium = venues.find((venue) => venue.slug === VENUE_SLUGS.lisbonStadium);
    assert.equal(stadium?.stageLabel, "FIELD");
  });

  it("builds a ~300-seat theatre, a ~2,500-seat hall with a balcony and a 50,000+ seat stadium", async () => {
    const seats = summary.seatsByVenue;
    const theatre = seats[VENUE_SLUGS.amsterdamTheatre] ?? 0;
    const hall = seats[VENUE_SLUGS.berlinHall] ?? 0;
    assert.ok(theatre >= 250 && theatre <= 350, `theatre has ${theatre} seats`);
    assert.ok(hall >= 2_200 && hall <= 2_800, `hall has ${hall} seats`);
    assert.ok((seats[VENUE_SLUGS.lisbonStadium] ?? 0) >= 50_000);
    assert.equal(
      await db.seat.count({
        where: { section: { chart: { name: "Main", venue: { slug: VENUE_SLUGS.lisbonStadium } } } },
      }),
      seats[VENUE_SLUGS.lisbonStadium],
    );

    const theatreSections = await db.section.findMany({
      where: { chart: { venue: { slug: VENUE_SLUGS.amsterdamTheatre } } },
      orderBy: { sortOrder: "asc" },
    });
    assert.deepEqual(
      theatreSections.map((section) => section.name),
      ["Stalls", "Circle"],
    );
    const hallSections = await db.section.findMany({
      where: { chart: { venue: { slug: VENUE_SLUGS.berlinHall } } },
    });
    assert.ok(hallSections.some((section) => section.name.startsWith("Balcony")));
  });

  it("lays the stadium out as two rings of sections all around the field", async () => {
    const stadium = await db.venue.findUniqueOrThrow({
      where: { slug: VENUE_SLUGS.lisbonStadium },
      include: {
        charts: {
          where: { name: "Main" },
          include: { sections: { include: { seats: true }, orderBy: { sortOrder: "asc" } } },
        },
      },
    });
    const field = {
      left: stadium.stageX,
      top: stadium.stageY,
      right: stadium.stageX + stadium.stageWidth,
      bottom: stadium.stageY + stadium.stageHeight,
    };
    const distanceToField = (x: number, y: number) =>
      Math.hypot(Math.max(field.left - x, 0, x - field.right), Math.max(field.top - y, 0, y - field.bottom));
    const sides = { above: 0, below: 0, left: 0, right: 0 };
    const rings = new Set<string>();
    for (const section of stadium.charts.flatMap((chart) => chart.sections)) {
      rings.add(section.name.replace(/^Section (\d)\d\d$/, "$1"));
      const byRank = new Map<number, typeof section.seats>();
      for (const seat of section.seats) {
        assert.ok(distanceToField(seat.x, seat.y) > 3, `${section.name} seat ${seat.id} is off the field`);
        if (seat.y < field.top) sides.above += 1;
        if (seat.y > field.bottom) sides.below += 1;
        if (seat.x < field.left) sides.left += 1;
        if (seat.x > field.right) sides.right += 1;
        byRank.set(seat.rowRank, [...(byRank.get(seat.rowRank) ?? []), seat]);
      }
      const ranks = [...byRank.keys()].sort((a, b) => a - b);
      const front = byRank.get(ranks[0] ?? -1) ?? [];
      const back = byRank.get(ranks.at(-1) ?? -1) ?? [];
      const meanDistance = (seats: typeof front) =>
        seats.reduce((total, seat) => total + distanceToField(seat.x, seat.y), 0) / seats.length;
      assert.equal(ranks[0], 0, `${section.name} starts at rank 0`);
      assert.ok(
        meanDistance(front) < meanDistance(back) - 10,
        `${section.name}: rank 0 is nearest the field`,
      );
      for (const row of byRank.values()) {
        const numbers = row.map((seat) => seat.number).sort((a, b) => a - b);
        assert.deepEqual(
          numbers,
          numbers.map((_, index) => index + 1),
          `${section.name} row numbers run 1..n`,
        );
      }
    }
    assert.deepEqual([...rings].sort(), ["1", "2"], "a lower (1xx) and an upper (2xx) ring");
    for (const [side, count] of Object.entries(sides))
      assert.ok(count > 5_000, `${count} seats ${side} the field`);
  });

  it("gives the stadium a Concert chart with a standing pitch, and the Berlin hall a standing floor", async () => {
    const charts = await db.seatingChart.findMany({
      where: { venue: { slug: { in: [VENUE_SLUGS.lisbonStadium, VENUE_SLUGS.berlinHall] } } },
      include: { venue: true, sections: { include: { _count: { select: { seats: true } } } } },
    });
    const chart = (slug: string, name: string) => {
      const found = charts.find((candidate) => candidate.venue.slug === slug && candidate.name === name);
      assert.ok(found, `${slug} has a ${name} chart`);
      return found;
    };
    const seatsOf = (of: ReturnType<typeof chart>) =>
      of.sections.reduce((total, section) => total + section._count.seats, 0);
    const main = chart(VENUE_SLUGS.lisbonStadium, "Main");
    const concert = chart(VENUE_SLUGS.lisbonStadium, "Concert");
    assert.equal(seatsOf(concert), seatsOf(main));
    const pitch = concert.sections.find((section) => section.kind === "STANDING");
    assert.equal(pitch?.name, "Pitch Standing");
    assert.equal(pitch?.capacity, 8_000);
    assert.equal((pitch?.outline as unknown[] | undefined)?.length, 4);
    assert.ok(main.sections.every((section) => section.kind === "SEATED"));
    // Football matches keep the seated chart.
    const events = await db.event.findMany({
      where: { venue: { slug: VENUE_SLUGS.lisbonStadium }, category: "Sports" },
    });
    assert.ok(events.length > 0 && events.every((event) => event.chartId === main.id));
    // A concert on sale now, without a waiting room, sells the Concert chart with its pitch priced.
    const standing = await eventBySlug(NOTABLE_EVENT_SLUGS.stadiumStandingOnSale);
    assert.equal(standing.chartId, concert.id);
    assert.equal(standing.status, "ON_SALE");
    assert.equal(standing.queueEnabled, false);
    assert.ok(standing.saleStartsAt < NOW && standing.startsAt > NOW);
    const area = await db.eventArea.findUniqueOrThrow({
      where: { eventId_sectionId: { eventId: standing.id, sectionId: pitch?.id ?? 0 } },
    });
    assert.deepEqual([area.capacity, area.available], [8_000, 8_000]);
    const floor = chart(VENUE_SLUGS.berlinHall, "Standing Floor");
    assert.deepEqual(
      floor.sections.filter((section) => section.kind === "STANDING").map((section) => section.capacity),
      [1_500],
    );
  });

  it("marks a few accessible seats in every section", async () => {
    const perSection = await db.$queryRaw<{ name: string; accessible: number }[]>`
      SELECT sec."name", count(*) FILTER (WHERE s."accessible")::int AS "accessible"
      FROM "section" sec JOIN "seat" s ON s."section_id" = sec."id"
      GROUP BY sec."id", sec."name"`;
    for (const section of perSection) {
      assert.ok(section.accessible >= 2 && section.accessible <= 8, `${section.name}: ${section.accessible}`);
    }
  });

  it("puts wheelchair spaces, each with a companion seat beside it, in every venue's step-free rows", async () => {
    const perVenue = await db.$queryRaw<{ slug: string; wheelchair: number; companion: number }[]>`
      SELECT v.slug, count(*) FILTER (WHERE s.wheelchair)::int AS wheelchair,
             count(*) FILTER (WHERE s.companion)::int AS companion
      FROM venue v JOIN seating_chart c ON c.venue_id = v.id AND c.name = 'Main'
      JOIN section sec ON sec.chart_id = c.id JOIN seat s ON s.section_id = sec.id
      GROUP BY v.slug`;
    assert.deepEqual(Object.fromEntries(perVenue.map((venue) => [venue.slug, venue.wheelchair])), {
      [VENUE_SLUGS.amsterdamTheatre]: 6,
      [VENUE_SLUGS.madridTheatre]: 6,
      [VENUE_SLUGS.copenhagenTheatre]: 6,
      [VENUE_SLUGS.berlinHall]: 20,
      [VENUE_SLUGS.parisHall]: 20,
      [VENUE_SLUGS.viennaHall]: 26,
      [VENUE_SLUGS.lisbonStadium]: 272,
    });
    assert.ok(perVenue.every((venue) => venue.companion === venue.wheelchair));
    const alone = await db.$queryRaw<{ id: number }[]>`
      SELECT w.id FROM seat w
      WHERE w.wheelchair AND NOT EXISTS (
        SELECT 1 FROM seat c
        WHERE c.section_id = w.section_id AND c.row_rank = w.row_rank AND c.companion
          AND abs(c.number - w.number) = 1)`;
    assert.deepEqual(alone, [], "every wheelchair space has a companion seat beside it");
  });

  it("schedules 40+ events in at least five categories, past, on sale, upcoming and draft", async () => {
    const events = await db.event.findMany();
    assert.ok(events.length >= 40);
    assert.ok(new Set(events.map((event) => event.category)).size >= 5);
    assert.ok(events.every((event) => event.description.length > 20));
    assert.ok(events.every((event) => event.saleStartsAt <= event.startsAt));
    const now = NOW.getTime();
    const ended = events.filter((event) => event.status === "ENDED");
    const onSale = events.filter((event) => event.status === "ON_SALE");
    const drafts = events.filter((event) => event.status === "DRAFT");
    assert.ok(ended.length >= 3 && ended.every((event) => event.startsAt.getTime() < now));
    assert.ok(onSale.every((event) => event.startsAt.getTime() > now));
    assert.ok(onSale.filter((event) => event.saleStartsAt.getTime() < now).length >= 15, "many open sales");
    assert.ok(onSale.filter((event) => event.saleStartsAt.getTime() > now).length >= 2, "sales not open yet");
    assert.ok(drafts.length >= 1 && drafts.length <= 2);
    assert.deepEqual(summary.eventsByStatus, {
      CANCELLED: 1,
      DRAFT: drafts.length,
      ENDED: ended.length,
      ON_SALE: onSale.length,
    });
  });

  it("puts two waiting-room events on the stadium: one on sale now, one opening later", async () => {
    const stadium = await db.venue.findUniqueOrThrow({ where: { slug: VENUE_SLUGS.lisbonStadium } });
    const queued = await db.event.findMany({ where: { queueEnabled: true } });
    assert.ok(queued.every((event) => event.venueId === stadium.id && event.powDifficulty === 0));
    const open = await eventBySlug(NOTABLE_EVENT_SLUGS.stadiumQueueOnSale);
    const upcoming = await eventBySlug(NOTABLE_EVENT_SLUGS.stadiumQueueUpcoming);
    for (const event of [open, upcoming]) {
      assert.equal(event.queueEnabled, true);
      assert.equal(event.status, "ON_SALE");
      assert.ok(event.admissionRatePerMinute >= 200 && event.admissionRatePerMinute <= 400);
    }
    assert.ok(open.saleStartsAt < NOW && open.startsAt > NOW);
    assert.ok(upcoming.saleStartsAt > NOW);
  });

  it("uses per-account ticket limits of 4, 6 and 8 and per-ticket fees", async () => {
    const events = await db.event.findMany({
      select: { maxTicketsPerAccount: true, feePerTicketMinor: true },
    });
    const limits = new Set(events.map((event) => event.maxTicketsPerAccount));
    for (const limit of [4, 6, 8]) assert.ok(limits.has(limit), `some event allows ${limit} tickets`);
    assert.ok(events.filter((event) => event.feePerTicketMinor > 0).length >= 5);
  });

  it("prices each event in 2-5 tiers of integer minor units in the event's currency", async () => {
    const events = await db.event.findMany({ include: { priceTiers: true } });
    for (const event of events) {
      assert.ok(event.priceTiers.length >= 2 && event.priceTiers.length <= 5, event.slug);
      for (const tier of event.priceTiers) {
        assert.ok(Number.isInteger(tier.priceMinor) && tier.priceMinor > 0, `${event.slug} ${tier.name}`);
        assert.equal(tier.currency, event.currency);
      }
    }
    assert.ok(events.filter((event) => event.currency === "EUR").length > events.length / 2, "mostly EUR");
  });

  it("gives every seat of an on-sale event's priced sections an AVAILABLE event seat at the section's tier", async () => {
    const [check] = await db.$queryRaw<{ missing: number; wrongTier: number; pricedSeats: number }[]>`
      SELECT count(*) FILTER (WHERE es."seat_id" IS NULL)::int AS "missing",
             count(*) FILTER (WHERE es."price_tier_id" <> sp."price_tier_id")::int AS "wrongTier",
             count(*)::int AS "pricedSeats"
      FROM "event" e
      JOIN "section_pricing" sp ON sp."event_id" = e."id"
      JOIN "seat" s ON s."section_id" = sp."section_id"
      LEFT JOIN "event_seat" es ON es."event_id" = e."id" AND es."seat_id" = s."id"
      WHERE e."status" = 'ON_SALE'`;
    assert.ok(check && check.pricedSeats > 100_000);
    assert.equal(check?.missing, 0);
    assert.equal(check?.wrongTier, 0);
    const [extra] = await db.$queryRaw<{ unpriced: number; notAvailable: number }[]>`
      SELECT count(*) FILTER (WHERE sp."section_id" IS NULL)::int AS "unpriced",
             count(*) FILTER (WHERE es."status" <> 'AVAILABLE')::int AS "notAvailable"
      FROM "event_seat" es
      JOIN "seat" s ON s."id" = es."seat_id"
      LEFT JOIN "section_pricing" sp ON sp."event_id" = es."event_id" AND sp."section_id" = s."section_id"`;
    assert.deepEqual(extra, { unpriced: 0, notAvailable: 0 });
    const onSaleEvents = await db.event.count({ where: { status: "ON_SALE" } });
    const eventsWithSeats = await db.event.count({ where: { status: "ON_SALE", eventSeats: { some: {} } } });
    assert.equal(eventsWithSeats, onSaleEvents);
  });

  it("leaves a small section unpriced (not for sale) for some events", async () => {
    const concert = await db.event.findUniqueOrThrow({
      where: { slug: NOTABLE_EVENT_SLUGS.hallOnSaleChoirUnpriced },
      include: { chart: { include: { sections: { include: { pricings: true } } } } },
    });
    const unpriced = concert.chart.sections.filter(
      (section) => !section.pricings.some((pricing) => pricing.eventId === concert.id),
    );
    assert.deepEqual(
      unpriced.map((section) => section.name),
      ["Choir"],
    );
    const choirId = unpriced[0]?.id ?? -1;
    assert.equal(
      await db.eventSeat.count({ where: { eventId: concert.id, seat: { sectionId: choirId } } }),
      0,
    );
    const choirSeats = await db.seat.count({ where: { sectionId: choirId } });
    assert.ok(choirSeats > 0 && choirSeats < 200, "a small section");

    const classical = await eventBySlug(NOTABLE_EVENT_SLUGS.hallOnSaleAllPriced);
    assert.ok(
      (await db.eventSeat.count({ where: { eventId: classical.id, seat: { sectionId: choirId } } })) > 0,
    );
  });

  it("creates demo accounts that can log in, and lets the organizer own most events", async () => {
    for (const account of Object.values(DEMO_ACCOUNTS)) {
      const user = await db.user.findUniqueOrThrow({ where: { email: account.email } });
      assert.equal(user.role, account.role);
      assert.match(user.passwordHash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      assert.equal(await verifyPassword(user.passwordHash, account.password), true, account.email);
      assert.equal(await verifyPassword(user.passwordHash, `${account.password}x`), false);
    }
    const organizer = await db.user.findUniqueOrThrow({ where: { email: DEMO_ACCOUNTS.organizer.email } });
    const organized = await db.event.count({ where: { organizerId: organizer.id } });
    assert.ok(organized > summary.events / 2, `${organized} of ${summary.events} events`);
  });

  it("adds nothing on a second run and keeps what fans did in between", async () => {
    const countsBefore = await tableCounts();
    // A fan's live hold on one seat must survive the re-seed untouched.
    const fan = await db.user.findUniqueOrThrow({ where: { email: DEMO_ACCOUNTS.fan.email } });
    const event = await eventBySlug(NOTABLE_EVENT_SLUGS.theatreOnSale);
    const eventSeat = await db.eventSeat.findFirstOrThrow({
      where: { eventId: event.id },
      include: { priceTier: true },
      orderBy: { seatId: "asc" },
    });
    const heldUntil = new Date(Date.now() + 600_000);
    const hold = await db.hold.create({
      data: {
        userId: fan.id,
        eventId: event.id,
        seatIds: [eventSeat.seatId],
        seatPrices: [eventSeat.priceTier.priceMinor],
        totalMinor: eventSeat.priceTier.priceMinor,
        currency: event.currency,
        expiresAt: heldUntil,
      },
    });
    await db.eventSeat.update({
      where: { eventId_seatId: { eventId: event.id, seatId: eventSeat.seatId } },
      data: { status: "HELD", holdId: hold.id, heldUntil, version: { increment: 1 } },
    });

    const again = await seed(db, { now: NOW });

    assert.deepEqual(await tableCounts(), { ...countsBefore, hold: (countsBefore.hold ?? 0) + 1 });
    assert.deepEqual(again.inserted, { seats: 0, eventSeats: 0 });
    assert.deepEqual(countsOf(again), countsOf(summary));
    const afterReseed = await db.eventSeat.findUniqueOrThrow({
      where: { eventId_seatId: { eventId: event.id, seatId: eventSeat.seatId } },
    });
    assert.equal(afterReseed.status, "HELD");
    assert.equal(afterReseed.holdId, hold.id);
  });
});

describe("seed data builders", () => {
  // Digests of every seat (row, rank, number, coordinates, accessible, wheelchair, companion) and the stage
  // of each seeded venue. The geometry is the seed's own from before its charts went through the venues
  // module's generator (commit 03a6cd5); the wheelchair and companion flags joined the digest when the
  // seed gained wheelchair spaces (the seat counts, geometry and accessible flags did not change: without
  // the two new flags the digests are still e0ed828ca5b7ebf1, d48aefa6…, as before).
  it("lay the venues' Main charts out exactly as the seed's geometry did", () => {
    const digests = Object.fromEntries(
      VENUES.map((spec) => {
        const { stage, charts } = spec.charts();
        const hash = createHash("sha256").update(JSON.stringify(stage));
        let seats = 0;
        for (const section of generateChart(charts[0] ?? { name: "", sections: [] }).sections) {
          hash.update(`|${section.name}`);
          for (const seat of section.seats) {
            seats++;
            hash.update(
              `${seat.rowLabel},${seat.rowRank},${seat.number},${seat.x},${seat.y},${seat.accessible},` +
                `${seat.wheelchair},${seat.companion};`,
            );
          }
        }
        return [spec.slug, `${seats} ${hash.digest("hex").slice(0, 16)}`];
      }),
    );
    assert.deepEqual(digests, {
      [VENUE_SLUGS.amsterdamTheatre]: "307 aa90dd7f6c7f1b51",
      [VENUE_SLUGS.madridTheatre]: "328 b083e54d748dfe3a",
      [VENUE_SLUGS.copenhagenTheatre]: "288 a3fa6ccba45cd5fa",
      [VENUE_SLUGS.berlinHall]: "2436 d009733119b0c3fe",
      [VENUE_SLUGS.parisHall]: "2123 13e236cc5061e5c1",
      [VENUE_SLUGS.viennaHall]: "2598 4ea1e9f62b4390ab",
      [VENUE_SLUGS.lisbonStadium]: "52800 0238805ea55b2c8c",
    });
  });

  it("generate the same layouts and schedule every time", () => {
    assert.deepEqual(stadiumCharts(), stadiumCharts());
    assert.deepEqual(hallCharts(), hallCharts());
    assert.deepEqual(theatreCharts(), theatreCharts());
    assert.deepEqual(buildEventPlans(NOW, VENUES), buildEventPlans(new Date(NOW), VENUES));
  });

  it("start shows at the venue's local wall-clock time, across daylight-saving changes", () => {
    const specs = new Map(EVENTS.map((spec) => [spec.slug, spec]));
    // Europe moves its clocks forward on 2026-03-29: schedule from before it, after it and in winter.
    for (const now of [new Date("2026-03-20T09:00:00Z"), new Date("2026-03-30T09:00:00Z"), NOW]) {
      for (const plan of buildEventPlans(now, VENUES)) {
        const venue = VENUES.find((candidate) => candidate.slug === plan.venueSlug);
        const local = new Intl.DateTimeFormat("en-GB", {
          timeZone: venue?.timezone,
          hourCycle: "h23",
          hour: "2-digit",
          minute: "2-digit",
        }).format(plan.startsAt);
        const expected = specs.get(plan.slug)?.time;
        if (expected) assert.equal(local, expected, plan.slug);
        else assert.match(local, /^(1\d|2[0-2]):(00|30|45)$/, `${plan.slug} starts at ${local}`);
      }
    }
  });
});
