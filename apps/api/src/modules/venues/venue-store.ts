import type { DbOrTx } from "../../kernel/transactions.js";

// Venues' SQL (docs/venues.md).

export interface VenueFields {
  name: string;
  city: string;
  address: string;
  timezone: string;
  stageLabel: string;
  stageX: number;
  stageY: number;
  stageWidth: number;
  stageHeight: number;
}

export interface VenueRow extends VenueFields {
  id: number;
  slug: string;
  organizerId: string | null;
  createdAt: Date;
}

const VENUE_SELECT = {
  id: true,
  slug: true,
  name: true,
  city: true,
  address: true,
  timezone: true,
  stageLabel: true,
  stageX: true,
  stageY: true,
  stageWidth: true,
  stageHeight: true,
  organizerId: true,
  createdAt: true,
} as const;

export function insertVenue(
  tx: DbOrTx,
  slug: string,
  organizerId: string,
  fields: VenueFields,
): Promise<VenueRow> {
  return tx.venue.create({ data: { slug, organizerId, ...fields }, select: VENUE_SELECT });
}

export function updateVenueRow(tx: DbOrTx, venueId: number, fields: Partial<VenueFields>): Promise<VenueRow> {
  return tx.venue.update({ where: { id: venueId }, data: fields, select: VENUE_SELECT });
}

export function venueById(db: DbOrTx, venueId: number): Promise<VenueRow | null> {
  return db.venue.findUnique({ where: { id: venueId }, select: VENUE_SELECT });
}

export function venueBySlug(db: DbOrTx, slug: string): Promise<VenueRow | null> {
  return db.venue.findUnique({ where: { slug }, select: VENUE_SELECT });
}

/** The organizer's venues (every venue when `organizerId` is null), by name. */
export function venuesOf(db: DbOrTx, organizerId: string | null): Promise<VenueRow[]> {
  return db.venue.findMany({
    where: organizerId === null ? {} : { organizerId },
    select: VENUE_SELECT,
    orderBy: [{ name: "asc" }, { id: "asc" }],
  });
}

/** Slugs already taken that start with `base` (for a new venue's unique slug). */
export async function slugsLike(db: DbOrTx, base: string): Promise<Set<string>> {
  const rows = await db.venue.findMany({ where: { slug: { startsWith: base } }, select: { slug: true } });
  return new Set(rows.map((row) => row.slug));
}
