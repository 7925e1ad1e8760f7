import { defineModule } from "../module.js";
import { appleWalletFrom } from "./apple-wallet.js";
import { googleWalletFrom } from "./google-wallet.js";
import { OrderFileFields, TicketWalletFields } from "./ticket-delivery.resolver.js";
import { TicketDeliveryService } from "./ticket-delivery.service.js";
import { ticketFileRoutes } from "./ticket-files.js";

declare module "../../graphql/context.js" {
  interface Services {
    /** Printed tickets: the order's PDF and Wallet passes, and their download URLs. */
    ticketDelivery: TicketDeliveryService;
  }
}

// Tickets outside the app (docs/orders.md, "Tickets anywhere"): the PDF of an order (order-pdf.ts, also
// what the confirmation email attaches), Apple Wallet passes and Google Wallet links where configured,
// and the routes that download them with the fan's session.
export const notificationsModule = defineModule({
  name: "notifications",
  resolvers: [OrderFileFields, TicketWalletFields],
  setup({ config, db, services }) {
    const ticketDelivery = new TicketDeliveryService(
      db,
      services.orders,
      services.tickets,
      { apple: appleWalletFrom(config), google: googleWalletFrom(config) },
      config.PUBLIC_API_URL ?? `http://localhost:${config.PORT}`,
    );
    return { services: { ticketDelivery }, routes: ticketFileRoutes(services.auth, ticketDelivery) };
  },
});
