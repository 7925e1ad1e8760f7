import type { Db } from "../../infra/prisma.js";
import { badInput } from "../../kernel/errors.js";
import { TRANSACTION_OPTIONS } from "../../kernel/transactions.js";
import type { Viewer } from "../../kernel/viewer.js";
import { validEmail } from "../auth/auth.service.js";
import { recordAudit } from "../events/audit-store.js";
import { requireEventManager } from "../events/event-access.js";
import type { SalesService } from "../sales/sales.service.js";
import { requireScanner } from "./door-access.js";
import {
  type DoorStaffRow,
  type DoorTicketRow,
  doorEventsOf,
  doorStaffOf,
  insertDoorStaff,
  searchDoorTickets,
} from "./door-staff-store.js";

// At the door (docs/checkin.md): the organizer invites door staff for one event; door staff see what the
// door needs (tickets sold and scanned, a search for tickets that will not scan). Scanning itself is
// verifyTicket / checkInTicket (orders/tickets.service.ts), which asks checkin/door-access.ts.

export const DOOR_SEARCH_LIMIT = 25;

export interface DoorStatus {
  eventId: number;
  name: string;
  sold: number;
  checkedIn: number;
}

export class CheckinService {
  constructor(
    private readonly db: Db,
    private readonly sales: SalesService,
  ) {}

  /** Lets the account with this e-mail (now, or once it signs up) scan the event's tickets. */
  async inviteDoorStaff(viewer: Viewer, eventId: number, emailInput: string): Promise<DoorStaffRow[]> {
    const email = validEmail(emailInput);
    await requireEventManager(this.db, viewer, eventId);
    await this.db.$transaction(async (tx) => {
      const added = await insertDoorStaff(tx, { eventId, email, invitedBy: viewer.userId });
      if (added)
        await recordAudit(tx, {
          eventId,
          actorId: viewer.userId,
          action: "door_staff.invite",
          after: { email },
        });
    }, TRANSACTION_OPTIONS);
    return doorStaffOf(this.db, eventId);
  }

  async doorStaff(viewer: Viewer, eventId: number): Promise<DoorStaffRow[]> {
    await requireEventManager(this.db, viewer, eventId);
    return doorStaffOf(this.db, eventId);
  }

  /** The events the viewer was invited to scan. */
  doorEvents(viewer: Viewer) {
    return doorEventsOf(this.db, viewer.userId);
  }

  /** Tickets sold and scanned so far (running counters, docs/sales.md). */
  async doorStatus(viewer: Viewer, eventId: number): Promise<DoorStatus> {
    await requireScanner(this.db, viewer, eventId);
    const figures = await this.sales.figures(eventId, null);
    return { eventId, name: figures.name, sold: figures.seats.sold, checkedIn: figures.checkedIn };
  }

  /** Tickets found by the buyer's name or e-mail, or the order id (for tickets that will not scan). */
  async doorSearch(viewer: Viewer, eventId: number, search: string): Promise<DoorTicketRow[]> {
    const text = search.trim().toLowerCase();
    if (text.length < 2) throw badInput("Type at least 2 characters", { field: "search" });
    if (text.length > 100) throw badInput("search must be at most 100 characters", { field: "search" });
    await requireScanner(this.db, viewer, eventId);
    return searchDoorTickets(this.db, eventId, text, DOOR_SEARCH_LIMIT);
  }
}
