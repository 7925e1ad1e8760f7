import { AppError, ErrorCode, notFound } from "../../kernel/errors.js";
import type { DbOrTx } from "../../kernel/transactions.js";
import type { Viewer } from "../../kernel/viewer.js";
import { eventOrganizerId, venueOrganizerId } from "./event-store.js";

// Who may manage an event or a venue (docs/organizers.md): the organizer it belongs to, and admins.
// The one owner of that rule: every module that lets organizers act asks here.

/** Whether the viewer may manage something organized by `organizerId`. */
export function mayManage(viewer: Viewer, organizerId: string | null): boolean {
  return viewer.role === "ADMIN" || (viewer.role === "ORGANIZER" && organizerId === viewer.userId);
}

/** NOT_FOUND when there is no such event, FORBIDDEN when the viewer may not manage it. */
export async function requireEventManager(db: DbOrTx, viewer: Viewer, eventId: number): Promise<void> {
  const organizerId = await eventOrganizerId(db, eventId);
  if (organizerId === undefined) throw notFound("Event", String(eventId));
  if (!mayManage(viewer, organizerId)) {
    throw new AppError(ErrorCode.FORBIDDEN, "Only the event's organizer or an admin may do this");
  }
}

/** NOT_FOUND when there is no such venue, FORBIDDEN when the viewer may not manage it. */
export async function requireVenueManager(db: DbOrTx, viewer: Viewer, venueId: number): Promise<void> {
  const organizerId = await venueOrganizerId(db, venueId);
  if (organizerId === undefined) throw notFound("Venue", String(venueId));
  if (!mayManage(viewer, organizerId)) {
    throw new AppError(ErrorCode.FORBIDDEN, "Only the venue's organizer or an admin may do this");
  }
}
