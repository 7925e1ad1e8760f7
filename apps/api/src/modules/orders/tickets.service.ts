import type { Db } from "../../infra/prisma.js";
import { AppError, ErrorCode, notFound } from "../../kernel/errors.js";
import { isUuid } from "../../kernel/ids.js";
import { TRANSACTION_OPTIONS } from "../../kernel/transactions.js";
import type { Viewer } from "../../kernel/viewer.js";
import { mayScan, mayScanSomeEvent } from "../checkin/door-access.js";
import { recordAudit } from "../events/audit-store.js";
import { requireEventManager } from "../events/event-access.js";
import {
  markTicketUsed,
  setStaticCodesEnabled,
  staticCodesEnabled,
  type TicketRow,
  ticketRows,
} from "./order-store.js";
import { type TicketView, ticketView } from "./order-views.js";
import type { TicketCodes } from "./ticket-codes.js";

// Tickets at the gate (docs/orders.md): the rotating code a ticket shows in the app, the static code of
// printed tickets and Wallet passes (a separate credential the organizer can turn off per event), and the
// scan that admits a ticket once.

export type VerificationResult = "VALID" | "ALREADY_USED" | "INVALID" | "VOID";

export interface VerificationView {
  result: VerificationResult;
  message: string;
  ticket: TicketView | null;
  usedAt: Date | null;
}

const invalid = (message: string): VerificationView => ({
  result: "INVALID",
  message,
  ticket: null,
  usedAt: null,
});

const scanForbidden = () =>
  new AppError(ErrorCode.FORBIDDEN, "Only the event's organizer or its door staff can scan its tickets");

export class TicketsService {
  /** The current code of each ticket view: both code fields of one response show the same code. */
  private readonly codes = new WeakMap<TicketView, { code: string; expiresAt: Date }>();

  constructor(
    private readonly db: Db,
    private readonly ticketCodes: TicketCodes,
  ) {}

  /** A gate scan: genuine and current code, live ticket, first use. */
  async verifyTicket(viewer: Viewer, code: string): Promise<VerificationView> {
    // Before the code is read: INVALID for a bad code and FORBIDDEN for a good one would tell anyone
    // whether a code they hold (a screenshot for sale) is genuine.
    if (!(await mayScanSomeEvent(this.db, viewer))) throw scanForbidden();
    const reading = this.ticketCodes.read(code.trim());
    if (!reading.valid) return invalid(reading.reason);
    const [row] = await ticketRows(this.db, [reading.ticketId], "id");
    if (!row || !this.ticketCodes.tagMatches(reading, row.secret)) {
      return invalid("The code does not match this ticket (it was reissued or altered)");
    }
    return this.admit(viewer, row, reading.kind === "static");
  }

  /** The door's manual check-in of a ticket found by name or order (one that will not scan). */
  async checkInTicket(viewer: Viewer, ticketId: string): Promise<VerificationView> {
    const [row] = isUuid(ticketId) ? await ticketRows(this.db, [ticketId], "id") : [];
    if (!row) throw notFound("Ticket", ticketId.slice(0, 40));
    return this.admit(viewer, row);
  }

  /** The ticket's first use admits; later ones are ALREADY_USED, void tickets VOID. */
  private async admit(viewer: Viewer, row: TicketRow, staticCode = false): Promise<VerificationView> {
    // The event's organizer, an admin, or door staff invited for this event (checkin/door-access.ts).
    if (!(await mayScan(this.db, viewer, row.eventId))) throw scanForbidden();
    if (staticCode && !(await staticCodesEnabled(this.db, row.eventId))) {
      return invalid("Printed and Wallet codes are turned off for this event: ask for the ticket in the app");
    }
    const ticket = ticketView(row);
    if (row.status === "VOID") {
      return { result: "VOID", message: "This ticket was cancelled", ticket, usedAt: row.usedAt };
    }
    // The first scan marks the ticket used and announces it (outbox: `ticket.checked_in` webhooks).
    const firstUse = await markTicketUsed(this.db, row.id);
    if (firstUse) {
      ticket.usedAt = firstUse;
      return { result: "VALID", message: "Valid ticket: admit", ticket, usedAt: firstUse };
    }
    const [now] = await ticketRows(this.db, [row.id], "id");
    if (now?.status === "VOID")
      return { result: "VOID", message: "This ticket was cancelled", ticket, usedAt: now.usedAt };
    const usedAt = now?.usedAt ?? null;
    ticket.usedAt = usedAt;
    return {
      result: "ALREADY_USED",
      message: `Already used${usedAt ? ` at ${usedAt.toISOString()}` : ""}`,
      ticket,
      usedAt,
    };
  }

  /**
   * Turns the static codes of an event's printed tickets and Wallet passes on or off (its organizer or
   * an admin: events/event-access.ts), recorded in the audit log in the same transaction. Rotating
   * codes in the app are not affected.
   */
  async setStaticCodes(viewer: Viewer, eventId: number, enabled: boolean): Promise<void> {
    await this.db.$transaction(async (tx) => {
      await requireEventManager(tx, viewer, eventId);
      const before = await setStaticCodesEnabled(tx, eventId, enabled);
      if (before === null) throw notFound("Event", String(eventId));
      if (before === enabled) return;
      await recordAudit(tx, {
        eventId,
        actorId: viewer.userId,
        action: "tickets.static_codes",
        before: { staticCodesEnabled: before },
        after: { staticCodesEnabled: enabled },
      });
    }, TRANSACTION_OPTIONS);
  }

  /** Whether the event's static codes admit (null: no such event). */
  staticCodesEnabled(eventId: number): Promise<boolean | null> {
    return staticCodesEnabled(this.db, eventId);
  }

  /** An order's tickets, in seat order (what printed tickets and Wallet passes show). */
  async orderTickets(orderId: string): Promise<TicketView[]> {
    return (await ticketRows(this.db, [orderId], "order_id")).map(ticketView);
  }

  /** A ticket's static code (what printed tickets and Wallet passes carry). */
  staticCode(ticket: { id: string; secret: Uint8Array }): string {
    return this.ticketCodes.issueStatic(ticket);
  }

  currentCode(ticket: TicketView): { code: string; expiresAt: Date } {
    let code = this.codes.get(ticket);
    if (!code) {
      code = this.ticketCodes.issue(ticket);
      this.codes.set(ticket, code);
    }
    return code;
  }

  ticketCodeKey(): { algorithm: string; publicKeyPem: string; windowSeconds: number } {
    return {
      algorithm: "Ed25519",
      publicKeyPem: this.ticketCodes.publicKeyPem,
      windowSeconds: this.ticketCodes.windowSeconds,
    };
  }
}
