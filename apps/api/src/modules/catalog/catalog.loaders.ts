import DataLoader from "dataloader";
import { requestScoped } from "../../graphql/request-scoped.js";
import type { Db } from "../../infra/prisma.js";

// Per-request batch loaders (catalogLoaders(ctx)): a page of 100 events resolves its venues, performers, tiers and
// availability in one query each, whatever the page size.

export interface VenueView {
  id: number;
  name: string;
  city: string;
  address: string;
  timezone: string;
}

export interface PriceTierView {
  id: number;
  name: string;
  price: { amount: number; currency: string };
  sectionIds: number[];
}

export interface AvailabilityView {
  available: number;
  held: number;
  sold: number;
}

function byKey<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): (V | null)[] {
  const map = new Map(rows.map((row) => [keyOf(row), row]));
  return keys.map((key) => map.get(key) ?? null);
}

export function createCatalogLoaders(db: Db) {
  return {
    venue: new DataLoader<number, VenueView | null>(async (ids) =>
      byKey(
        ids,
        await db.venue.findMany({
          where: { id: { in: [...ids] } },
          select: { id: true, name: true, city: true, address: true, timezone: true },
        }),
        (venue) => venue.id,
      ),
    ),
    venueCapacity: new DataLoader<number, number>(async (venueIds) => {
      const rows = await db.$queryRaw<{ venue_id: number; seats: number }[]>`
        SELECT section.venue_id, count(*)::int AS seats
        FROM seat JOIN section ON section.id = seat.section_id
        WHERE section.venue_id = ANY(${[...venueIds]}::int[])
        GROUP BY section.venue_id`;
      const found = new Map(rows.map((row) => [row.venue_id, row.seats]));
      return venueIds.map((id) => found.get(id) ?? 0);
    }),
    performer: new DataLoader<number, { id: number; name: string } | null>(async (ids) =>
      byKey(
        ids,
        await db.performer.findMany({ where: { id: { in: [...ids] } }, select: { id: true, name: true } }),
        (performer) => performer.id,
      ),
    ),
    priceTiers: new DataLoader<number, PriceTierView[]>(async (eventIds) => {
      const tiers = await db.priceTier.findMany({
        where: { eventId: { in: [...eventIds] } },
        orderBy: [{ eventId: "asc" }, { sortOrder: "asc" }, { id: "asc" }],
        include: { pricings: { select: { sectionId: true }, orderBy: { sectionId: "asc" } } },
      });
      const grouped = new Map<number, PriceTierView[]>(eventIds.map((id) => [id, []]));
      for (const tier of tiers) {
        grouped.get(tier.eventId)?.push({
          id: tier.id,
          name: tier.name,
          price: { amount: tier.priceMinor, currency: tier.currency },
          sectionIds: tier.pricings.map((pricing) => pricing.sectionId),
        });
      }
      return eventIds.map((id) => grouped.get(id) ?? []);
    }),
    availability: new DataLoader<number, AvailabilityView>(async (eventIds) => {
      const rows = await db.$queryRaw<{ event_id: number; available: number; held: number; sold: number }[]>`
        SELECT event_id,
               count(*) FILTER (WHERE status = 'AVAILABLE' OR (status = 'HELD' AND held_until <= now()))::int AS available,
               count(*) FILTER (WHERE status = 'HELD' AND held_until > now())::int AS held,
               count(*) FILTER (WHERE status = 'SOLD')::int AS sold
        FROM event_seat
        WHERE event_id = ANY(${[...eventIds]}::int[])
        GROUP BY event_id`;
      const found = new Map(rows.map((row) => [row.event_id, row]));
      return eventIds.map((id) => {
        const row = found.get(id);
        return { available: row?.available ?? 0, held: row?.held ?? 0, sold: row?.sold ?? 0 };
      });
    }),
  };
}

export type CatalogLoaders = ReturnType<typeof createCatalogLoaders>;

/** This operation's catalog loaders, made on first use. */
export const catalogLoaders = requestScoped((ctx) => ctx.services.newCatalogLoaders());
