import DataLoader from "dataloader";
import type { OrderStatus, TicketStatus } from "../../generated/prisma/enums.js";
import type { Db } from "../../infra/prisma.js";
import type { Money } from "../../kernel/money.js";
import type { Viewer } from "../../kernel/viewer.js";
import { type EventView, toEventView } from "../catalog/catalog.service.js";
import type { HoldSeatView } from "../holds/holds.service.js";
import { eventOrganizerId, eventsById, type OrderRow, type TicketRow, ticketRows } from "./order-store.js";

// What checkout, order lists and ticket scans answer with: order and ticket views, and the batch
// loaders that fill in their event and tickets lazily.

export interface TicketView {
  id: string;
  status: TicketStatus;
  usedAt: Date | null;
  seat: HoldSeatView;
  price: Money;
  eventId: number;
  /** The per-ticket secret the rotating code is derived from; never sent to clients. */
  secret: Uint8Array;
}

/** Loads what a set of order views shows lazily, in one query per kind for all of them. */
export interface OrderRelations {
  event(eventId: number): Promise<EventView>;
  tickets(orderId: string): Promise<TicketView[]>;
}

export interface OrderView {
  id: string;
  status: OrderStatus;
  eventId: number;
  subtotal: Money;
  fees: Money;
  total: Money;
  createdAt: Date;
  cancelledAt: Date | null;
  cancellableUntil: Date;
  canCancel: boolean;
  userId: string;
  related: OrderRelations;
}

export function ticketView(row: TicketRow): TicketView {
  const price = { amount: row.priceMinor, currency: row.currency };
  return {
    id: row.id,
    status: row.status,
    usedAt: row.usedAt,
    eventId: row.eventId,
    secret: row.secret,
    price,
    seat: {
      id: row.seatId,
      row: row.row,
      number: row.number,
      sectionId: row.sectionId,
      section: row.section,
      price: { ...price },
    },
  };
}

/** Batch loaders shared by the order views built together (one response). */
function relations(db: Db, knownTickets: Map<string, TicketView[]>): OrderRelations {
  const events = new DataLoader<number, EventView>(async (ids) => {
    const byId = new Map((await eventsById(db, ids)).map((row) => [row.id, toEventView(row)]));
    return ids.map((id) => byId.get(id) ?? new Error(`event ${id} is missing`));
  });
  const tickets = new DataLoader<string, TicketView[]>(async (orderIds) => {
    const rows = await ticketRows(db, orderIds, "order_id");
    const byOrder = new Map<string, TicketView[]>(orderIds.map((id) => [id, []]));
    for (const row of rows) byOrder.get(row.orderId)?.push(ticketView(row));
    return orderIds.map((id) => byOrder.get(id) ?? []);
  });
  return {
    event: (id) => events.load(id),
    tickets: (id) => Promise.resolve(knownTickets.get(id) ?? tickets.load(id)),
  };
}

/** Views of orders; `knownTickets` are used instead of loading those orders' tickets. */
export function orderViews(
  db: Db,
  rows: OrderRow[],
  knownTickets = new Map<string, TicketView[]>(),
): OrderView[] {
  const related = relations(db, knownTickets);
  const now = new Date();
  return rows.map((row) => ({
    id: row.id,
    status: row.status,
    eventId: row.eventId,
    userId: row.userId,
    subtotal: { amount: row.subtotalMinor, currency: row.currency },
    fees: { amount: row.feesMinor, currency: row.currency },
    total: { amount: row.totalMinor, currency: row.currency },
    createdAt: row.createdAt,
    cancelledAt: row.cancelledAt,
    cancellableUntil: row.cancellableUntil,
    canCancel: row.status === "CONFIRMED" && row.cancellableUntil > now,
    related,
  }));
}

/** The one view of a single order row. */
export function orderView(db: Db, row: OrderRow): OrderView {
  return orderViews(db, [row])[0] as OrderView;
}

/** Whether the viewer may see an event's orders and scan its tickets: its organizer, or an admin. */
export async function managesEvent(db: Db, viewer: Viewer, eventId: number): Promise<boolean> {
  if (viewer.role === "ADMIN") return true;
  if (viewer.role !== "ORGANIZER") return false;
  return (await eventOrganizerId(db, eventId)) === viewer.userId;
}
