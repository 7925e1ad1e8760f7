import type { Db } from "../../infra/prisma.js";
import { AppError, ErrorCode } from "../../kernel/errors.js";
import type { Viewer } from "../../kernel/viewer.js";
import type { OrdersService } from "../orders/orders.service.js";
import type { TicketsService } from "../orders/tickets.service.js";
import type { AppleWallet } from "./apple-wallet.js";
import type { GoogleWallet } from "./google-wallet.js";
import { type PrintedOrder, type PrintedTicket, printedOrder, renderTicketsPdf } from "./order-pdf.js";

// Tickets outside the app (docs/orders.md, "Tickets anywhere"): the order's PDF and each ticket's Wallet
// pass, for whoever may see the order (its buyer, the event's organizer, an admin), and the URLs that
// download them (served by ticket-files.ts with the caller's session).

export const TICKET_FILE_PATHS = {
  pdf: "/orders/tickets.pdf",
  appleWallet: "/orders/wallet.pkpass",
  googleWallet: "/orders/google-wallet",
} as const;

type CodedTicket = PrintedTicket & { staticCode: string };

export class TicketDeliveryService {
  constructor(
    private readonly db: Db,
    private readonly orders: Pick<OrdersService, "order">,
    private readonly tickets: Pick<TicketsService, "orderTickets" | "staticCode">,
    private readonly wallets: { apple: AppleWallet | null; google: GoogleWallet | null },
    /** The API as browsers reach it (PUBLIC_API_URL): download URLs start with it. */
    private readonly publicApiUrl: string,
  ) {}

  /** Where the order's PDF downloads from (with the caller's session). */
  pdfUrl(orderId: string): string {
    return this.url(TICKET_FILE_PATHS.pdf, { orderId });
  }

  /** Where a ticket's Apple Wallet pass downloads from; null when no pass can be signed here. */
  appleWalletUrl(ticket: { id: string; orderId: string }): string | null {
    if (!this.wallets.apple) return null;
    return this.url(TICKET_FILE_PATHS.appleWallet, { orderId: ticket.orderId, ticketId: ticket.id });
  }

  /** Where a ticket's "Add to Google Wallet" link starts; null when Google Wallet is not configured. */
  googleWalletUrl(ticket: { id: string; orderId: string }): string | null {
    if (!this.wallets.google) return null;
    return this.url(TICKET_FILE_PATHS.googleWallet, { orderId: ticket.orderId, ticketId: ticket.id });
  }

  /** The order's PDF for someone who may see the order. */
  async orderPdf(viewer: Viewer, orderId: string): Promise<Buffer> {
    return renderTicketsPdf(await this.readableOrder(viewer, orderId));
  }

  /** A ticket's signed .pkpass. Errors: WALLET_NOT_CONFIGURED, STATIC_CODES_DISABLED, NOT_FOUND. */
  async applePass(viewer: Viewer, orderId: string, ticketId: string): Promise<Buffer> {
    const apple = this.configured(this.wallets.apple, "Apple Wallet");
    const { order, ticket } = await this.passTicket(viewer, orderId, ticketId);
    return apple.pass(order, ticket);
  }

  /** The Google "save to wallet" link of a ticket. Errors as applePass. */
  async googleSaveUrl(viewer: Viewer, orderId: string, ticketId: string): Promise<string> {
    const google = this.configured(this.wallets.google, "Google Wallet");
    const { order, ticket } = await this.passTicket(viewer, orderId, ticketId);
    return google.saveUrl(order, ticket);
  }

  private configured<T>(wallet: T | null, name: string): T {
    if (wallet) return wallet;
    throw new AppError(
      ErrorCode.WALLET_NOT_CONFIGURED,
      `${name} passes are not available: this Frontrow has no ${name} signing configured. Download the PDF or use the app.`,
    );
  }

  private async passTicket(viewer: Viewer, orderId: string, ticketId: string) {
    const order = await this.readableOrder(viewer, orderId);
    const ticket = order.tickets.find((candidate) => candidate.id === ticketId);
    if (!ticket)
      throw new AppError(ErrorCode.NOT_FOUND, `Ticket ${ticketId} is not a valid ticket of this order`);
    if (!ticket.staticCode) {
      throw new AppError(
        ErrorCode.STATIC_CODES_DISABLED,
        "The organizer turned printed and Wallet codes off for this event: show the ticket in the app.",
      );
    }
    return { order, ticket: ticket as CodedTicket };
  }

  /** The printed order, after the same access check as `order(id)` (buyer, organizer, admin). */
  private async readableOrder(viewer: Viewer, orderId: string): Promise<PrintedOrder> {
    await this.orders.order(viewer, orderId);
    return printedOrder({ db: this.db, tickets: this.tickets }, orderId);
  }

  private url(path: string, query: Record<string, string>): string {
    return `${this.publicApiUrl}${path}?${new URLSearchParams(query)}`;
  }
}
