// Writes performers, events, price tiers, section pricing and event seats. Idempotent: keyed on
// slugs, (event, tier name) and (event, section/seat); existing rows, including the status of
// event seats fans have held or bought, are never changed.
import type { Db } from "../infra/prisma.js";
import { freezeChart } from "../modules/venues/chart-store.js";
import type { PerformerSpec } from "./catalog.js";
import type { EventPlan } from "./event-plans.js";
import type { SeededVenue } from "./write-venues.js";

export async function writePerformers(
  db: Db,
  performers: readonly PerformerSpec[],
): Promise<Map<string, number>> {
  await db.performer.createMany({ data: [...performers], skipDuplicates: true });
  const rows = await db.performer.findMany({
    where: { slug: { in: performers.map((performer) => performer.slug) } },
    select: { id: true, slug: true },
  });
  return new Map(rows.map((row) => [row.slug, row.id]));
}

function required<K, V>(map: Map<K, V>, key: K, what: string): V {
  const value = map.get(key);
  if (value === undefined) throw new Error(`seed: no ${what} ${String(key)}`);
  return value;
}

export interface SeededEvent {
  id: number;
  plan: EventPlan;
}

export async function writeEvents(
  db: Db,
  plans: readonly EventPlan[],
  refs: { performers: Map<string, number>; venues: Map<string, SeededVenue>; organizerId: string },
): Promise<SeededEvent[]> {
  await db.event.createMany({
    data: plans.map((plan) => {
      const venue = required(refs.venues, plan.venueSlug, "venue");
      return {
        slug: plan.slug,
        name: plan.name,
        description: plan.description,
        category: plan.category,
        performerId: required(refs.performers, plan.performerSlug, "performer"),
        venueId: venue.id,
        chartId: venue.chartId,
        organizerId: plan.organized ? refs.organizerId : null,
        startsAt: plan.startsAt,
        saleStartsAt: plan.saleStartsAt,
        status: plan.status,
        currency: plan.currency,
        maxTicketsPerAccount: plan.maxTicketsPerAccount,
        feePerTicketMinor: plan.feePerTicketMinor,
        queueEnabled: plan.queueEnabled,
        admissionRatePerMinute: plan.admissionRatePerMinute,
        maxActiveShoppers: plan.maxActiveShoppers,
        // The waiting room's proof of work stays off in the demo data (cheap for scripted clients).
        powDifficulty: 0,
      };
    }),
    skipDuplicates: true,
  });
  const rows = await db.event.findMany({
    where: { slug: { in: plans.map((plan) => plan.slug) } },
    select: { id: true, slug: true },
  });
  const ids = new Map(rows.map((row) => [row.slug, row.id]));
  const seeded = plans.map((plan) => ({ id: required(ids, plan.slug, "event"), plan }));
  // The charts of published events are frozen, as publishing does (docs/database.md).
  for (const event of seeded) {
    if (event.plan.status !== "DRAFT")
      await freezeChart(db, required(refs.venues, event.plan.venueSlug, "venue").chartId);
  }
  return seeded;
}

/** Price tiers (most expensive first) and the tier each section sells at; unmatched zones stay unpriced. */
export async function writePricing(
  db: Db,
  events: readonly SeededEvent[],
  venues: Map<string, SeededVenue>,
): Promise<{ insertedTiers: number; insertedPricings: number }> {
  const insertedTiers = await db.priceTier.createMany({
    data: events.flatMap(({ id, plan }) =>
      plan.tiers.map((tier, sortOrder) => ({
        eventId: id,
        name: tier.name,
        priceMinor: tier.priceMinor,
        currency: plan.currency,
        sortOrder,
      })),
    ),
    skipDuplicates: true,
  });
  const tiers = await db.priceTier.findMany({
    where: { eventId: { in: events.map((event) => event.id) } },
    select: { id: true, eventId: true, name: true },
  });
  const tierIds = new Map(tiers.map((tier) => [`${tier.eventId}:${tier.name}`, tier.id]));

  const pricings = events.flatMap(({ id, plan }) =>
    required(venues, plan.venueSlug, "venue").sections.flatMap((section) => {
      const tier = plan.tiers.find((candidate) => candidate.zones.includes(section.zone));
      if (!tier) return [];
      return [
        { eventId: id, sectionId: section.id, priceTierId: required(tierIds, `${id}:${tier.name}`, "tier") },
      ];
    }),
  );
  const insertedPricings = await db.sectionPricing.createMany({ data: pricings, skipDuplicates: true });
  return { insertedTiers: insertedTiers.count, insertedPricings: insertedPricings.count };
}

/** Events whose priced sections have seats without an event_seat row (all of them on a first run). */
async function eventsMissingSeats(db: Db, eventIds: number[]): Promise<number[]> {
  const rows = await db.$queryRaw<{ eventId: number }[]>`
    SELECT sp."event_id" AS "eventId"
    FROM "section_pricing" sp
    JOIN "seat" s ON s."section_id" = sp."section_id"
    WHERE sp."event_id" = ANY(${eventIds}::int[])
    GROUP BY sp."event_id"
    HAVING count(*) > (SELECT count(*) FROM "event_seat" es WHERE es."event_id" = sp."event_id")
    ORDER BY sp."event_id"`;
  return rows.map((row) => row.eventId);
}

/**
 * One AVAILABLE event_seat per seat of each priced section, at the section's tier. Built inside
 * Postgres (INSERT ... SELECT), a few events at a time: 50,000 rows per stadium event never travel
 * through Node, and two statements in flight keep both cores busy.
 */
export async function writeEventSeats(db: Db, eventIds: number[], concurrency = 2): Promise<number> {
  const pending = await eventsMissingSeats(db, eventIds);
  let inserted = 0;
  const worker = async () => {
    for (let eventId = pending.shift(); eventId !== undefined; eventId = pending.shift()) {
      // Awaited before adding: `inserted += await ...` would read `inserted` before the other worker's update.
      const count = await db.$executeRaw`
        INSERT INTO "event_seat" ("event_id", "seat_id", "price_tier_id")
        SELECT sp."event_id", s."id", sp."price_tier_id"
        FROM "section_pricing" sp
        JOIN "seat" s ON s."section_id" = sp."section_id"
        WHERE sp."event_id" = ${eventId}
        ORDER BY s."id"
        ON CONFLICT ("event_id", "seat_id") DO NOTHING`;
      inserted += count;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return inserted;
}
