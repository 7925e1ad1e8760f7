import DataLoader from "dataloader";
import { requestScoped } from "../../graphql/request-scoped.js";
import type { Db } from "../../infra/prisma.js";
import { eventSeatCounts, type SeatCounts, venueSeatCounts } from "./catalog-store.js";

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

export type AvailabilityView = SeatCounts;

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
      const found = await venueSeatCounts(db, venueIds);
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
      const found = await eventSeatCounts(db, eventIds);
      return eventIds.map((id) => {
        const row = found.get(id);
        return {
          available: row?.available ?? 0,
          held: row?.held ?? 0,
          sold: row?.sold ?? 0,
          accessibleAvailable: row?.accessibleAvailable ?? 0,
          standingAvailable: row?.standingAvailable ?? 0,
        };
      });
    }),
  };
}

export type CatalogLoaders = ReturnType<typeof createCatalogLoaders>;

/** This operation's catalog loaders, made on first use. */
export const catalogLoaders = requestScoped((ctx) => ctx.services.newCatalogLoaders());
