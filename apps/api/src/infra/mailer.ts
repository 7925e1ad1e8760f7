import nodemailer, { type Transporter } from "nodemailer";
import type { Logger } from "./logger.js";

// Mail out through SMTP (nodemailer) behind a small interface: the notifications module says what to
// send, this says how. `SMTP_URL` names the server (maildev locally and in tests, a provider in production).

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The same on every attempt of one message, so a repeat after a crash is recognisable as one. */
  messageId: string;
  attachments?: MailAttachment[];
  headers?: Record<string, string>;
}

export interface Mailer {
  /** Resolves once the SMTP server has accepted the message; throws when it did not. */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export interface SmtpOptions {
  url: string;
  from: string;
  maxConnections: number;
}

/** Pooled SMTP connections: a sell-out's confirmations reuse a few sockets instead of one per mail. */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(
    private readonly options: SmtpOptions,
    log: Logger,
  ) {
    const url = new URL(options.url);
    this.transport = nodemailer.createTransport({
      pool: true,
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port: Number(url.port) || (url.protocol === "smtps:" ? 465 : 587),
      secure: url.protocol === "smtps:",
      auth: url.username
        ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) }
        : undefined,
      maxConnections: options.maxConnections,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    this.transport.on("error", (error: Error) => log.warn({ err: error.message }, "mail: SMTP pool error"));
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transport.sendMail({
      from: this.options.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      attachments: mail.attachments,
      headers: mail.headers,
    });
  }

  close(): void {
    this.transport.close();
  }
}
