import { GraphQLDateTime, GraphQLJSON } from "graphql-scalars";
import { Field, ID, InputType, Int, ObjectType } from "type-graphql";
import { Money, PageInfo } from "../catalog/catalog.types.js";
import { WAITLIST_OFFER_SECONDS } from "./events.service.js";

// The organizer's API (docs/organizers.md). Times an organizer types are wall-clock times in the venue's
// zone ("2027-05-01T20:00", what an HTML datetime-local field gives); events answer with instants.

@InputType({
  description: "An event's settings. Times are wall-clock times in the venue's zone, e.g. 2027-05-01T20:00.",
})
export class EventSettingsInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, { nullable: true })
  category?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The performer's name (an existing performer or a new one).",
  })
  performer?: string | null;

  @Field(() => String, { nullable: true, description: "When the show starts, in the venue's zone." })
  startsAt?: string | null;

  @Field(() => String, { nullable: true, description: "When sales open by themselves, in the venue's zone." })
  saleStartsAt?: string | null;

  @Field(() => String, { nullable: true, description: "When sales end (empty: when the show starts)." })
  saleEndsAt?: string | null;

  @Field(() => String, { nullable: true, description: "ISO 4217 code; only while a draft." })
  currency?: string | null;

  @Field(() => Int, { nullable: true, description: "How long a fan's hold keeps seats, 60 to 3600 seconds." })
  holdSeconds?: number | null;

  @Field(() => Int, { nullable: true })
  maxTicketsPerAccount?: number | null;

  @Field(() => Int, { nullable: true, description: "Service fee per ticket, in minor units." })
  feePerTicketMinor?: number | null;

  @Field(() => Int, { nullable: true, description: "Fans may cancel until this many hours before the show." })
  cancelCutoffHours?: number | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "The waiting room (published events: updateQueueSettings).",
  })
  queueEnabled?: boolean | null;

  @Field(() => Int, { nullable: true })
  admissionRatePerMinute?: number | null;

  @Field(() => Int, { nullable: true })
  maxActiveShoppers?: number | null;

  @Field(() => Int, { nullable: true })
  shoppingWindowSeconds?: number | null;

  @Field(() => Boolean, { nullable: true, description: "Fans may transfer their tickets (transferTickets)." })
  transfersAllowed?: boolean | null;

  @Field(() => Int, {
    nullable: true,
    description: "Transfers close this many hours before the show, 0 to 1440 (0: until it starts).",
  })
  transferCutoffHours?: number | null;

  @Field(() => Boolean, { nullable: true, description: "Fans may join the waitlist when it is sold out." })
  waitlistEnabled?: boolean | null;

  @Field(() => Int, {
    nullable: true,
    description: `How long a waitlist offer holds seats for a fan, ${WAITLIST_OFFER_SECONDS.min} to ${WAITLIST_OFFER_SECONDS.max} seconds.`,
  })
  waitlistOfferSeconds?: number | null;
}

@InputType()
export class CreateEventInput extends EventSettingsInput {
  @Field(() => ID)
  venueId!: string;

  @Field(() => ID, { nullable: true, description: "The chart version to sell; default: the venue's newest." })
  chartId?: string | null;
}

@InputType()
export class UpdateEventInput extends EventSettingsInput {
  @Field(() => ID, { nullable: true, description: "Another chart of the venue (drafts only)." })
  chartId?: string | null;
}

@ObjectType({ description: "A section of the chart an event sells." })
export class ChartSection {
  @Field(() => ID)
  id!: number;

  @Field()
  name!: string;

  @Field({ description: "SEATED or STANDING." })
  kind!: string;
}

@ObjectType({ description: "An event's settings as its organizer edits them (times in the venue's zone)." })
export class EventSettings {
  @Field(() => [ChartSection], { description: "The sections of its chart, for pricing." })
  sections!: ChartSection[];

  @Field(() => ID)
  eventId!: number;

  @Field(() => ID)
  venueId!: number;

  @Field(() => ID)
  chartId!: number;

  @Field({ description: "The venue's IANA time zone, in which the times below are given." })
  timezone!: string;

  @Field()
  name!: string;

  @Field()
  description!: string;

  @Field()
  category!: string;

  @Field()
  performer!: string;

  @Field()
  startsAt!: string;

  @Field()
  saleStartsAt!: string;

  @Field(() => String, { nullable: true })
  saleEndsAt!: string | null;

  @Field()
  currency!: string;

  @Field(() => Int)
  holdSeconds!: number;

  @Field(() => Int)
  maxTicketsPerAccount!: number;

  @Field(() => Int)
  feePerTicketMinor!: number;

  @Field(() => Int)
  cancelCutoffHours!: number;

  @Field()
  queueEnabled!: boolean;

  @Field(() => Int)
  admissionRatePerMinute!: number;

  @Field(() => Int, { nullable: true })
  maxActiveShoppers!: number | null;

  @Field(() => Int)
  shoppingWindowSeconds!: number;

  @Field()
  transfersAllowed!: boolean;

  @Field(() => Int)
  transferCutoffHours!: number;

  @Field()
  waitlistEnabled!: boolean;

  @Field(() => Int)
  waitlistOfferSeconds!: number;
}

@InputType()
export class PriceTierInput {
  @Field(() => ID, { nullable: true, description: "A tier to change; absent: a new tier." })
  id?: string | null;

  @Field()
  name!: string;

  @Field(() => Int, { description: "Minor units, in the event's currency." })
  priceMinor!: number;
}

@InputType({ description: "A tier for a whole section, one of its rows, or some of its seats." })
export class PriceAssignmentInput {
  @Field({ description: "The tier's name (one given in the same call, or an existing one)." })
  tier!: string;

  @Field(() => ID)
  sectionId!: string;

  @Field(() => String, { nullable: true })
  row?: string | null;

  @Field(() => [ID], { nullable: true })
  seatIds?: string[] | null;
}

@InputType()
export class SetPricesInput {
  @Field(() => [PriceTierInput], { nullable: true })
  tiers?: PriceTierInput[] | null;

  @Field(() => [PriceAssignmentInput], { nullable: true, description: "Applied in order: a later one wins." })
  assignments?: PriceAssignmentInput[] | null;
}

@ObjectType()
export class EventPriceTier {
  @Field(() => ID)
  id!: number;

  @Field()
  name!: string;

  @Field(() => Money)
  price!: Money;
}

@ObjectType({
  description:
    "An organizer's hold of house seats: never expires; released to sale or issued as complimentary tickets.",
})
export class HouseHold {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  eventId!: number;

  @Field(() => String, { nullable: true })
  label!: string | null;

  @Field(() => [ID], { description: "The seats it still holds." })
  seatIds!: number[];

  @Field(() => GraphQLDateTime)
  createdAt!: Date;
}

@ObjectType({ description: "A cancelled event's refunds: progress of the background job." })
export class EventCancellation {
  @Field(() => ID)
  eventId!: number;

  @Field()
  reason!: string;

  @Field(() => Int, { description: "Orders to refund." })
  totalOrders!: number;

  @Field(() => Int, { description: "Orders refunded so far." })
  refundedOrders!: number;

  @Field(() => GraphQLDateTime)
  startedAt!: Date;

  @Field(() => GraphQLDateTime, { nullable: true, description: "When every order was refunded." })
  finishedAt!: Date | null;
}

@ObjectType()
export class AuditEntry {
  @Field(() => ID)
  id!: string;

  @Field(() => ID, {
    nullable: true,
    description: "Who acted; null for the system (e.g. a cancellation's refunds).",
  })
  actorId!: string | null;

  @Field(() => String, { nullable: true })
  actorEmail!: string | null;

  @Field({
    description: "What was done: event.create, event.update, event.postpone, prices.set, seats.off_sale, …",
  })
  action!: string;

  @Field(() => GraphQLJSON, { nullable: true })
  before!: unknown;

  @Field(() => GraphQLJSON, { nullable: true })
  after!: unknown;

  @Field(() => GraphQLDateTime)
  createdAt!: Date;
}

@ObjectType()
export class AuditEntryEdge {
  @Field(() => AuditEntry)
  node!: AuditEntry;

  @Field()
  cursor!: string;
}

@ObjectType()
export class AuditLogConnection {
  @Field(() => [AuditEntryEdge])
  edges!: AuditEntryEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}
