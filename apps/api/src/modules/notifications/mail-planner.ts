import type { SqlPool } from "../../infra/sql.js";
import { isUuid } from "../../kernel/ids.js";
import type { OutboxConsumer, OutboxMessage } from "../orders/outbox.js";
import {
  type EventFacts,
  type MailFacts,
  type MailFactsWanted,
  mailFacts,
  type PlannedMail,
  type PlannedMailOf,
  planMails,
  planMailsToTicketHolders,
  type Recipient,
} from "./mail-store.js";
import type { EventParams, TemplateName, TemplateParams } from "./templates/index.js";

// Stage one of the mail pipeline (docs/notifications.md): the `outbox.mail` job turns a relay batch of
// outbox events into the mails they call for, one row and one `mail.send` job each: what the mails say is
// read in one statement and the mails are planned in another, for the whole batch. Running it again for
// the same events plans nothing new (the rows' unique key is the event id and the recipient).

type Payload = Record<string, unknown>;
const payloadOf = (message: OutboxMessage) => (message.payload ?? {}) as Payload;
const str = (payload: Payload, key: string) => String(payload[key] ?? "");
const ids = (payload: Payload, key: string) =>
  Array.isArray(payload[key]) ? (payload[key] as unknown[]).map(String) : [];

const eventParams = (event: EventFacts): EventParams => ({
  ...event,
  startsAt: event.startsAt.toISOString(),
});

function mail<T extends TemplateName>(
  to: Recipient | { email: string; id?: string },
  template: T,
  params: TemplateParams[T],
): PlannedMail {
  return { recipient: to.email, userId: to.id ?? null, template, params: params as Record<string, unknown> };
}

export interface PlannerOptions {
  resetTtlMinutes: number;
}

/** Topics that mail every ticket holder of an event: planned in SQL, one statement per event. */
const TICKET_HOLDER_TOPICS = new Set(["event.changed", "event.cancelled"]);
const ORDER_TOPICS = new Set(["order.confirmed", "order.cancelled", "order.refunded"]);
/** The payload fields that name an account a mail goes to or speaks of. */
const USER_FIELDS = ["userId", "fromUserId", "toUserId", "ownerId"];

/** The ids whose facts a batch's mails need (well-formed ones only: a bad id is a subject that is gone). */
function wantedBy(messages: OutboxMessage[]): MailFactsWanted {
  const userIds = new Set<string>();
  const eventIds = new Set<number>();
  const orderIds = new Set<string>();
  for (const message of messages) {
    const p = payloadOf(message);
    for (const field of USER_FIELDS) {
      const userId = str(p, field);
      if (isUuid(userId)) userIds.add(userId);
    }
    const eventId = Number(p.eventId);
    if (Number.isSafeInteger(eventId) && eventId > 0) eventIds.add(eventId);
    if (ORDER_TOPICS.has(message.topic) && isUuid(str(p, "orderId"))) orderIds.add(str(p, "orderId"));
  }
  return { userIds: [...userIds], eventIds: [...eventIds], orderIds: [...orderIds] };
}

export class MailPlanner implements OutboxConsumer {
  readonly name = "mail";

  constructor(
    private readonly pool: SqlPool,
    private readonly options: PlannerOptions,
  ) {}

  /** One event (a job queued before the planner took batches): a batch of one. */
  handle(message: OutboxMessage): Promise<void> {
    return this.handleBatch([message]);
  }

  async handleBatch(messages: OutboxMessage[]): Promise<void> {
    const facts = await mailFacts(this.pool, wantedBy(messages));
    const mails: PlannedMailOf[] = [];
    for (const message of messages) {
      if (TICKET_HOLDER_TOPICS.has(message.topic)) continue;
      for (const planned of this.plan(message.topic, payloadOf(message), facts)) {
        mails.push({ ...planned, outboxEventId: message.id });
      }
    }
    await planMails(this.pool, mails);
    for (const message of messages) {
      if (TICKET_HOLDER_TOPICS.has(message.topic)) await this.planForTicketHolders(message, facts);
    }
  }

  private async planForTicketHolders(message: OutboxMessage, facts: MailFacts): Promise<void> {
    const { id, topic } = message;
    const p = payloadOf(message);
    const event = facts.events.get(Number(p.eventId));
    if (!event) return;
    const params: TemplateParams["event.changed" | "event.cancelled"] =
      topic === "event.changed"
        ? {
            event: eventParams(event),
            changes: (p.changes ?? {}) as TemplateParams["event.changed"]["changes"],
          }
        : { event: eventParams(event), reason: str(p, "reason") };
    await planMailsToTicketHolders(this.pool, id, event.id, topic, params as Record<string, unknown>);
  }

  /** The mails one event calls for (none for topics that mail nobody, or whose subject is gone). */
  private plan(topic: string, p: Payload, facts: MailFacts): PlannedMail[] {
    const user = (field: string) => facts.users.get(str(p, field));
    const event = facts.events.get(Number(p.eventId));
    switch (topic) {
      case "order.confirmed":
      case "order.cancelled":
      case "order.refunded":
        return this.planOrderMail(topic, p, user("userId"), event, facts);
      case "transfer.offered":
      case "ticket.transferred":
        return this.planTransferMails(topic, p, user("fromUserId"), user("toUserId"), event);
      case "waitlist.offered": {
        const to = user("userId");
        if (!to || !event) return [];
        return [
          mail(to, "waitlist.offered", {
            holdId: str(p, "holdId"),
            event: eventParams(event),
            quantity: Number(p.quantity),
            expiresAt: str(p, "expiresAt"),
          }),
        ];
      }
      case "webhook.endpoint_disabled": {
        // The endpoint's owner (webhooks module, docs/partners.md "Persistent failure").
        const owner = user("ownerId");
        if (!owner) return [];
        return [
          mail(owner, "webhook.endpoint_disabled", {
            name: owner.name,
            endpointId: str(p, "endpointId"),
            url: str(p, "url"),
            reason: str(p, "reason"),
          }),
        ];
      }
      default:
        return this.planAccountMails(topic, p, user("userId"));
    }
  }

  private planOrderMail(
    topic: "order.confirmed" | "order.cancelled" | "order.refunded",
    p: Payload,
    user: Recipient | undefined,
    event: EventFacts | undefined,
    facts: MailFacts,
  ): PlannedMail[] {
    const orderId = str(p, "orderId");
    const order = facts.orders.get(orderId);
    if (!user || !event || !order) return [];
    const e = eventParams(event);
    if (topic === "order.cancelled") return [mail(user, topic, { orderId, event: e })];
    if (topic === "order.refunded") {
      const refunded = new Set(ids(p, "ticketIds"));
      return [
        mail(user, topic, {
          orderId,
          event: e,
          amountMinor: Number(p.amountMinor),
          currency: str(p, "currency") || order.currency,
          reason: str(p, "reason"),
          tickets: order.tickets.filter((ticket) => refunded.has(ticket.id)),
        }),
      ];
    }
    return [
      mail(user, topic, {
        orderId,
        event: e,
        totalMinor: order.totalMinor,
        currency: order.currency,
        tickets: order.tickets,
      }),
    ];
  }

  private planTransferMails(
    topic: "transfer.offered" | "ticket.transferred",
    p: Payload,
    from: Recipient | undefined,
    to: Recipient | undefined,
    event: EventFacts | undefined,
  ): PlannedMail[] {
    if (!from || !event) return [];
    const count = ids(p, "ticketIds").length;
    const fromName = from.name ?? from.email;
    if (topic === "transfer.offered") {
      const params = { transferId: str(p, "transferId"), fromName, event: eventParams(event), count };
      return [mail({ email: str(p, "toEmail") }, topic, params)];
    }
    if (!to) return [];
    return [
      mail(from, "ticket.transferred.sender", { event: eventParams(event), count, toEmail: to.email }),
      mail(to, "ticket.transferred.recipient", {
        // The recipient's tickets are in a new order of theirs (`newOrderId`, transfers module).
        orderId: str(p, "newOrderId") || str(p, "orderId"),
        event: eventParams(event),
        count,
        fromName,
      }),
    ];
  }

  private planAccountMails(topic: string, p: Payload, user: Recipient | undefined): PlannedMail[] {
    if (!topic.startsWith("user.") || !user) return [];
    const name = user.name;
    switch (topic) {
      case "user.signed_up":
        return [mail(user, "user.welcome", { name })];
      case "user.verification_requested":
        return [mail(user, "user.verify_email", { name })];
      case "user.password_reset_requested":
        return [
          mail(user, "user.password_reset", {
            name,
            resetId: str(p, "resetId"),
            ttlMinutes: this.options.resetTtlMinutes,
          }),
        ];
      case "user.password_changed":
        return [mail(user, "user.password_changed", { name })];
      case "user.email_changed":
        // The new address proves itself; the old one hears of the change (a hijack shows up there).
        return [
          mail({ email: str(p, "newEmail"), id: user.id }, "user.verify_email", { name }),
          mail({ email: str(p, "oldEmail") }, "user.email_changed", { name, newEmail: user.email }),
        ];
      default:
        return [];
    }
  }
}
