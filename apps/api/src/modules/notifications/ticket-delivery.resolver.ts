import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import type { Context } from "../../graphql/context.js";
import type { OrderView, TicketView } from "../orders/order-views.js";
import { Order, Ticket } from "../orders/orders.types.js";

// Where an order's printed tickets download from (routes in ticket-files.ts, with the session cookie).

@Resolver(() => Order)
export class OrderFileFields {
  @FieldResolver(() => String, {
    nullable: true,
    description:
      "The PDF of the order's tickets (one page per ticket with its printed code), downloaded with your " +
      "session cookie (GET). Null unless the order is CONFIRMED.",
  })
  pdfUrl(@Root() order: OrderView, @Ctx() ctx: Context): string | null {
    return order.status === "CONFIRMED" ? ctx.services.ticketDelivery.pdfUrl(order.id) : null;
  }
}

@Resolver(() => Ticket)
export class TicketWalletFields {
  @FieldResolver(() => String, {
    nullable: true,
    description:
      "The ticket's Apple Wallet pass (.pkpass), downloaded with your session cookie. Null when this " +
      "Frontrow has no Apple Wallet signing configured (the download then answers WALLET_NOT_CONFIGURED) " +
      "or the ticket is void.",
  })
  appleWalletUrl(@Root() ticket: TicketView, @Ctx() ctx: Context): string | null {
    return ticket.status === "VALID" ? ctx.services.ticketDelivery.appleWalletUrl(ticket) : null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "Opens Google Wallet's 'save' page for the ticket (a redirect, with your session cookie). Null " +
      "when Google Wallet is not configured or the ticket is void.",
  })
  googleWalletUrl(@Root() ticket: TicketView, @Ctx() ctx: Context): string | null {
    return ticket.status === "VALID" ? ctx.services.ticketDelivery.googleWalletUrl(ticket) : null;
  }
}
