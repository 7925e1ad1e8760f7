import { setImmediate as nextLoopTurn } from "node:timers/promises";
import PDFDocument from "pdfkit";
import QRCode from "qrcode";
import type { Db } from "../../infra/prisma.js";
import { badInput, notFound } from "../../kernel/errors.js";
import { isUuid } from "../../kernel/ids.js";
import type { Money } from "../../kernel/money.js";
import type { TicketsService } from "../orders/tickets.service.js";
import { type OrderDeliveryRow, orderForDelivery } from "./ticket-delivery-store.js";

// The PDF of an order's tickets (docs/orders.md, "Tickets anywhere"): one A4 page per valid ticket with
// the event, the venue, the date in the venue's time zone, the seat (or "Standing"), the price and a QR
// code of the ticket's STATIC code, the credential printed and emailed tickets carry (the app shows the
// rotating one). When the organizer has turned static codes off, the page says to use the app instead.
//
// Rendering is synchronous work (pdfkit, qrcode): a few ms a page. It yields to the event loop
// after each page, so even a large order never blocks the loop for more than one page's work.

/** What `renderOrderPdf` needs: the database and the orders module's tickets service (for the codes). */
export interface OrderPdfDeps {
  db: Db;
  tickets: Pick<TicketsService, "orderTickets" | "staticCode">;
}

/** One printed ticket. `seat` is null for a standing place. */
export interface PrintedTicket {
  id: string;
  seat: { section: string; row: string; number: number } | null;
  /** The standing area's name, when the ticket is a standing place and the area is known. */
  area?: string | null;
  price: Money;
  /** The static code the QR carries; null when the event turned static codes off. */
  staticCode: string | null;
}

/** Everything printed on an order's tickets. */
export interface PrintedOrder {
  orderId: string;
  eventId: number;
  eventName: string;
  startsAt: Date;
  venueName: string;
  venueCity: string;
  venueAddress: string;
  /** IANA time zone of the venue: dates are printed in it. */
  timezone: string;
  tickets: PrintedTicket[];
}

/**
 * The PDF of an order's valid tickets, one page per ticket (what the order page's "Download PDF" and the
 * confirmation email's attachment are). Throws NOT_FOUND for an unknown order and BAD_USER_INPUT when it has
 * no valid ticket (failed, pending or cancelled). It does not check who asks: callers do.
 *
 *   const pdf = await renderOrderPdf({ db, tickets: services.tickets }, orderId);
 */
export async function renderOrderPdf(deps: OrderPdfDeps, orderId: string): Promise<Buffer> {
  return renderTicketsPdf(await printedOrder(deps, orderId));
}

/** What the PDF (and Wallet passes) print for an order: its valid tickets with their static codes. */
export async function printedOrder(deps: OrderPdfDeps, orderId: string): Promise<PrintedOrder> {
  const order = isUuid(orderId) ? await orderForDelivery(deps.db, orderId) : null;
  if (!order) throw notFound("Order", orderId.slice(0, 40));
  const tickets = (await deps.tickets.orderTickets(orderId)).filter((ticket) => ticket.status === "VALID");
  if (order.status !== "CONFIRMED" || tickets.length === 0) {
    throw badInput("This order has no valid tickets to print (it is not confirmed)", { orderId });
  }
  return {
    ...orderFacts(order),
    tickets: tickets.map((ticket) => ({
      id: ticket.id,
      seat: ticket.seat,
      area: ticket.seat ? null : ticket.place.section,
      price: ticket.price,
      staticCode: order.staticCodesEnabled ? deps.tickets.staticCode(ticket) : null,
    })),
  };
}

function orderFacts(order: OrderDeliveryRow): Omit<PrintedOrder, "tickets"> {
  const { orderId, eventId, eventName, startsAt, venueName, venueCity, venueAddress, timezone } = order;
  return { orderId, eventId, eventName, startsAt, venueName, venueCity, venueAddress, timezone };
}

const LOCALE = "en-GB";
const MARGIN = 56;
const QR_SIZE = 220;
const QR_MASK = 0;

// Intl formatters cost more to build than to use (a sell-out's confirmations print the same event
// and currency 50,000 times): one per time zone and currency, kept for the process's life.
const showTimeFormats = new Map<string, Intl.DateTimeFormat>();
const priceFormats = new Map<string, Intl.NumberFormat>();

/** Formatted show times (a sell-out prints one 50,000 times); cleared when it holds this many. */
const showTimes = new Map<string, string>();
const SHOW_TIMES_KEPT = 1_000;

/** "Saturday 12 December 2026, 20:00 CET": the show's local date and time at the venue. */
export function formatShowTime(startsAt: Date, timeZone: string): string {
  const key = `${timeZone} ${startsAt.getTime()}`;
  let text = showTimes.get(key);
  if (text === undefined) {
    if (showTimes.size >= SHOW_TIMES_KEPT) showTimes.clear();
    text = showTimeFormat(timeZone).format(startsAt);
    showTimes.set(key, text);
  }
  return text;
}

function showTimeFormat(timeZone: string): Intl.DateTimeFormat {
  let format = showTimeFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALE, {
      weekday: "long",
      day: "numeric",
      month: "long",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      timeZone,
      timeZoneName: "short",
    });
    showTimeFormats.set(timeZone, format);
  }
  return format;
}

function priceFormat(currency: string): Intl.NumberFormat {
  let format = priceFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat(LOCALE, { style: "currency", currency });
    priceFormats.set(currency, format);
  }
  return format;
}

/** How many decimals the currency's minor unit has (2 for EUR, 0 for JPY). */
export function minorUnitDigits(currency: string): number {
  return priceFormat(currency).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Money in minor units, in its currency ("€45.00"). */
export function formatPrice({ amount, currency }: Money): string {
  return priceFormat(currency).format(amount / 10 ** minorUnitDigits(currency));
}

/** "Section A · Row 3 · Seat 12", or "Standing" (with the area's name when known). */
export function placeLabel(ticket: Pick<PrintedTicket, "seat" | "area">): string {
  if (!ticket.seat) return ticket.area ? `Standing · ${ticket.area}` : "Standing";
  return `${ticket.seat.section} · Row ${ticket.seat.row} · Seat ${ticket.seat.number}`;
}

/** The PDF of printed tickets, one page each; yields to the event loop between pages. */
export async function renderTicketsPdf(order: PrintedOrder): Promise<Buffer> {
  const doc = new PDFDocument({
    size: "A4",
    margin: MARGIN,
    autoFirstPage: false,
    info: { Title: `Tickets: ${order.eventName}`, Author: "Frontrow", Subject: `Order ${order.orderId}` },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on("end", resolve);
    doc.on("error", reject);
  });
  for (const [index, ticket] of order.tickets.entries()) {
    if (index > 0) await nextLoopTurn();
    drawTicketPage(doc, order, ticket, `Ticket ${index + 1} of ${order.tickets.length}`);
  }
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}

function drawTicketPage(
  doc: PDFKit.PDFDocument,
  order: PrintedOrder,
  ticket: PrintedTicket,
  counter: string,
) {
  doc.addPage();
  const width = doc.page.width - 2 * MARGIN;
  doc.font("Helvetica").fontSize(10).fillColor("#555555").text(`FRONTROW · ${counter}`, { width });
  doc.moveDown(0.8);
  doc.font("Helvetica-Bold").fontSize(24).fillColor("#000000").text(order.eventName, { width });
  doc.moveDown(0.4);
  doc.font("Helvetica").fontSize(13).text(formatShowTime(order.startsAt, order.timezone), { width });
  doc.text(`${order.venueName}, ${order.venueCity}`, { width });
  if (order.venueAddress) doc.fontSize(10).fillColor("#555555").text(order.venueAddress, { width });
  doc.moveDown(1);
  doc.font("Helvetica-Bold").fontSize(18).fillColor("#000000").text(placeLabel(ticket), { width });
  doc
    .font("Helvetica")
    .fontSize(13)
    .text(`Price: ${formatPrice(ticket.price)}`, { width });
  doc.moveDown(1.2);
  if (ticket.staticCode) {
    const top = doc.y;
    drawQr(doc, ticket.staticCode, MARGIN + (width - QR_SIZE) / 2, top, QR_SIZE);
    doc.y = top + QR_SIZE + 12;
    doc.font("Courier").fontSize(7).fillColor("#000000").text(ticket.staticCode, { width, align: "center" });
    doc.moveDown(0.8);
    doc
      .font("Helvetica")
      .fontSize(9)
      .fillColor("#555555")
      .text(
        "Show this code at the entrance, printed or on screen. It admits one person once. " +
          "The organizer can turn printed codes off: the live ticket in the Frontrow app always works.",
        { width, align: "center" },
      );
  } else {
    doc
      .font("Helvetica-Bold")
      .fontSize(13)
      .fillColor("#000000")
      .text(
        "Printed codes are turned off for this event: show the live ticket in the Frontrow app at the entrance.",
        { width, align: "center" },
      );
  }
  doc
    .font("Helvetica")
    .fontSize(8)
    .fillColor("#777777")
    .text(`Order ${order.orderId} · Ticket ${ticket.id}`, MARGIN, doc.page.height - MARGIN - 10, {
      width,
      align: "center",
      lineBreak: false,
    });
}

/** The QR code drawn as vector squares (crisp in print), with the standard 4-module quiet zone. */
function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number) {
  // A fixed mask: choosing the best of the eight (qrcode's default) scores each and was a third of the
  // code's cost; every mask scans the same, the chosen one only evens out the pattern a little.
  // One byte-mode segment: given a bare string, qrcode searches the cheapest mix of modes (a shortest
  // path over the text) for every code; a code is short ASCII, for which bytes cost about as little.
  const { modules } = QRCode.create([{ data: Buffer.from(text), mode: "byte" }], {
    errorCorrectionLevel: "M",
    maskPattern: QR_MASK,
  });
  const quiet = 4;
  const cell = size / (modules.size + 2 * quiet);
  doc.rect(x, y, size, size).fill("#ffffff");
  for (let row = 0; row < modules.size; row++) {
    // One rectangle per run of dark modules in a row: fewer path operations than one per module.
    let start = -1;
    for (let col = 0; col <= modules.size; col++) {
      const dark = col < modules.size && modules.get(row, col);
      if (dark && start < 0) start = col;
      if (!dark && start >= 0) {
        doc.rect(x + (quiet + start) * cell, y + (quiet + row) * cell, (col - start) * cell, cell);
        start = -1;
      }
    }
  }
  doc.fill("#000000");
}
