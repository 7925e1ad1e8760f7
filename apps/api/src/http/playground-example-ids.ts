import type { Db } from "../infra/prisma.js";
import { NOTABLE_EVENT_SLUGS } from "../seed/catalog.js";

/**
 * Ids of seeded events for the playground's example tabs (playground/examples.ts), looked up once at
 * boot: the seed's notable events when they are there, else any event on sale, so examples run as shipped.
 */
export async function playgroundExampleIds(db: Db): Promise<Record<string, string>> {
  const slugs = {
    eventId: NOTABLE_EVENT_SLUGS.theatreOnSale,
    stadiumEventId: NOTABLE_EVENT_SLUGS.stadiumOnSale,
    queueEventId: NOTABLE_EVENT_SLUGS.stadiumQueueOnSale,
  };
  try {
    const [events, anyOnSale] = await Promise.all([
      db.event.findMany({ where: { slug: { in: Object.values(slugs) } }, select: { id: true, slug: true } }),
      db.event.findFirst({ where: { status: "ON_SALE" }, orderBy: { id: "asc" }, select: { id: true } }),
    ]);
    const fallback = String(anyOnSale?.id ?? 1);
    const idOf = (slug: string) => String(events.find((event) => event.slug === slug)?.id ?? fallback);
    return Object.fromEntries(Object.entries(slugs).map(([name, slug]) => [name, idOf(slug)]));
  } catch {
    // The playground must not stop the API from starting (e.g. a database not migrated yet).
    return {};
  }
}
