import {
  Arg,
  Authorized,
  Ctx,
  Directive,
  Extensions,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
} from "type-graphql";
import { EventStatus } from "../../generated/prisma/enums.js";
import { cacheFor } from "../../graphql/cache-control.js";
import { toConnection } from "../../graphql/connections.js";
import { type Context, viewerOf } from "../../graphql/context.js";
import { parseIntId, parseOptionalIntId } from "../../kernel/ids.js";
import type { EventView } from "../catalog/catalog.service.js";
import { Event, EventConnection } from "../catalog/catalog.types.js";
import type { OrderView } from "../orders/order-views.js";
import { Order } from "../orders/orders.types.js";
import type { TierRow } from "./event-store.js";
import { MAX_AUDIT_PAGE, MAX_OWNED_PAGE } from "./events.service.js";
import {
  AuditLogConnection,
  CreateEventInput,
  EventCancellation,
  EventPriceTier,
  EventSettings,
  HouseHold,
  SetPricesInput,
  UpdateEventInput,
} from "./events.types.js";

// The organizer's API (DESIGN.md §10: the names are fixed). Thin: ids parsed, the services decide.

const ORGANIZERS = ["ORGANIZER", "ADMIN"] as const;

// Never cached: the response cache is shared (its key has no session) and Event's public hint of 30 s
// would otherwise make one organizer's answer another's (and a repeated mutation a cache hit).
const PRIVATE = cacheFor(0);

const tierView = (tier: TierRow): EventPriceTier => ({
  id: tier.id,
  name: tier.name,
  price: { amount: tier.priceMinor, currency: tier.currency },
});

const seatIdsOf = (ids: string[], argument = "seatIds") => ids.map((id) => parseIntId(id, argument));

@Resolver()
export class EventQueries {
  @Authorized(...ORGANIZERS)
  @Directive(PRIVATE)
  @Query(() => EventConnection, {
    description: "Every event you organize (admins: every event): drafts, on sale, past and cancelled.",
  })
  @Extensions({
    complexity: ({ args, childComplexity }: { args: { first?: number }; childComplexity: number }) =>
      1 + Math.min(args.first ?? 20, MAX_OWNED_PAGE) * childComplexity,
  })
  async myEvents(
    @Ctx() ctx: Context,
    @Arg("status", () => EventStatus, { nullable: true }) status?: EventStatus | null,
    @Arg("first", () => Int, { defaultValue: 20, description: `At most ${MAX_OWNED_PAGE}.` }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
  ): Promise<EventConnection> {
    return toConnection(await ctx.services.events.myEvents(viewerOf(ctx), status ?? null, first, after));
  }

  @Authorized(...ORGANIZERS)
  @Directive(PRIVATE)
  @Query(() => Event, { description: "One of your events, drafts included." })
  managedEvent(@Arg("eventId", () => ID) eventId: string, @Ctx() ctx: Context): Promise<EventView> {
    return ctx.services.events.managedEvent(viewerOf(ctx), parseIntId(eventId, "eventId"));
  }

  @Authorized(...ORGANIZERS)
  @Directive(PRIVATE)
  @Query(() => EventSettings, { description: "An event's settings as its edit form shows them." })
  async eventSettings(
    @Arg("eventId", () => ID) eventId: string,
    @Ctx() ctx: Context,
  ): Promise<EventSettings> {
    const id = parseIntId(eventId, "eventId");
    return { eventId: id, ...(await ctx.services.events.settings(viewerOf(ctx), id)) };
  }

  @Authorized(...ORGANIZERS)
  @Directive(PRIVATE)
  @Query(() => [EventPriceTier], { description: "An event's price tiers (drafts included)." })
  async eventPriceTiers(
    @Arg("eventId", () => ID) eventId: string,
    @Ctx() ctx: Context,
  ): Promise<EventPriceTier[]> {
    return (await ctx.services.prices.tiers(viewerOf(ctx), parseIntId(eventId, "eventId"))).map(tierView);
  }

  @Authorized(...ORGANIZERS)
  @Directive(PRIVATE)
  @Query(() => [HouseHold], { description: "The event's live house holds." })
  houseHolds(@Arg("eventId", () => ID) eventId: string, @Ctx() ctx: Context): Promise<HouseHold[]> {
    return ctx.services.inventory.houseHolds(viewerOf(ctx), parseIntId(eventId, "eventId"));
  }

  @Authorized(...ORGANIZERS)
  @Directive(PRIVATE)
  @Query(() => [ID], { description: "The event's seats taken off sale." })
  offSaleSeats(@Arg("eventId", () => ID) eventId: string, @Ctx() ctx: Context): Promise<number[]> {
    return ctx.services.inventory.killedSeats(viewerOf(ctx), parseIntId(eventId, "eventId"));
  }

  @Authorized(...ORGANIZERS)
  @Directive(PRIVATE)
  @Query(() => EventCancellation, { nullable: true, description: "A cancelled event's refund progress." })
  eventCancellation(
    @Arg("eventId", () => ID) eventId: string,
    @Ctx() ctx: Context,
  ): Promise<EventCancellation | null> {
    return ctx.services.cancellations.progress(viewerOf(ctx), parseIntId(eventId, "eventId"));
  }

  @Authorized(...ORGANIZERS)
  @Directive(PRIVATE)
  @Query(() => AuditLogConnection, { description: "Who changed what on the event, newest first." })
  @Extensions({
    complexity: ({ args }: { args: { first?: number } }) => 1 + Math.min(args.first ?? 50, MAX_AUDIT_PAGE),
  })
  async auditLog(
    @Ctx() ctx: Context,
    @Arg("eventId", () => ID) eventId: string,
    @Arg("first", () => Int, { defaultValue: 50, description: `At most ${MAX_AUDIT_PAGE}.` }) first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string | null,
  ): Promise<AuditLogConnection> {
    const page = await ctx.services.events.auditLog(
      viewerOf(ctx),
      parseIntId(eventId, "eventId"),
      first,
      after,
    );
    return toConnection(page);
  }
}

@Resolver()
export class EventMutations {
  @Authorized(...ORGANIZERS)
  @Directive(PRIVATE)
  @Mutation(() => Event, { description: "A new DRAFT event at one of your venues." })
  createEvent(
    @Arg("input", () => CreateEventInput) input: CreateEventInput,
    @Ctx() ctx: Context,
  ): Promise<EventView> {
    return ctx.services.events.createEvent(viewerOf(ctx), {
      ...input,
      venueId: parseIntId(input.venueId, "venueId"),
      chartId: parseOptionalIntId(input.chartId, "chartId"),
    });
  }

  @Authorized(...ORGANIZERS)
  @Directive(PRIVATE)
  @Mutation(() => Event, {
    description:
      "Changes an event. A new date of a published event is a postponement: tickets stay valid, fans are told.",
  })
  updateEvent(
    @Arg("eventId", () => ID) eventId: string,
    @Arg("input", () => UpdateEventInput) input: UpdateEventInput,
    @Ctx() ctx: Context,
  ): Promise<EventView> {
    return ctx.services.events.updateEvent(viewerOf(ctx), parseIntId(eventId, "eventId"), {
      ...input,
      chartId: parseOptionalIntId(input.chartId, "chartId"),
    });
  }

  @Authorized(...ORGANIZERS)
  @Directive(PRIVATE)
  @Mutation(() => [Event], {
    description: "A tour: draft copies of the event (settings, prices) on each date.",
  })
  duplicateEvent(
    @Arg("eventId", () => ID) eventId: string,
    @Arg("dates", () => [String], { description: "Start times in the venue's zone, e.g. 2027-05-01T20:00." })
    dates: string[],
    @Ctx() ctx: Context,
  ): Promise<EventView[]> {
    return ctx.services.events.duplicateEvent(viewerOf(ctx), parseIntId(eventId, "eventId"), dates);
  }

  @Authorized(...ORGANIZERS)
  @Directive(PRIVATE)
  @Mutation(() => Event, {
    description:
      "Puts a draft on sale (sales open by themselves at saleStartsAt); refuses with every problem listed.",
  })
  publishEvent(@Arg("eventId", () => ID) eventId: string, @Ctx() ctx: Context): Promise<EventView> {
    return ctx.services.events.publishEvent(viewerOf(ctx), parseIntId(eventId, "eventId"));
  }

  @Authorized(...ORGANIZERS)
  @Directive(PRIVATE)
  @Mutation(() => EventCancellation, {
    description:
      "Cancels the event: sales stop at once, holds end, every paid order is refunded by a background job.",
  })
  cancelEvent(
    @Arg("eventId", () => ID) eventId: string,
    @Arg("reason", () => String) reason: string,
    @Ctx() ctx: Context,
  ): Promise<EventCancellation> {
    return ctx.services.cancellations.cancelEvent(viewerOf(ctx), parseIntId(eventId, "eventId"), reason);
  }

  @Authorized(...ORGANIZERS)
  @Directive(PRIVATE)
  @Mutation(() => [EventPriceTier], {
    description:
      "Adds or changes tiers and assigns them to sections, rows or seats. Held and sold seats keep their price.",
  })
  async setPrices(
    @Arg("eventId", () => ID) eventId: string,
    @Arg("input", () => SetPricesInput) input: SetPricesInput,
    @Ctx() ctx: Context,
  ): Promise<EventPriceTier[]> {
    const tiers = await ctx.services.prices.setPrices(viewerOf(ctx), parseIntId(eventId, "eventId"), {
      tiers: input.tiers?.map((tier, i) => ({ ...tier, id: parseOptionalIntId(tier.id, `tiers.${i}.id`) })),
      assignments: input.assignments?.map((assignment, i) => ({
        tier: assignment.tier,
        sectionId: parseIntId(assignment.sectionId, `assignments.${i}.sectionId`),
        row: assignment.row,
        seatIds: assignment.seatIds ? seatIdsOf(assignment.seatIds, `assignments.${i}.seatIds`) : null,
      })),
    });
    return tiers.map(tierView);
  }

  @Authorized(...ORGANIZERS)
  @Directive(PRIVATE)
  @Mutation(() => [ID], {
    description: "Takes free seats off sale (kills); refuses seats held or sold by fans.",
  })
  async setSeatsOffSale(
    @Arg("eventId", () => ID) eventId: string,
    @Arg("seatIds", () => [ID]) seatIds: string[],
    @Ctx() ctx: Context,
  ): Promise<number[]> {
    const id = parseIntId(eventId, "eventId");
    return (await ctx.services.inventory.holdForOrganizer(viewerOf(ctx), id, seatIdsOf(seatIds), "KILL"))
      .seatIds;
  }

  @Authorized(...ORGANIZERS)
  @Directive(PRIVATE)
  @Mutation(() => [ID], { description: "Puts seats taken off sale back on sale." })
  setSeatsOnSale(
    @Arg("eventId", () => ID) eventId: string,
    @Arg("seatIds", () => [ID]) seatIds: string[],
    @Ctx() ctx: Context,
  ): Promise<number[]> {
    return ctx.services.inventory.setSeatsOnSale(
      viewerOf(ctx),
      parseIntId(eventId, "eventId"),
      seatIdsOf(seatIds),
    );
  }

  @Authorized(...ORGANIZERS)
  @Directive(PRIVATE)
  @Mutation(() => HouseHold, {
    description: "Holds free seats for the house (artist, press): never expires.",
  })
  async createHouseHold(
    @Arg("eventId", () => ID) eventId: string,
    @Arg("seatIds", () => [ID]) seatIds: string[],
    @Arg("label", () => String, { nullable: true }) label: string | null,
    @Ctx() ctx: Context,
  ): Promise<HouseHold> {
    const id = parseIntId(eventId, "eventId");
    const hold = await ctx.services.inventory.holdForOrganizer(
      viewerOf(ctx),
      id,
      seatIdsOf(seatIds),
      "HOUSE",
      label ?? null,
    );
    const [view] = await ctx.services.inventory
      .houseHolds(viewerOf(ctx), id)
      .then((holds) => holds.filter((h) => h.id === hold.holdId));
    if (!view) throw new Error(`house hold ${hold.holdId} vanished`);
    return view;
  }

  @Authorized(...ORGANIZERS)
  @Directive(PRIVATE)
  @Mutation(() => [ID], { description: "Releases house seats to sale: all, or the seats named." })
  releaseHouseHold(
    @Arg("holdId", () => ID) holdId: string,
    @Arg("seatIds", () => [ID], { nullable: true }) seatIds: string[] | null,
    @Ctx() ctx: Context,
  ): Promise<number[]> {
    return ctx.services.inventory.releaseHouseHold(
      viewerOf(ctx),
      holdId,
      seatIds ? seatIdsOf(seatIds) : null,
    );
  }

  @Authorized(...ORGANIZERS)
  @Directive(PRIVATE)
  @Mutation(() => Order, {
    description:
      "Issues house seats (all, or the seats named) as complimentary tickets: an order of price zero.",
  })
  async issueComplimentaryTickets(
    @Arg("holdId", () => ID) holdId: string,
    @Arg("seatIds", () => [ID], { nullable: true }) seatIds: string[] | null,
    @Arg("email", () => String, { nullable: true, description: "The guest's account; default: yours." })
    email: string | null,
    @Ctx() ctx: Context,
  ): Promise<OrderView> {
    const viewer = viewerOf(ctx);
    const issued = await ctx.services.inventory.issueComplimentaryTickets(
      viewer,
      holdId,
      seatIds ? seatIdsOf(seatIds) : null,
      email ?? null,
    );
    return ctx.services.orders.order(viewer, issued.orderId);
  }

  @Authorized(...ORGANIZERS)
  @Directive(PRIVATE)
  @Mutation(() => Order, {
    description:
      "Refunds an order of your event through the payment provider, exactly once: all its tickets or those named.",
  })
  async refundOrder(
    @Arg("orderId", () => ID) orderId: string,
    @Arg("ticketIds", () => [ID], { nullable: true }) ticketIds: string[] | null,
    @Arg("reason", () => String, { nullable: true }) reason: string | null,
    @Ctx() ctx: Context,
  ): Promise<OrderView> {
    const viewer = viewerOf(ctx);
    await ctx.services.cancellations.refundOrder(viewer, orderId, ticketIds ?? null, reason ?? null);
    return ctx.services.orders.order(viewer, orderId);
  }
}
