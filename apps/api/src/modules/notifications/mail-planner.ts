import type { Db } from "../../infra/prisma.js";
import type { OutboxConsumer, OutboxMessage } from "../orders/outbox.js";
import {
  type EventFacts,
  eventFacts,
  orderFacts,
  type PlannedMail,
  planMails,
  planMailsToTicketHolders,
  type Recipient,
  userFacts,
} from "./mail-store.js";
import type { EventParams, TemplateName, TemplateParams } from "./templates/index.js";

// Stage one of the mail pipeline (docs/notifications.md): the `outbox.mail` job turns an outbox event into
// the mails it calls for, one row and one `mail.send` job each, in one transaction. Running it again for
// the same event plans nothing new (the rows' unique key is the event id and the recipient).

type Payload = Record<string, unknown>;
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

export class MailPlanner implements OutboxConsumer {
  readonly name = "mail";

  constructor(
    private readonly db: Db,
    private readonly options: PlannerOptions,
  ) {}

  async handle(message: OutboxMessage): Promise<void> {
    const payload = (message.payload ?? {}) as Payload;
    if (message.topic === "event.changed" || message.topic === "event.cancelled") {
      await this.planForTicketHolders(message.id, message.topic, payload);
      return;
    }
    const mails = await this.plan(message.topic, payload);
    if (mails.length === 0) return;
    await this.db.$transaction((tx) => planMails(tx, message.id, mails));
  }

  private async planForTicketHolders(
    outboxEventId: string,
    topic: "event.changed" | "event.cancelled",
    payload: Payload,
  ): Promise<void> {
    const event = await eventFacts(this.db, Number(payload.eventId));
    if (!event) return;
    const params: TemplateParams[typeof topic] =
      topic === "event.changed"
        ? {
            event: eventParams(event),
            changes: (payload.changes ?? {}) as TemplateParams["event.changed"]["changes"],
          }
        : { event: eventParams(event), reason: str(payload, "reason") };
    await this.db.$transaction((tx) =>
      planMailsToTicketHolders(tx, outboxEventId, event.id, topic, params as Record<string, unknown>),
    );
  }

  /** The mails one event calls for (none for topics that mail nobody, or whose subject is gone). */
  private async plan(topic: string, p: Payload): Promise<PlannedMail[]> {
    switch (topic) {
      case "order.confirmed":
      case "order.cancelled":
      case "order.refunded":
        return this.planOrderMail(topic, p);
      case "transfer.offered":
      case "ticket.transferred":
        return this.planTransferMails(topic, p);
      case "waitlist.offered": {
        const [user, event] = await Promise.all([
          userFacts(this.db, str(p, "userId")),
          eventFacts(this.db, Number(p.eventId)),
        ]);
        if (!user || !event) return [];
        return [
          mail(user, "waitlist.offered", {
            holdId: str(p, "holdId"),
            event: eventParams(event),
            quantity: Number(p.quantity),
            expiresAt: str(p, "expiresAt"),
          }),
        ];
      }
      case "webhook.endpoint_disabled": {
        // The endpoint's owner (webhooks module, docs/partners.md "Persistent failure").
        const owner = await userFacts(this.db, str(p, "ownerId"));
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
        return this.planAccountMails(topic, p);
    }
  }

  private async planOrderMail(
    topic: "order.confirmed" | "order.cancelled" | "order.refunded",
    p: Payload,
  ): Promise<PlannedMail[]> {
    const orderId = str(p, "orderId");
    const [user, event, order] = await Promise.all([
      userFacts(this.db, str(p, "userId")),
      eventFacts(this.db, Number(p.eventId)),
      orderFacts(this.db, orderId, topic === "order.refunded" ? ids(p, "ticketIds") : undefined),
    ]);
    if (!user || !event || !order) return [];
    const e = eventParams(event);
    if (topic === "order.cancelled") return [mail(user, topic, { orderId, event: e })];
    if (topic === "order.refunded")
      return [
        mail(user, topic, {
          orderId,
          event: e,
          amountMinor: Number(p.amountMinor),
          currency: str(p, "currency") || order.currency,
          reason: str(p, "reason"),
          tickets: order.tickets,
        }),
      ];
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

  private async planTransferMails(
    topic: "transfer.offered" | "ticket.transferred",
    p: Payload,
  ): Promise<PlannedMail[]> {
    const [from, event] = await Promise.all([
      userFacts(this.db, str(p, "fromUserId")),
      eventFacts(this.db, Number(p.eventId)),
    ]);
    if (!from || !event) return [];
    const count = ids(p, "ticketIds").length;
    const fromName = from.name ?? from.email;
    if (topic === "transfer.offered") {
      const params = { transferId: str(p, "transferId"), fromName, event: eventParams(event), count };
      return [mail({ email: str(p, "toEmail") }, topic, params)];
    }
    const to = await userFacts(this.db, str(p, "toUserId"));
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

  private async planAccountMails(topic: string, p: Payload): Promise<PlannedMail[]> {
    if (!topic.startsWith("user.")) return [];
    const user = await userFacts(this.db, str(p, "userId"));
    if (!user) return [];
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
