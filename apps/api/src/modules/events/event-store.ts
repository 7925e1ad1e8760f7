import type { DbOrTx } from "../../kernel/transactions.js";

// The events module's SQL: who organizes an event or a venue.

/** The event's organizer (null when it has none); undefined when there is no such event. */
export async function eventOrganizerId(db: DbOrTx, eventId: number): Promise<string | null | undefined> {
  const [row] = await db.$queryRaw<{ organizerId: string | null }[]>`
    SELECT organizer_id AS "organizerId" FROM event WHERE id = ${eventId}`;
  return row?.organizerId;
}

/** The venue's organizer (null when it has none); undefined when there is no such venue. */
export async function venueOrganizerId(db: DbOrTx, venueId: number): Promise<string | null | undefined> {
  const [row] = await db.$queryRaw<{ organizerId: string | null }[]>`
    SELECT organizer_id AS "organizerId" FROM venue WHERE id = ${venueId}`;
  return row?.organizerId;
}
