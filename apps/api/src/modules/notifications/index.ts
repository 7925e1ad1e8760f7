import { SmtpMailer } from "../../infra/mailer.js";
import { defineModule } from "../module.js";
import { MailPlanner } from "./mail-planner.js";
import { MailSender } from "./mail-sender.js";

declare module "../module.js" {
  interface BackgroundWork {
    /** Sends planned mails (`send(id)` runs one try now); absent while mail is off (no SMTP_URL). */
    mailSender?: MailSender;
  }
}

// Email (docs/notifications.md): every outbox event becomes an `outbox.mail` job (MailPlanner) that plans
// the mails it calls for, each sent by its own `mail.send` job (MailSender) through SMTP_URL. Without
// SMTP_URL (development and tests that do not mail) no mail is planned at all.
export const notificationsModule = defineModule({
  name: "notifications",
  resolvers: [],
  setup({ config, db, jobs, log, services }) {
    if (!config.SMTP_URL || config.SMTP_URL === "off") {
      log.info(`mail off: SMTP_URL is ${config.SMTP_URL ?? "not set"}`);
      return {};
    }
    const mailer = new SmtpMailer(
      { url: config.SMTP_URL, from: config.MAIL_FROM, maxConnections: config.MAIL_MAX_CONNECTIONS },
      log,
    );
    const mailSender = new MailSender(
      db,
      mailer,
      services.accountTokens,
      log,
      { webAppUrl: config.WEB_APP_URL, from: config.MAIL_FROM, claimMs: config.MAIL_CLAIM_MS },
      undefined,
      jobs,
    );
    services.outbox.addConsumer(new MailPlanner(db, { resetTtlMinutes: config.PASSWORD_RESET_TTL_MINUTES }));
    return {
      background: { mailSender },
      async stop() {
        mailer.close();
      },
    };
  },
});
