import { defineModule } from "../module.js";
import { AppleWallet } from "./apple-wallet.js";
import { GoogleWallet } from "./google-wallet.js";
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
    const apple =
      config.APPLE_WALLET_CERT_FILE &&
      config.APPLE_WALLET_KEY_FILE &&
      config.APPLE_WALLET_WWDR_FILE &&
      config.APPLE_WALLET_PASS_TYPE_ID &&
      config.APPLE_WALLET_TEAM_ID
        ? new AppleWallet({
            certFile: config.APPLE_WALLET_CERT_FILE,
            keyFile: config.APPLE_WALLET_KEY_FILE,
            wwdrFile: config.APPLE_WALLET_WWDR_FILE,
            keyPassphrase: config.APPLE_WALLET_KEY_PASSPHRASE,
            passTypeId: config.APPLE_WALLET_PASS_TYPE_ID,
            teamId: config.APPLE_WALLET_TEAM_ID,
            organizationName: "Frontrow",
          })
        : null;
    const google =
      config.GOOGLE_WALLET_ISSUER_ID && config.GOOGLE_WALLET_SERVICE_ACCOUNT_FILE
        ? new GoogleWallet({
            issuerId: config.GOOGLE_WALLET_ISSUER_ID,
            serviceAccountFile: config.GOOGLE_WALLET_SERVICE_ACCOUNT_FILE,
            issuerName: "Frontrow",
            origins: [config.WEB_APP_URL],
          })
        : null;
    const ticketDelivery = new TicketDeliveryService(
      db,
      services.orders,
      services.tickets,
      { apple, google },
      config.PUBLIC_API_URL ?? `http://localhost:${config.PORT}`,
    );
    return { services: { ticketDelivery }, routes: ticketFileRoutes(services.auth, ticketDelivery) };
  },
});
