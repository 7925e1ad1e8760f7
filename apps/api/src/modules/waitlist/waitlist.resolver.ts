import {
  Arg,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  type SubscribeResolverData,
  Subscription,
} from "type-graphql";
import { AuthorizedSubscription } from "../../graphql/authorized-subscriptions.js";
import { type Context, viewerOf } from "../../graphql/context.js";
import { parseIntId, parseOptionalIntId } from "../../kernel/ids.js";
import type { EventView } from "../catalog/catalog.service.js";
import { Event } from "../catalog/catalog.types.js";
import type { EntryView } from "./waitlist.service.js";
import { WaitlistCounts, WaitlistEntry, WaitlistInfo } from "./waitlist.types.js";
import { type OfferNotice, WAITLIST_OFFER_TOPIC } from "./waitlist-offers.js";

function shown(entry: EntryView): WaitlistEntry {
  return {
    ...entry,
    eventId: String(entry.eventId),
    priceTierId: entry.priceTierId === null ? null : String(entry.priceTierId),
    areaId: entry.areaId === null ? null : String(entry.areaId),
  };
}

@Resolver(() => WaitlistEntry)
export class WaitlistResolver {
  @Authorized()
  @Query(() => [WaitlistEntry], {
    description: "Your waitlist places: live ones and those that ended in the last week, newest first.",
  })
  async myWaitlists(@Ctx() ctx: Context): Promise<WaitlistEntry[]> {
    return (await ctx.services.waitlist.myWaitlists(viewerOf(ctx).userId)).map(shown);
  }

  @Authorized("ORGANIZER", "ADMIN")
  @Query(() => WaitlistCounts, { description: "The event's waitlist figures (its organizer and admins)." })
  eventWaitlist(@Arg("eventId", () => ID) eventId: string, @Ctx() ctx: Context): Promise<WaitlistCounts> {
    return ctx.services.waitlist.eventWaitlist(viewerOf(ctx), parseIntId(eventId, "eventId"));
  }

  @Authorized()
  @Mutation(() => WaitlistEntry, {
    description:
      "Puts you at the back of a sold-out event's waitlist: for seats (of one price tier, or any seat) or " +
      "for places in a sold-out standing area (areaId). When seats or places come back, the fans in line " +
      "get them held in turn (an offer: email and waitlistOfferReceived). Errors: NOT_SOLD_OUT (they are " +
      "on sale: hold them), WAITLIST_CLOSED, SALE_NOT_OPEN, LIMIT_EXCEEDED, CONFLICT (already on it), " +
      "BAD_USER_INPUT (field quantity, priceTierId or areaId), NOT_FOUND.",
  })
  async joinWaitlist(
    @Arg("eventId", () => ID) eventId: string,
    @Arg("quantity", () => Int) quantity: number,
    @Arg("priceTierId", () => ID, { nullable: true }) priceTierId: string | null,
    @Arg("areaId", () => ID, {
      nullable: true,
      description: "A standing area of the event (seatMap.areas): wait for its places instead of seats.",
    })
    areaId: string | null,
    @Ctx() ctx: Context,
  ): Promise<WaitlistEntry> {
    const entry = await ctx.services.waitlist.joinWaitlist(viewerOf(ctx).userId, {
      eventId: parseIntId(eventId, "eventId"),
      quantity,
      priceTierId: parseOptionalIntId(priceTierId, "priceTierId"),
      areaId: parseOptionalIntId(areaId, "areaId"),
    });
    return shown(entry);
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description:
      "Leaves the event's waitlist (an offer's held seats go back). False when you were not on it.",
  })
  leaveWaitlist(@Arg("eventId", () => ID) eventId: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.waitlist.leaveWaitlist(viewerOf(ctx).userId, parseIntId(eventId, "eventId"));
  }

  @AuthorizedSubscription()
  @Subscription(() => WaitlistEntry, {
    description: "Your waitlist places as they get an offer (seats held for you), pushed live.",
    topics: WAITLIST_OFFER_TOPIC,
    topicId: ({ context }: SubscribeResolverData<unknown, unknown, Context>) => viewerOf(context).userId,
  })
  async waitlistOfferReceived(@Root() notice: OfferNotice, @Ctx() ctx: Context): Promise<WaitlistEntry> {
    const entry = await ctx.services.waitlist.entryOf(viewerOf(ctx).userId, notice.entryId);
    if (!entry) throw new Error(`waitlist entry ${notice.entryId} is not the subscriber's`);
    return shown(entry);
  }

  @FieldResolver(() => Event)
  event(@Root() entry: WaitlistEntry, @Ctx() ctx: Context): Promise<EventView | null> {
    return ctx.services.catalog.findEvent(Number(entry.eventId));
  }
}

@Resolver(() => Event)
export class EventWaitlist {
  @FieldResolver(() => WaitlistInfo, {
    description: "Whether fans may join its waitlist, and how many wait.",
  })
  waitlist(@Root() event: Event, @Ctx() ctx: Context): Promise<WaitlistInfo> {
    return ctx.services.waitlist.publicInfo(Number(event.id));
  }
}
