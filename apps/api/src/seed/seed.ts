// `pnpm db:seed`: deterministic demo data for Frontrow.
//
// Demo accounts (public passwords, for local use only):
//   fan@frontrow.test        fan-password-1       FAN
//   fan2@frontrow.test       fan-password-2       FAN
//   organizer@frontrow.test  organizer-password   ORGANIZER (organizes most events)
//   admin@frontrow.test      admin-password       ADMIN
//
// What it creates: venues in seven cities (~300-seat theatres, ~2,500-seat halls and a stadium of
// over 50,000 seats), a few dozen performers and 40+ events across six categories, with price
// tiers, section pricing and one AVAILABLE event_seat per seat on sale. Event dates are relative to `now`
// (default: the current hour), so a given `now` always yields the same data.
//
// Idempotent: everything is matched on natural keys and existing rows are left as they are, so a
// second run adds nothing, and holds, orders and seat statuses fans created survive a re-seed.
// (A consequence: re-seeding an old database does not move its events to new dates.)
import { performance } from "node:perf_hooks";
import type { Db } from "../infra/prisma.js";
import { DEMO_ACCOUNTS, seedAccounts } from "./accounts.js";
import { PERFORMERS } from "./catalog.js";
import { buildEventPlans, currentHour } from "./event-plans.js";
import { VENUES } from "./venues.js";
import { writeEventSeats, writeEvents, writePerformers, writePricing } from "./write-catalog.js";
import { type SeededVenue, writeVenue } from "./write-venues.js";

export interface SeedOptions {
  /** The instant event dates are relative to; defaults to the current time truncated to the hour. */
  now?: Date;
  /** Receives one progress line per step. */
  log?: (line: string) => void;
}

/** Row counts in the database once the seed has run, plus how long each step took. */
export interface SeedSummary {
  now: Date;
  users: number;
  venues: number;
  cities: string[];
  sections: number;
  seats: number;
  /** Seats of each venue's Main chart (the one its events sell), by venue slug. */
  seatsByVenue: Record<string, number>;
  performers: number;
  events: number;
  eventsByStatus: Record<string, number>;
  eventsByCategory: Record<string, number>;
  priceTiers: number;
  sectionPricings: number;
  eventSeats: number;
  /** Rows this run added (0 everywhere on a re-run). */
  inserted: { seats: number; eventSeats: number };
  timingsMs: Record<string, number>;
  totalMs: number;
}

export { DEMO_ACCOUNTS } from "./accounts.js";
export { NOTABLE_EVENT_SLUGS } from "./catalog.js";
export { VENUE_SLUGS } from "./venues.js";

const formatCount = (count: number) => count.toLocaleString("en-US");

export async function seed(db: Db, options: SeedOptions = {}): Promise<SeedSummary> {
  const now = options.now ?? currentHour();
  const log = options.log ?? (() => {});
  const timingsMs: Record<string, number> = {};
  const startedAt = performance.now();

  async function step<T>(name: string, run: () => Promise<T>, describe: (result: T) => string): Promise<T> {
    const stepStartedAt = performance.now();
    let result: T;
    try {
      result = await run();
    } catch (error) {
      log(`${name.padEnd(12)} FAILED`);
      throw error;
    }
    const elapsed = Math.round(performance.now() - stepStartedAt);
    timingsMs[name] = elapsed;
    log(`${name.padEnd(12)} ${describe(result)} (${elapsed} ms)`);
    return result;
  }

  const accountIds = await step(
    "accounts",
    () => seedAccounts(db),
    (ids) => `${ids.size} demo accounts`,
  );
  const organizerId = accountIds.get(DEMO_ACCOUNTS.organizer.email);
  if (!organizerId) throw new Error("seed: the demo organizer account is missing");

  const venues = new Map<string, SeededVenue>();
  let insertedSeats = 0;
  for (const spec of VENUES) {
    const venue = await step(
      `venue ${venues.size + 1}/${VENUES.length}`,
      () => writeVenue(db, spec, organizerId),
      (result) =>
        `${spec.name}, ${spec.city}: ${result.sections.length} sections, ` +
        `${formatCount(result.insertedSeats)} seats inserted`,
    );
    venues.set(spec.slug, venue);
    insertedSeats += venue.insertedSeats;
  }

  const performers = await step(
    "performers",
    () => writePerformers(db, PERFORMERS),
    (ids) => `${ids.size} performers`,
  );
  const plans = buildEventPlans(now, VENUES);
  const events = await step(
    "events",
    () => writeEvents(db, plans, { performers, venues, organizerId }),
    (seeded) => `${seeded.length} events`,
  );
  await step(
    "pricing",
    () => writePricing(db, events, venues),
    (inserted) =>
      `${inserted.insertedTiers} price tiers, ${inserted.insertedPricings} section pricings inserted`,
  );
  const insertedEventSeats = await step(
    "event seats",
    () =>
      writeEventSeats(
        db,
        events.map((event) => event.id),
      ),
    (count) => `${formatCount(count)} event seats inserted`,
  );
  if (insertedSeats + insertedEventSeats > 0) {
    // Fresh statistics, so the first queries against a just-seeded database get sensible plans.
    await step(
      "analyze",
      () => db.$executeRaw`ANALYZE "seat", "event_seat", "section_pricing", "price_tier", "event"`,
      () => "planner statistics refreshed",
    );
  }

  const counts = await step(
    "summary",
    () => countRows(db),
    () => "counted",
  );
  return {
    now,
    ...counts,
    inserted: { seats: insertedSeats, eventSeats: insertedEventSeats },
    timingsMs,
    totalMs: Math.round(performance.now() - startedAt),
  };
}

type RowCounts = Omit<SeedSummary, "now" | "inserted" | "timingsMs" | "totalMs">;

async function countRows(db: Db): Promise<RowCounts> {
  const [users, venues, sections, seats, performers, events, priceTiers, sectionPricings, eventSeats] =
    await Promise.all([
      db.user.count(),
      db.venue.findMany({ select: { city: true } }),
      db.section.count(),
      db.seat.count(),
      db.performer.count(),
      db.event.count(),
      db.priceTier.count(),
      db.sectionPricing.count(),
      db.eventSeat.count(),
    ]);
  const [byStatus, byCategory, byVenue] = await Promise.all([
    db.event.groupBy({ by: ["status"], _count: { _all: true }, orderBy: { status: "asc" } }),
    db.event.groupBy({ by: ["category"], _count: { _all: true }, orderBy: { category: "asc" } }),
    db.$queryRaw<{ slug: string; seats: number }[]>`
      SELECT v."slug", count(s."id")::int AS "seats"
      FROM "venue" v
      LEFT JOIN "seating_chart" chart ON chart."venue_id" = v."id" AND chart."name" = 'Main'
      LEFT JOIN "section" sec ON sec."chart_id" = chart."id"
      LEFT JOIN "seat" s ON s."section_id" = sec."id"
      GROUP BY v."slug"
      ORDER BY v."slug"`,
  ]);
  return {
    users,
    venues: venues.length,
    cities: [...new Set(venues.map((venue) => venue.city))].sort(),
    sections,
    seats,
    seatsByVenue: Object.fromEntries(byVenue.map((row) => [row.slug, row.seats])),
    performers,
    events,
    eventsByStatus: Object.fromEntries(byStatus.map((row) => [row.status, row._count._all])),
    eventsByCategory: Object.fromEntries(byCategory.map((row) => [row.category, row._count._all])),
    priceTiers,
    sectionPricings,
    eventSeats,
  };
}
