import { GraphQLDateTime } from "graphql-scalars";
import {
  Arg,
  Authorized,
  Ctx,
  Extensions,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from "type-graphql";
import { type Context, viewerOf } from "../../graphql/context.js";
import { requestScoped } from "../../graphql/request-scoped.js";
import { notFound } from "../../kernel/errors.js";
import { parseIntId } from "../../kernel/ids.js";
import type { EventView } from "../catalog/catalog.service.js";
import { Event } from "../catalog/catalog.types.js";
import type { OrderView, TicketView } from "./order-views.js";

// One set of order loaders per operation: the orders of a page load their events and tickets together.
const orderLoaders = requestScoped((ctx) => ctx.services.newOrderLoaders());

import { DEFAULT_ORDERS_PAGE, MAX_ORDERS_PAGE } from "./orders.service.js";
import { Order, OrderConnection, Ticket, TicketCodeKey, TicketVerification } from "./orders.types.js";
import type { VerificationView } from "./tickets.service.js";

@Resolver()
export class OrderQueries {
  @Authorized()
  @Query(() => OrderConnection, {
    description: "Your orders, newest first (Relay cursor pagination). Failed checkouts are not listed.",
  })
  @Extensions({
    complexity: ({ args, childComplexity }: { args: { first?: number }; childComplexity: number }) =>
      1 + Math.min(args.first ?? DEFAULT_ORDERS_PAGE, MAX_ORDERS_PAGE) * childComplexity,
  })
  async myOrders(
    @Ctx() ctx: Context,
    @Arg("first", () => Int, {
      defaultValue: DEFAULT_ORDERS_PAGE,
      description: `At most ${MAX_ORDERS_PAGE}.`,
    })
    first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ): Promise<OrderConnection> {
    const page = await ctx.services.orders.myOrders(viewerOf(ctx).userId, first, after);
    return {
      edges: page.nodes.map((node, i) => ({ node, cursor: page.cursors[i] as string })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.cursors.at(-1) ?? null },
      totalCount: page.totalCount,
    };
  }

  @Authorized()
  @Query(() => Order, {
    nullable: true,
    description: "One order: for its buyer, the event's organizer and admins (others get FORBIDDEN).",
  })
  order(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<OrderView> {
    return ctx.services.orders.order(viewerOf(ctx), id);
  }

  @Query(() => TicketCodeKey, { description: "What gate scanners need to check ticket codes offline." })
  ticketCodeKey(@Ctx() ctx: Context): TicketCodeKey {
    return ctx.services.tickets.ticketCodeKey();
  }
}

@Resolver()
export class OrderMutations {
  @Authorized()
  @Mutation(() => Order, {
    description:
      "Pays for your live hold and turns it into an order with one ticket per seat. Retrying with the " +
      "same idempotencyKey (up to 255 characters, per account) returns the same order and never " +
      "charges twice; the same key with other arguments is BAD_USER_INPUT. Errors: HOLD_EXPIRED (the " +
      "seats are no longer reserved), PAYMENT_DECLINED (the hold stays: retry with a new key), " +
      "FORBIDDEN, NOT_FOUND. Test tokens: tok_visa, tok_declined, tok_timeout.",
  })
  async checkout(
    @Arg("holdId", () => ID) holdId: string,
    @Arg("paymentToken", () => String) paymentToken: string,
    @Arg("idempotencyKey", () => String) idempotencyKey: string,
    @Ctx() ctx: Context,
  ): Promise<OrderView> {
    return ctx.services.checkout.checkout(viewerOf(ctx).userId, { holdId, paymentToken, idempotencyKey });
  }

  @Authorized()
  @Mutation(() => Order, {
    description:
      "Cancels your confirmed order until its cancellableUntil: refunds it, voids its tickets and puts " +
      "the seats back on sale. Cancelling a cancelled order returns it unchanged.",
  })
  cancelOrder(@Arg("orderId", () => ID) orderId: string, @Ctx() ctx: Context): Promise<OrderView> {
    return ctx.services.orders.cancelOrder(viewerOf(ctx).userId, orderId);
  }

  @Authorized("ORGANIZER", "ADMIN")
  @Mutation(() => TicketVerification, {
    description:
      "For gate scanners of the event's organizer (or an admin): checks a scanned code (the app's " +
      "rotating code, or the static code of a printed ticket or Wallet pass while the event allows " +
      "them) and marks the ticket used on its first valid scan.",
  })
  verifyTicket(@Arg("code", () => String) code: string, @Ctx() ctx: Context): Promise<VerificationView> {
    return ctx.services.tickets.verifyTicket(viewerOf(ctx), code);
  }

  @Authorized("ORGANIZER", "ADMIN")
  @Mutation(() => Event, {
    description:
      "The event's organizer (or an admin) turns the static codes of printed tickets (PDF, email) and " +
      "Wallet passes on or off. Off: verifyTicket answers INVALID for them at once; the rotating codes " +
      "in the app keep working. Errors: FORBIDDEN, NOT_FOUND.",
  })
  async setStaticTicketCodes(
    @Arg("eventId", () => ID) eventId: string,
    @Arg("enabled", () => Boolean) enabled: boolean,
    @Ctx() ctx: Context,
  ): Promise<EventView> {
    const id = parseIntId(eventId, "eventId");
    await ctx.services.tickets.setStaticCodes(viewerOf(ctx), id, enabled);
    const event = await ctx.services.catalog.findEvent(id);
    if (!event) throw notFound("Event", eventId);
    return event;
  }
}

@Resolver(() => Event)
export class EventTicketFields {
  @FieldResolver(() => Boolean, {
    description:
      "Whether the static codes of printed tickets and Wallet passes admit (setStaticTicketCodes). The " +
      "rotating codes in the app always do.",
  })
  async staticCodesEnabled(@Root() event: EventView, @Ctx() ctx: Context): Promise<boolean> {
    return (await ctx.services.tickets.staticCodesEnabled(event.id)) ?? true;
  }
}

@Resolver(() => Order)
export class OrderFields {
  @FieldResolver(() => Event)
  event(@Root() order: OrderView, @Ctx() ctx: Context): Promise<EventView> {
    return orderLoaders(ctx).event.load(order.eventId);
  }

  @FieldResolver(() => [Ticket], { description: "One per seat, in seat order." })
  tickets(@Root() order: OrderView, @Ctx() ctx: Context): Promise<TicketView[]> {
    return order.knownTickets
      ? Promise.resolve(order.knownTickets)
      : orderLoaders(ctx).tickets.load(order.id);
  }
}

@Resolver(() => Ticket)
export class TicketFields {
  @FieldResolver(() => String, {
    description:
      "The current signed code (what the QR code encodes). It is accepted until one window after " +
      "codeExpiresAt, so a screenshot goes stale.",
  })
  code(@Root() ticket: TicketView, @Ctx() ctx: Context): string {
    return ctx.services.tickets.currentCode(ticket).code;
  }

  @FieldResolver(() => GraphQLDateTime, { description: "When `code` rotates: fetch the ticket again then." })
  codeExpiresAt(@Root() ticket: TicketView, @Ctx() ctx: Context): Date {
    return ctx.services.tickets.currentCode(ticket).expiresAt;
  }
}
