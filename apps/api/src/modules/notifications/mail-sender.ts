import { createHash } from "node:crypto";
import type { Jobs } from "../../infra/jobs.js";
import type { Logger } from "../../infra/logger.js";
import type { MailAttachment, Mailer } from "../../infra/mailer.js";
import type { SqlPool } from "../../infra/sql.js";
import type { AccountTokens } from "../auth/account-tokens.js";
import { claimMail, type MailToSend, markFailed, markSent, SEND_TASK } from "./mail-store.js";
import { isTemplate, type Links, renderMail, type TemplateParams } from "./templates/index.js";

// Stage two of the mail pipeline (docs/notifications.md): a `mail.send` job claims its mail, renders it in
// the recipient's language, hands it to the SMTP server and marks it sent. A mail marked sent is never
// sent again; a crash between the server's "accepted" and the mark is the one window in which a mail can
// go twice, and then with the same Message-ID (derived from the outbox event and the recipient).

/** graphile-worker's default: the last try gives up (the mail is marked FAILED and kept for inspection). */
const MAX_ATTEMPTS = 25;
const VERIFY_LINK_DAYS = 7;

export interface SenderOptions {
  webAppUrl: string;
  from: string;
  /** A claim outlives the longest send by this much: then a crashed worker's mail is sent by another. */
  claimMs: number;
}

/** Attachments a template's mail carries (the order PDF for a confirmation); none by default. */
export type AttachmentsFor = (mail: MailToSend) => Promise<MailAttachment[]>;

export function messageIdOf(mail: Pick<MailToSend, "outboxEventId" | "recipient">, from: string): string {
  const domain = /@([^>\s]+)/.exec(from)?.[1] ?? "frontrow.local";
  const who = createHash("sha256").update(mail.recipient.toLowerCase()).digest("hex").slice(0, 20);
  return `<outbox-${mail.outboxEventId}.${who}@${domain}>`;
}

export class MailSender {
  constructor(
    private readonly pool: SqlPool,
    private readonly mailer: Mailer,
    private readonly tokens: AccountTokens,
    private readonly log: Logger,
    private readonly options: SenderOptions,
    private readonly attachmentsFor: AttachmentsFor = async () => [],
    jobs?: Jobs,
  ) {
    // Heavy: rendering a confirmation's PDF is CPU work (API_ROLE=worker runs it apart from the sale).
    jobs?.register(
      SEND_TASK,
      (payload, job) => this.send((payload as { messageId: string }).messageId, job.attempts),
      { heavy: true },
    );
  }

  /** One try of one mail (a `mail.send` job); throwing has graphile-worker try again later. */
  async send(messageId: string, attempt = 1): Promise<void> {
    const claim = await claimMail(this.pool, messageId, this.options.claimMs);
    if (claim.state === "DONE") return;
    if (!claim.mail) throw new Error(`mail ${messageId} is being sent by another worker; trying later`);
    const { mail } = claim;
    try {
      if (!isTemplate(mail.template)) throw new Error(`unknown mail template ${mail.template}`);
      const rendered = renderMail(
        mail.template,
        mail.params as TemplateParams[typeof mail.template],
        mail.locale,
        this.links(mail),
      );
      await this.mailer.send({
        to: mail.recipient,
        ...rendered,
        messageId: messageIdOf(mail, this.options.from),
        headers: { "X-Frontrow-Template": mail.template },
        attachments: await this.attachmentsFor(mail),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const final = attempt >= MAX_ATTEMPTS;
      await markFailed(this.pool, mail.id, reason, final);
      this.log.warn({ mailId: mail.id, template: mail.template, attempt, err: reason }, "mail: send failed");
      if (final) return;
      throw error;
    }
    await markSent(this.pool, mail.id);
  }

  private links(mail: MailToSend): Links {
    const web = (path: string) => new URL(path, this.options.webAppUrl).toString();
    return {
      web,
      verifyEmail: () => {
        const expiresAt = new Date(mail.createdAt.getTime() + VERIFY_LINK_DAYS * 86_400_000);
        const token = this.tokens.verificationToken({
          userId: mail.userId ?? "",
          email: mail.recipient,
          expiresAt,
        });
        return web(`/verify-email?token=${encodeURIComponent(token)}`);
      },
      resetPassword: (resetId) => web(`/reset-password?token=${this.tokens.resetToken(resetId)}`),
    };
  }
}
