import { AppError, ErrorCode, notFound } from "../../kernel/errors.js";
import type { DbOrTx } from "../../kernel/transactions.js";
import type { Viewer } from "../../kernel/viewer.js";
import { mayManage } from "../events/event-access.js";
import { eventOrganizerId } from "../events/event-store.js";
import { isDoorStaff } from "./door-staff-store.js";

// Who may scan an event's tickets (docs/checkin.md): whoever may manage it (events/event-access.ts, the
// one rule for that), and the door staff its organizer invited, for that event only.

export async function mayScan(db: DbOrTx, viewer: Viewer, eventId: number): Promise<boolean> {
  const organizerId = await eventOrganizerId(db, eventId);
  if (organizerId === undefined) return false;
  return mayManage(viewer, organizerId) || (await isDoorStaff(db, viewer.userId, eventId));
}

/**
 * Whether the viewer may scan some event's tickets: organizers and admins (their events, every event),
 * and door staff (the events they were invited to). Asked before a scanned code is read, so that no one
 * else learns from the answer whether a code is genuine.
 */
export async function mayScanSomeEvent(db: DbOrTx, viewer: Viewer): Promise<boolean> {
  return viewer.role !== "FAN" || (await isDoorStaff(db, viewer.userId));
}

/** NOT_FOUND when there is no such event, FORBIDDEN when the viewer may not scan it. */
export async function requireScanner(db: DbOrTx, viewer: Viewer, eventId: number): Promise<void> {
  if (await mayScan(db, viewer, eventId)) return;
  if ((await eventOrganizerId(db, eventId)) === undefined) throw notFound("Event", String(eventId));
  throw new AppError(
    ErrorCode.FORBIDDEN,
    "Only the event's organizer, its door staff or an admin may do this",
  );
}
