import DataLoader from "dataloader";
import type { OrderStatus, TicketStatus } from "../../generated/prisma/enums.js";
import type { Db } from "../../infra/prisma.js";
import type { Money } from "../../kernel/money.js";
import { type EventView, toEventView } from "../catalog/catalog.service.js";
import { type HoldSeatView, type PlaceView, seatPlace, standingPlace } from "../holds/hold-views.js";
import { eventsById, type OrderRow, type TicketRow, ticketRows } from "./order-store.js";

// What checkout, order lists and ticket scans answer with: order and ticket views, and the batch
// loaders that fill in their event and tickets (per operation: orderLoaders in orders.resolver.ts).

export interface TicketView {
  id: string;
  orderId: string;
  status: TicketStatus;
  usedAt: Date | null;
  /** Null for a standing ticket. */
  seat: HoldSeatView | null;
  place: PlaceView;
  price: Money;
  eventId: number;
  /** The per-ticket secret the rotating code is derived from; never sent to clients. */
  secret: Uint8Array;
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
  /** The order's tickets when they were known as the view was made (checkout's answer); else loaded. */
  knownTickets?: TicketView[];
}

export function ticketView(row: TicketRow): TicketView {
  const price = { amount: row.priceMinor, currency: row.currency };
  return {
    id: row.id,
    orderId: row.orderId,
    status: row.status,
    usedAt: row.usedAt,
    eventId: row.eventId,
    secret: row.secret,
    price,
    ...placeOfTicket(row, price),
  };
}

/** A ticket's seat (null for a standing ticket) and place, from what it names. */
export function placeOfTicket(
  place: Pick<TicketRow, "seatId" | "row" | "number" | "sectionId" | "section">,
  price: Money,
): Pick<TicketView, "seat" | "place"> {
  const { seatId, row, number, sectionId, section } = place;
  if (seatId === null || row === null || number === null) {
    return { seat: null, place: standingPlace(sectionId, section, { ...price }) };
  }
  const seat = { id: seatId, row, number, sectionId, section, price: { ...price } };
  return { seat, place: seatPlace(seat) };
}

/** Batch loaders of what order views show lazily: one query per kind for all the orders of an operation. */
export function createOrderLoaders(db: Db) {
  return {
    event: new DataLoader<number, EventView>(async (ids) => {
      const byId = new Map((await eventsById(db, ids)).map((row) => [row.id, toEventView(row)]));
      return ids.map((id) => byId.get(id) ?? new Error(`event ${id} is missing`));
    }),
    tickets: new DataLoader<string, TicketView[]>(async (orderIds) => {
      const rows = await ticketRows(db, orderIds, "order_id");
      const byOrder = new Map<string, TicketView[]>(orderIds.map((id) => [id, []]));
      for (const row of rows) byOrder.get(row.orderId)?.push(ticketView(row));
      return orderIds.map((id) => byOrder.get(id) ?? []);
    }),
  };
}

export type OrderLoaders = ReturnType<typeof createOrderLoaders>;

/** Views of orders; `knownTickets` are used instead of loading those orders' tickets. */
export function orderViews(rows: OrderRow[], knownTickets = new Map<string, TicketView[]>()): OrderView[] {
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
    knownTickets: knownTickets.get(row.id),
  }));
}

/** The one view of a single order row. */
export function orderView(row: OrderRow): OrderView {
  return orderViews([row])[0] as OrderView;
}
