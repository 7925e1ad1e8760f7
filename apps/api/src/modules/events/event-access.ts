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

/**
 * NOT_FOUND when there is no such event, FORBIDDEN when the viewer may not manage it; `details` are
 * added to the error's extensions (e.g. the `field` of the argument that named the event).
 */
export async function requireEventManager(
  db: DbOrTx,
  viewer: Viewer,
  eventId: number,
  details: Record<string, unknown> = {},
): Promise<void> {
  checkEventManager(viewer, eventId, await eventOrganizerId(db, eventId), details);
}

/**
 * The same check on an organizer already read (`undefined`: there is no such event), for a module that
 * reads the event's organizer together with what it answers, in one round trip.
 */
export function checkEventManager(
  viewer: Viewer,
  eventId: number,
  organizerId: string | null | undefined,
  details: Record<string, unknown> = {},
): void {
  if (organizerId === undefined) {
    throw new AppError(ErrorCode.NOT_FOUND, `Event ${eventId} was not found`, {
      id: String(eventId),
      ...details,
    });
  }
  if (!mayManage(viewer, organizerId)) {
    throw new AppError(ErrorCode.FORBIDDEN, "Only the event's organizer or an admin may do this", details);
  }
}

/** Whether the viewer may manage the event (false when there is no such event). */
export async function managesEvent(db: DbOrTx, viewer: Viewer, eventId: number): Promise<boolean> {
  if (viewer.role !== "ADMIN" && viewer.role !== "ORGANIZER") return false;
  const organizerId = await eventOrganizerId(db, eventId);
  return organizerId !== undefined && mayManage(viewer, organizerId);
}

/** NOT_FOUND when there is no such venue, FORBIDDEN when the viewer may not manage it. */
export async function requireVenueManager(db: DbOrTx, viewer: Viewer, venueId: number): Promise<void> {
  const organizerId = await venueOrganizerId(db, venueId);
  if (organizerId === undefined) throw notFound("Venue", String(venueId));
  if (!mayManage(viewer, organizerId)) {
    throw new AppError(ErrorCode.FORBIDDEN, "Only the venue's organizer or an admin may do this");
  }
}
