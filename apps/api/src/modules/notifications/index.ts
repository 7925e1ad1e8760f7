import { SmtpMailer } from "../../infra/mailer.js";
import { defineModule, type ModuleDependencies, type ModuleParts } from "../module.js";
import { appleWalletFrom } from "./apple-wallet.js";
import { googleWalletFrom } from "./google-wallet.js";
import { MailPlanner } from "./mail-planner.js";
import { type AttachmentsFor, MailSender } from "./mail-sender.js";
import { renderOrderPdf } from "./order-pdf.js";
import { OrderFileFields, TicketWalletFields } from "./ticket-delivery.resolver.js";
import { TicketDeliveryService } from "./ticket-delivery.service.js";
import { ticketFileRoutes } from "./ticket-files.js";

declare module "../../graphql/context.js" {
  interface Services {
    /** Printed tickets: the order's PDF and Wallet passes, and their download URLs. */
    ticketDelivery: TicketDeliveryService;
  }
}

declare module "../module.js" {
  interface BackgroundWork {
    /** Sends planned mails (`send(id)` runs one try now); absent while mail is off (no SMTP_URL). */
    mailSender?: MailSender;
  }
}

/**
 * Email (docs/notifications.md): every outbox event becomes an `outbox.mail` job (MailPlanner) that plans
 * the mails it calls for, each sent by its own `mail.send` job (MailSender) through SMTP_URL. Without
 * SMTP_URL (or with `off`) no mail is planned at all.
 */
function setUpMail({ config, db, jobs, log, pool, services }: ModuleDependencies): ModuleParts {
  if (!config.SMTP_URL || config.SMTP_URL === "off") {
    log.info(`mail off: SMTP_URL is ${config.SMTP_URL ?? "not set"}`);
    return {};
  }
  const mailer = new SmtpMailer(
    { url: config.SMTP_URL, from: config.MAIL_FROM, maxConnections: config.MAIL_MAX_CONNECTIONS },
    log,
  );
  // A confirmation carries the order's PDF, rendered in the send job (never on the request path). An
  // order cancelled before its mail left has no valid tickets to print: the mail goes without it.
  const attachmentsFor: AttachmentsFor = async (mail) => {
    if (mail.template !== "order.confirmed") return [];
    const orderId = String(mail.params.orderId);
    const pdf = await renderOrderPdf({ db, tickets: services.tickets }, orderId).catch(() => null);
    return pdf
      ? [{ filename: `frontrow-tickets-${orderId}.pdf`, contentType: "application/pdf", content: pdf }]
      : [];
  };
  const mailSender = new MailSender(
    pool,
    mailer,
    services.accountTokens,
    log,
    { webAppUrl: config.WEB_APP_URL, from: config.MAIL_FROM, claimMs: config.MAIL_CLAIM_MS },
    attachmentsFor,
    jobs,
  );
  services.outbox.addConsumer(new MailPlanner(pool, { resetTtlMinutes: config.PASSWORD_RESET_TTL_MINUTES }));
  return {
    background: { mailSender },
    async stop() {
      mailer.close();
    },
  };
}

// Tickets outside the app (docs/orders.md, "Tickets anywhere"): the PDF of an order (order-pdf.ts, also
// what the confirmation email attaches), Apple Wallet passes and Google Wallet links where configured,
// and the routes that download them with the fan's session; and every email (setUpMail above).
export const notificationsModule = defineModule({
  name: "notifications",
  resolvers: [OrderFileFields, TicketWalletFields],
  setup(deps) {
    const { config, db, services } = deps;
    const ticketDelivery = new TicketDeliveryService(
      db,
      services.orders,
      services.tickets,
      { apple: appleWalletFrom(config), google: googleWalletFrom(config) },
      config.PUBLIC_API_URL ?? `http://localhost:${config.PORT}`,
    );
    return {
      ...setUpMail(deps),
      services: { ticketDelivery },
      routes: ticketFileRoutes(services.auth, ticketDelivery),
    };
  },
});
