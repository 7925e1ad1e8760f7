import type { Prisma } from "../../generated/prisma/client.js";
import type { Db } from "../../infra/prisma.js";
import { type PreparedStatement, queryPrepared, type SqlPool } from "../../infra/sql.js";
import { isUuid } from "../../kernel/ids.js";
import type { Admission } from "./queue-store.js";

// The waiting room's durable facts in Postgres (migration 20261206100000_queue_durable_rooms,
// docs/queue.md "When Redis loses the room"): every SQL statement of the queue module. The room runs in
// Redis (queue-store.ts); these rows are what it is set up again from.

export interface RoomRecord {
  seed: string;
  commitment: string;
  /** Set when the pre-queue was drawn. */
  revealedAt: Date | null;
  /** True when this call created the room (its first set-up ever). */
  created: boolean;
}

/** The seed, and once drawn (revealedAt set) the pre-queue in join order and in drawn order. */
export interface DrawRecord {
  seed: string;
  preQueueEntries: string[];
  drawnOrder: string[];
  revealedAt: Date | null;
}

/** Which entry an account has in an event's room. */
export interface EntryOwner {
  eventId: number;
  userId: string;
  entryId: string;
}

const ROOM: PreparedStatement = {
  name: "queue.room",
  // DO UPDATE (a no-op) rather than DO NOTHING: it returns the row another caller created meanwhile.
  text: `
    INSERT INTO queue_room AS r (event_id, seed, commitment) VALUES ($1, $2, $3)
    ON CONFLICT (event_id) DO UPDATE SET event_id = r.event_id
    RETURNING r.seed, r.commitment, r.revealed_at AS "revealedAt", (r.xmax::text = '0') AS created`,
};

const DRAW: PreparedStatement = {
  name: "queue.draw",
  text: `
    SELECT seed, pre_queue_entries AS "preQueueEntries", drawn_order AS "drawnOrder",
           revealed_at AS "revealedAt"
    FROM queue_room WHERE event_id = $1`,
};

const SAVE_DRAW: PreparedStatement = {
  name: "queue.saveDraw",
  text: `
    UPDATE queue_room SET pre_queue_entries = $2::uuid[], drawn_order = $3::uuid[],
                          revealed_at = to_timestamp($4::double precision / 1000)
    WHERE event_id = $1 AND revealed_at IS NULL`,
};

const OPEN_ROOMS: PreparedStatement = {
  name: "queue.openRooms",
  text: `
    SELECT r.event_id AS "eventId" FROM queue_room r JOIN event e ON e.id = r.event_id
    WHERE e.queue_enabled AND e.starts_at > now()
    ORDER BY r.event_id`,
};

const SAVE_ENTRIES: PreparedStatement = {
  name: "queue.saveEntries",
  text: `
    INSERT INTO queue_entry AS q (event_id, user_id, entry_id)
    SELECT * FROM unnest($1::int[], $2::uuid[], $3::uuid[])
    ON CONFLICT (event_id, user_id) DO UPDATE SET entry_id = EXCLUDED.entry_id, joined_at = now()`,
};

const ENTRIES_AFTER: PreparedStatement = {
  name: "queue.entriesAfter",
  text: `
    SELECT user_id AS "userId", entry_id AS "entryId" FROM queue_entry
    WHERE event_id = $1 AND user_id > $2::uuid
    ORDER BY user_id LIMIT $3`,
};

const SAVE_ADMISSIONS: PreparedStatement = {
  name: "queue.saveAdmissions",
  text: `
    INSERT INTO queue_admission (event_id, entry_id, session_id, user_id, window_ends_at)
    SELECT $1, a.entry_id, a.session_id, a.user_id, to_timestamp(a.window_ends_ms / 1000)
    FROM unnest($2::uuid[], $3::text[], $4::uuid[], $5::double precision[])
      AS a(entry_id, session_id, user_id, window_ends_ms)
    ON CONFLICT DO NOTHING`,
};

const LIVE_ADMISSIONS: PreparedStatement = {
  name: "queue.liveAdmissions",
  text: `
    SELECT entry_id AS "entryId", user_id AS "userId", session_id AS "sessionId",
           (extract(epoch FROM window_ends_at) * 1000)::float8 AS "windowEndsAt"
    FROM queue_admission
    WHERE event_id = $1 AND ended_at IS NULL AND window_ends_at > to_timestamp($2::double precision / 1000)`,
};

const IS_ADMITTED: PreparedStatement = {
  name: "queue.isAdmitted",
  text: `
    SELECT 1 FROM queue_admission
    WHERE event_id = $1 AND entry_id = $2::uuid AND session_id = $3 AND user_id = $4::uuid
      AND ended_at IS NULL AND window_ends_at > to_timestamp($5::double precision / 1000)`,
};

const END_ADMISSIONS: PreparedStatement = {
  name: "queue.endAdmissions",
  text: `
    UPDATE queue_admission SET ended_at = now()
    WHERE event_id = $1 AND user_id = $2::uuid AND ended_at IS NULL AND window_ends_at > now()`,
};

const FIRST_UUID = "00000000-0000-0000-0000-000000000000";

/** Typed access to the queue's tables; no policy here (that is QueueRooms' and QueueService's). */
export class QueueRecords {
  constructor(private readonly pool: SqlPool) {}

  /** The room's seed and commitment: the ones given when it has none yet, else the ones it has. */
  async room(eventId: number, seed: string, commitment: string): Promise<RoomRecord> {
    const [row] = await queryPrepared<RoomRecord>(this.pool, ROOM, [eventId, seed, commitment]);
    if (!row) throw new Error(`queue_room ${eventId} was not written`);
    return row;
  }

  async draw(
    eventId: number,
  ): Promise<(Omit<DrawRecord, "revealedAt"> & { revealedAt: Date | null }) | null> {
    const [row] = await queryPrepared<{
      seed: string;
      preQueueEntries: string[] | null;
      drawnOrder: string[] | null;
      revealedAt: Date | null;
    }>(this.pool, DRAW, [eventId]);
    if (!row) return null;
    return {
      seed: row.seed,
      preQueueEntries: row.preQueueEntries ?? [],
      drawnOrder: row.drawnOrder ?? [],
      revealedAt: row.revealedAt,
    };
  }

  /** Records the draw unless one was recorded before; returns the one recorded. */
  async saveDraw(
    eventId: number,
    preQueueEntries: readonly string[],
    drawnOrder: readonly string[],
    at: number,
  ) {
    await queryPrepared(this.pool, SAVE_DRAW, [eventId, preQueueEntries, drawnOrder, at]);
    const draw = await this.draw(eventId);
    if (!draw?.revealedAt) throw new Error(`queue_room ${eventId} has no draw`);
    return { ...draw, revealedAt: draw.revealedAt };
  }

  /** Rooms whose event still uses the waiting room and has not started. */
  async openRooms(): Promise<number[]> {
    const rows = await queryPrepared<{ eventId: number }>(this.pool, OPEN_ROOMS, []);
    return rows.map((row) => row.eventId);
  }

  /** Remembers which entry each account has (the last one given for an account wins). */
  async saveEntries(rows: readonly EntryOwner[]): Promise<void> {
    const valid = rows.filter((row) => isUuid(row.userId) && isUuid(row.entryId));
    if (!valid.length) return;
    await queryPrepared(this.pool, SAVE_ENTRIES, [
      valid.map((row) => row.eventId),
      valid.map((row) => row.userId),
      valid.map((row) => row.entryId),
    ]);
  }

  /** The room's entries by account, `limit` at a time after `afterUserId` (keyset pages). */
  async entriesAfter(
    eventId: number,
    afterUserId: string | null,
    limit: number,
  ): Promise<{ userId: string; entryId: string }[]> {
    return queryPrepared(this.pool, ENTRIES_AFTER, [eventId, afterUserId ?? FIRST_UUID, limit]);
  }

  async saveAdmissions(eventId: number, admissions: readonly Admission[]): Promise<void> {
    const valid = admissions.filter((a) => isUuid(a.userId) && isUuid(a.entryId));
    if (!valid.length) return;
    await queryPrepared(this.pool, SAVE_ADMISSIONS, [
      eventId,
      valid.map((a) => a.entryId),
      valid.map((a) => a.sessionId),
      valid.map((a) => a.userId),
      valid.map((a) => a.windowEndsAt),
    ]);
  }

  /** Admissions whose window is still open at `now` and that did not end early. */
  async liveAdmissions(eventId: number, now: number): Promise<Admission[]> {
    const rows = await queryPrepared<Admission>(this.pool, LIVE_ADMISSIONS, [eventId, now]);
    // Whole milliseconds, as the tokens carry them.
    return rows.map((row) => ({ ...row, windowEndsAt: Math.round(row.windowEndsAt) }));
  }

  /** Whether this exact admission was made to this account and is still live at `now`. */
  async isAdmitted(eventId: number, admission: Omit<Admission, "windowEndsAt">, now: number) {
    if (!isUuid(admission.entryId) || !isUuid(admission.userId)) return false;
    const rows = await queryPrepared(this.pool, IS_ADMITTED, [
      eventId,
      admission.entryId,
      admission.sessionId,
      admission.userId,
      now,
    ]);
    return rows.length > 0;
  }

  /** Ends the account's live admissions to the event (it left the queue or was blocked). */
  async endAdmissions(eventId: number, userId: string): Promise<void> {
    if (isUuid(userId)) await queryPrepared(this.pool, END_ADMISSIONS, [eventId, userId]);
  }
}

// --- An event's queue settings (Prisma) ---

export const QUEUE_EVENT_FIELDS = {
  id: true,
  queueEnabled: true,
  organizerId: true,
  saleStartsAt: true,
  startsAt: true,
  status: true,
  queuePaused: true,
  admissionRatePerMinute: true,
  maxActiveShoppers: true,
  shoppingWindowSeconds: true,
  powDifficulty: true,
} as const;

export type QueueEventRow = Prisma.EventGetPayload<{ select: typeof QUEUE_EVENT_FIELDS }>;

export function queueEventRow(db: Db, eventId: number): Promise<QueueEventRow | null> {
  return db.event.findUnique({ where: { id: eventId }, select: QUEUE_EVENT_FIELDS });
}

export function queueEventRows(db: Db, eventIds: readonly number[]): Promise<QueueEventRow[]> {
  return db.event.findMany({ where: { id: { in: [...eventIds] } }, select: QUEUE_EVENT_FIELDS });
}

/** Writes the given settings (undefined leaves one as it is) and returns the whole event. */
export function updateQueueSettings(db: Db, eventId: number, data: Prisma.EventUpdateInput) {
  return db.event.update({ where: { id: eventId }, data });
}

/** The event's proof-of-work difficulty; null when there is no such event. */
export async function powDifficultyOf(db: Db, eventId: number): Promise<number | null> {
  const event = await db.event.findUnique({ where: { id: eventId }, select: { powDifficulty: true } });
  return event?.powDifficulty ?? null;
}
