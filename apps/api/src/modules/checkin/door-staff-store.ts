import { Prisma } from "../../generated/prisma/client.js";
import type { Db } from "../../infra/prisma.js";
import type { DbOrTx } from "../../kernel/transactions.js";

// The checkin module's SQL (docs/checkin.md): door staff invitations, and tickets as the door finds them.

/** Records the invitation (again: the first inviter and time stay); true when it is new. */
export async function insertDoorStaff(
  tx: DbOrTx,
  invitation: { eventId: number; email: string; invitedBy: string },
): Promise<boolean> {
  const inserted = await tx.$executeRaw`
    INSERT INTO event_door_staff (event_id, email, invited_by)
    VALUES (${invitation.eventId}::int, ${invitation.email}, ${invitation.invitedBy}::uuid)
    ON CONFLICT DO NOTHING`;
  return inserted > 0;
}

/** Whether the account was invited to scan the event, or any event (by the e-mail it has now). */
export async function isDoorStaff(db: DbOrTx, userId: string, eventId?: number): Promise<boolean> {
  const rows = await db.$queryRaw<{ one: number }[]>`
    SELECT 1 AS one FROM event_door_staff d JOIN user_account u ON u.email = d.email
    WHERE (${eventId ?? null}::int IS NULL OR d.event_id = ${eventId ?? null}::int) AND u.id = ${userId}::uuid
    LIMIT 1`;
  return rows.length > 0;
}

export interface DoorStaffRow {
  email: string;
  createdAt: Date;
  /** Whether an account with this e-mail exists yet. */
  signedUp: boolean;
}

export function doorStaffOf(db: Db, eventId: number): Promise<DoorStaffRow[]> {
  return db.$queryRaw<DoorStaffRow[]>`
    SELECT d.email, d.created_at AS "createdAt",
           EXISTS (SELECT 1 FROM user_account u WHERE u.email = d.email) AS "signedUp"
    FROM event_door_staff d WHERE d.event_id = ${eventId}::int
    ORDER BY d.created_at, d.email`;
}

/** The events the account may scan as door staff, soonest first. */
export function doorEventsOf(db: Db, userId: string) {
  return db.$queryRaw<{ id: number; name: string; startsAt: Date }[]>`
    SELECT e.id, e.name, e.starts_at AS "startsAt"
    FROM event_door_staff d JOIN user_account u ON u.email = d.email JOIN event e ON e.id = d.event_id
    WHERE u.id = ${userId}::uuid
    ORDER BY e.starts_at, e.id`;
}

export interface DoorTicketRow {
  ticketId: string;
  orderId: string;
  status: string;
  usedAt: Date | null;
  buyerName: string | null;
  buyerEmail: string;
  section: string;
  row: string;
  number: number;
}

/**
 * Tickets of the event whose buyer's name or e-mail contains `text`, or whose order id starts with it
 * (for tickets that will not scan), at most `limit`.
 */
export function searchDoorTickets(db: Db, eventId: number, text: string, limit: number) {
  const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const prefix = `${text.replace(/[^0-9a-f-]/g, "")}%`;
  const orderMatch = prefix.length > 4 ? Prisma.sql`OR o.id::text LIKE ${prefix}` : Prisma.empty;
  return db.$queryRaw<DoorTicketRow[]>`
    SELECT t.id AS "ticketId", o.id AS "orderId", t.status, t.used_at AS "usedAt", u.name AS "buyerName",
           u.email AS "buyerEmail", sec.name AS section, coalesce(s.row_label, 'Standing') AS row, s.number
    FROM ticket t
    JOIN "order" o ON o.id = t.order_id
    JOIN user_account u ON u.id = o.user_id
    -- A standing ticket has no seat: its section is its area (docs/standing.md).
    LEFT JOIN seat s ON s.id = t.seat_id
    JOIN section sec ON sec.id = coalesce(s.section_id, t.area_id)
    WHERE t.event_id = ${eventId}::int
      AND (lower(coalesce(u.name, '')) LIKE ${like} OR u.email LIKE ${like} ${orderMatch})
    ORDER BY u.name NULLS LAST, u.email, o.id, sec.sort_order, s.row_rank, s.number
    LIMIT ${limit}`;
}
