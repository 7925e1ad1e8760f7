import type { PgClient } from "./pg.js";

/** Columns of an event row, by their SQL names (e.g. `queue_enabled`), and values for them. */
export type EventColumns = Record<string, string | number | boolean | Date | null>;

async function setColumns(db: PgClient, eventId: number, columns: EventColumns): Promise<void> {
  const names = Object.keys(columns);
  // Column names come from the scenarios' code, never from input; Postgres infers each value's type.
  const assignments = names.map((name, index) => `${name} = $${index + 2}`).join(", ");
  await db.query(`UPDATE event SET ${assignments} WHERE id = $1`, [eventId, ...Object.values(columns)]);
}

/**
 * Changes an event's settings for a run; returns what puts them back: the values read before, or those of
 * `restoreTo` (e.g. as seeded, when an interrupted run may have left its own).
 */
export async function overrideEvent(
  db: PgClient,
  eventId: number,
  changes: EventColumns,
  restoreTo: EventColumns = {},
): Promise<() => Promise<void>> {
  const names = Object.keys(changes);
  const { rows } = await db.query<EventColumns>(`SELECT ${names.join(", ")} FROM event WHERE id = $1`, [
    eventId,
  ]);
  const original = rows[0];
  if (!original) throw new Error(`No event ${eventId}`);
  await setColumns(db, eventId, changes);
  return () => setColumns(db, eventId, { ...original, ...restoreTo });
}

/** An event's seat ids, in order. */
export async function eventSeatIds(db: PgClient, eventId: number): Promise<number[]> {
  const { rows } = await db.query<{ seatId: number }>(
    `SELECT seat_id AS "seatId" FROM event_seat WHERE event_id = $1 ORDER BY seat_id`,
    [eventId],
  );
  return rows.map((row) => row.seatId);
}
