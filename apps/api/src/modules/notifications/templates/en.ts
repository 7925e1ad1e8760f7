import type { Catalog, EventParams, Formats, TicketParams } from "./content.js";

// English, the first language (a new one: a file like this one, listed in index.ts and auth/locales.ts).

const hi = (name: string | null | undefined) => (name ? `Hi ${name},` : "Hi,");
const at = (event: EventParams, format: Formats) =>
  `${event.name}, ${format.when(event.startsAt, event.timezone)}, ${event.venueName}, ${event.city}`;
const ticketLine = (ticket: TicketParams, currency: string, format: Formats) =>
  `${ticket.section}, ${ticket.standing ? "standing" : `row ${ticket.row}, seat ${ticket.seat}`} (${format.money(ticket.priceMinor, currency)})`;
const tickets = (count: number) => (count === 1 ? "1 ticket" : `${count} tickets`);

export const en: Catalog = {
  "order.confirmed": (p, links, format) => ({
    subject: `Your tickets for ${p.event.name}`,
    greeting: "Hi,",
    paragraphs: [
      `Your order is confirmed: ${tickets(p.tickets.length)} for ${at(p.event, format)}.`,
      `Total paid: ${format.money(p.totalMinor, p.currency)}. Your tickets are attached as a PDF; in the app they show a code that changes every few seconds.`,
    ],
    items: p.tickets.map((ticket) => ticketLine(ticket, p.currency, format)),
    action: { label: "Show my tickets", url: links.web(`/orders/${p.orderId}`) },
    footnote: `Order ${p.orderId}`,
  }),
  "order.cancelled": (p, links, format) => ({
    subject: `Your order for ${p.event.name} is cancelled`,
    greeting: "Hi,",
    paragraphs: [
      `Your order for ${at(p.event, format)} is cancelled and its tickets no longer admit anyone.`,
      "If you paid, the money goes back to the card you paid with.",
    ],
    action: { label: "See the order", url: links.web(`/orders/${p.orderId}`) },
    footnote: `Order ${p.orderId}`,
  }),
  "order.refunded": (p, links, format) => ({
    subject: `Refund for ${p.event.name}`,
    greeting: "Hi,",
    paragraphs: [
      `We refunded ${format.money(p.amountMinor, p.currency)} for ${tickets(p.tickets.length)} to ${at(p.event, format)}.`,
      ...(p.reason ? [`Reason: ${p.reason}`] : []),
      "Refunds reach the card you paid with within a few working days. The refunded tickets no longer admit anyone.",
    ],
    items: p.tickets.map((ticket) => ticketLine(ticket, p.currency, format)),
    action: { label: "See the order", url: links.web(`/orders/${p.orderId}`) },
    footnote: `Order ${p.orderId}`,
  }),
  "event.changed": (p, links, format) => ({
    subject: `${p.event.name} has changed`,
    greeting: "Hi,",
    paragraphs: [
      `The organizer changed ${p.event.name}, which you have tickets for. It is now: ${at(p.event, format)}.`,
    ],
    items: Object.entries(p.changes).map(
      ([field, change]) => `${field}: ${String(change.before ?? "—")} → ${String(change.after ?? "—")}`,
    ),
    action: { label: "See the event", url: links.web(`/events/${p.event.id}`) },
    footnote:
      "Your tickets stay valid. If the change means you cannot go, see your order for what you can do.",
  }),
  "event.cancelled": (p, links, format) => ({
    subject: `${p.event.name} is cancelled`,
    greeting: "Hi,",
    paragraphs: [
      `We are sorry: ${at(p.event, format)} is cancelled by its organizer.`,
      ...(p.reason ? [`Reason: ${p.reason}`] : []),
      "You get your money back without doing anything; we will mail you when the refund is made.",
    ],
    action: { label: "My orders", url: links.web("/orders") },
  }),
  "transfer.offered": (p, links, format) => ({
    subject: `${p.fromName} sent you ${tickets(p.count)} for ${p.event.name}`,
    greeting: "Hi,",
    paragraphs: [
      `${p.fromName} is giving you ${tickets(p.count)} for ${at(p.event, format)}.`,
      "Accept them to have them in your account (you can sign up with this email address if you have no account yet). Once you accept, the tickets get new codes made for you.",
    ],
    action: { label: "Accept the tickets", url: links.web(`/transfers/${p.transferId}`) },
    footnote: "If you do not know the sender, you can ignore this email.",
  }),
  "ticket.transferred.sender": (p, links, format) => ({
    subject: `Your tickets for ${p.event.name} were accepted`,
    greeting: "Hi,",
    paragraphs: [
      `${p.toEmail} accepted the ${tickets(p.count)} you sent for ${at(p.event, format)}.`,
      "Those tickets are theirs now: the codes you had for them no longer admit anyone.",
    ],
    action: { label: "My orders", url: links.web("/orders") },
  }),
  "ticket.transferred.recipient": (p, links, format) => ({
    subject: `Your tickets for ${p.event.name}`,
    greeting: "Hi,",
    paragraphs: [`You now have ${tickets(p.count)} from ${p.fromName} for ${at(p.event, format)}.`],
    action: { label: "Show my tickets", url: links.web(`/orders/${p.orderId}`) },
  }),
  "waitlist.offered": (p, links, format) => ({
    subject: `Tickets for ${p.event.name} are yours to buy`,
    greeting: "Hi,",
    paragraphs: [
      `Good news from the waitlist: ${tickets(p.quantity)} for ${at(p.event, format)} are held for you.`,
      `They are yours to buy until ${format.when(p.expiresAt, p.event.timezone)}; after that they go to the next fan on the list.`,
    ],
    action: { label: "Buy the tickets", url: links.web(`/checkout/${p.holdId}`) },
  }),
  "user.welcome": (p, links) => ({
    subject: "Welcome to Frontrow: confirm your email",
    greeting: hi(p.name),
    paragraphs: [
      "Welcome to Frontrow. Please confirm that this is your email address, so that your tickets and password resets reach you.",
    ],
    action: { label: "Confirm my email", url: links.verifyEmail() },
    footnote: "If you did not sign up for Frontrow, you can ignore this email.",
  }),
  "user.verify_email": (p, links) => ({
    subject: "Confirm your email for Frontrow",
    greeting: hi(p.name),
    paragraphs: ["Please confirm that this is the email address of your Frontrow account."],
    action: { label: "Confirm my email", url: links.verifyEmail() },
    footnote: "If you did not ask for this, you can ignore this email.",
  }),
  "user.password_reset": (p, links) => ({
    subject: "Reset your Frontrow password",
    greeting: hi(p.name),
    paragraphs: [
      `Someone (we hope you) asked to reset the password of your Frontrow account. The link works once, for ${p.ttlMinutes} minutes, and signs you out everywhere else.`,
    ],
    action: { label: "Choose a new password", url: links.resetPassword(p.resetId) },
    footnote: "If you did not ask for this, ignore this email: your password stays as it is.",
  }),
  "user.email_changed": (p) => ({
    subject: "The email of your Frontrow account was changed",
    greeting: hi(p.name),
    paragraphs: [
      `The email address of your Frontrow account was changed to ${p.newEmail}. Mails now go there.`,
      "If you did not do this, reset your password at once and write to support.",
    ],
  }),
  "user.password_changed": (p, links) => ({
    subject: "Your Frontrow password was changed",
    greeting: hi(p.name),
    paragraphs: [
      "The password of your Frontrow account was just changed, and every other session was signed out.",
      "If you did not do this, reset your password now.",
    ],
    action: { label: "Reset my password", url: links.web("/forgot-password") },
  }),
  "webhook.endpoint_disabled": (p, links) => ({
    subject: "Frontrow stopped sending to one of your webhook endpoints",
    greeting: hi(p.name),
    paragraphs: [
      `Frontrow disabled your webhook endpoint ${p.url} and sends it nothing for now, because its deliveries kept failing.`,
      ...(p.reason ? [`Why: ${p.reason}.`] : []),
      "Nothing is lost: events that happen meanwhile are kept for it. Once the endpoint answers again, enable it on the Webhooks page and they are sent, in order.",
    ],
    action: { label: "Open my webhooks", url: links.web("/organizer/webhooks") },
    footnote: `Endpoint ${p.endpointId}. You get this email because you registered this endpoint.`,
  }),
};
