// What one email says, in words only (each language's file makes these); layout.ts turns it into the
// HTML and plain-text parts, the same way for every language.

export interface MailContent {
  subject: string;
  /** "Hi Ada," */
  greeting: string;
  paragraphs: string[];
  /** A list under the paragraphs (the tickets of an order, the changes to an event). */
  items?: string[];
  /** The one thing to do, as a button (HTML) and a bare link (text). */
  action?: { label: string; url: string };
  /** Under the action: why the mail came, what to do if it was not expected. */
  footnote?: string;
}

export interface EventParams {
  id: number;
  name: string;
  startsAt: string;
  venueName: string;
  city: string;
  timezone: string;
}

export interface TicketParams {
  section: string;
  /** A standing place: no row or seat to print. */
  standing?: boolean;
  row: string;
  seat: number;
  priceMinor: number;
}

/** The parameters of each template (what the planner stores in mail_message.params). */
export interface TemplateParams {
  "order.confirmed": {
    orderId: string;
    totalMinor: number;
    currency: string;
    event: EventParams;
    tickets: TicketParams[];
  };
  "order.cancelled": { orderId: string; event: EventParams };
  "order.refunded": {
    orderId: string;
    event: EventParams;
    amountMinor: number;
    currency: string;
    reason: string;
    tickets: TicketParams[];
  };
  "event.changed": { event: EventParams; changes: Record<string, { before: unknown; after: unknown }> };
  "event.cancelled": { event: EventParams; reason: string };
  "transfer.offered": { transferId: string; fromName: string; event: EventParams; count: number };
  "ticket.transferred.sender": { event: EventParams; count: number; toEmail: string };
  "ticket.transferred.recipient": { orderId: string; event: EventParams; count: number; fromName: string };
  "waitlist.offered": { holdId: string; event: EventParams; quantity: number; expiresAt: string };
  "user.welcome": { name: string | null };
  "user.verify_email": { name: string | null };
  "user.password_reset": { name: string | null; resetId: string; ttlMinutes: number };
  "user.email_changed": { name: string | null; newEmail: string };
  "user.password_changed": { name: string | null };
  "webhook.endpoint_disabled": { name: string | null; endpointId: string; url: string; reason: string };
}

export type TemplateName = keyof TemplateParams;

/** Links made when a mail is rendered (tokens are never stored): the web app's URLs. */
export interface Links {
  web(path: string): string;
  /** The email verification link of this mail's recipient. */
  verifyEmail(): string;
  /** The password reset link of a reset request. */
  resetPassword(resetId: string): string;
}

/** Formats in the mail's language. */
export interface Formats {
  money(minor: number, currency: string): string;
  /** A date and time in the venue's time zone, with the zone named. */
  when(iso: string, timezone: string): string;
}

/** One language: a function per template. */
export type Catalog = {
  [T in TemplateName]: (params: TemplateParams[T], links: Links, format: Formats) => MailContent;
};
