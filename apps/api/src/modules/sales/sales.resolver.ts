import {
  Arg,
  Authorized,
  Ctx,
  Extensions,
  FieldResolver,
  ID,
  Int,
  Query,
  Resolver,
  Root,
  type SubscribeResolverData,
  Subscription,
} from "type-graphql";
import { AuthorizedSubscription } from "../../graphql/authorized-subscriptions.js";
import { type Context, viewerOf } from "../../graphql/context.js";
import { requestScoped } from "../../graphql/request-scoped.js";
import { SHARED_RESULT } from "../../graphql/shared-subscriptions.js";
import { parseIntId } from "../../kernel/ids.js";
import type { OrderView } from "../orders/order-views.js";
import { Order } from "../orders/orders.types.js";
import { DEFAULT_EVENT_ORDERS_PAGE, MAX_EVENT_ORDERS_PAGE, type SalesFigures } from "./sales.service.js";
import { Buyer, EventOrderConnection, EventSales } from "./sales.types.js";

@Resolver()
export class SalesQueries {
  @Authorized()
  @Query(() => EventSales, {
    description:
      "The event's live sales figures (its organizer and admins; others get FORBIDDEN). Read from running " +
      "counters: the cost does not grow with the sales.",
  })
  eventSales(@Arg("eventId", () => ID) eventId: string, @Ctx() ctx: Context): Promise<SalesFigures> {
    return ctx.services.sales.eventSales(viewerOf(ctx), parseIntId(eventId, "eventId"));
  }

  @Authorized()
  @Query(() => EventOrderConnection, {
    description:
      "The event's orders (confirmed and cancelled), newest first, for its organizer and admins. `search` " +
      'matches the buyer\'s e-mail or name (part), an order id (its start) or a seat ("B-12").',
  })
  @Extensions({
    complexity: ({ args, childComplexity }: { args: { first?: number }; childComplexity: number }) =>
      1 + Math.min(args.first ?? DEFAULT_EVENT_ORDERS_PAGE, MAX_EVENT_ORDERS_PAGE) * childComplexity,
  })
  async eventOrders(
    @Arg("eventId", () => ID) eventId: string,
    @Ctx() ctx: Context,
    @Arg("search", () => String, { nullable: true }) search?: string | null,
    @Arg("first", () => Int, {
      defaultValue: DEFAULT_EVENT_ORDERS_PAGE,
      description: `At most ${MAX_EVENT_ORDERS_PAGE}.`,
    })
    first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
  ): Promise<EventOrderConnection> {
    const page = await ctx.services.sales.eventOrders(
      viewerOf(ctx),
      parseIntId(eventId, "eventId"),
      search,
      first,
      after,
    );
    return {
      edges: page.nodes.map((node, i) => ({ node, cursor: page.cursors[i] as string })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.cursors.at(-1) ?? null },
    };
  }
}

@Resolver()
export class SalesSubscriptions {
  @AuthorizedSubscription()
  @Subscription(() => EventSales, {
    description:
      "The event's figures (as eventSales), pushed at most once a second while it sells; its organizer " +
      "and admins only.",
    subscribe: ({ args, context }: SubscribeResolverData<unknown, { eventId: string }, Context>) =>
      context.services.salesLive.subscribe(viewerOf(context), parseIntId(args.eventId, "eventId")),
  })
  // The same for every subscriber: executed once per push, not once per subscriber.
  @Extensions(SHARED_RESULT)
  eventSalesChanged(@Arg("eventId", () => ID) _eventId: string, @Root() figures: SalesFigures): SalesFigures {
    return figures;
  }
}

// Per operation: who bought each order, and whether the viewer manages each event.
const buyerLoaders = requestScoped((ctx) => ctx.services.sales.newBuyerLoaders(ctx.viewer));

@Resolver(() => Order)
export class OrderBuyerField {
  @FieldResolver(() => Buyer, {
    nullable: true,
    description: "Who bought it: for the buyer, the event's organizer and admins (null for anyone else).",
  })
  async buyer(@Root() order: OrderView, @Ctx() ctx: Context): Promise<Buyer | null> {
    return buyerLoaders(ctx).load(order);
  }
}
