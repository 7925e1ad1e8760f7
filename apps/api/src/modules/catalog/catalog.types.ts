import { IsOptional, Length, MaxLength } from "class-validator";
import { GraphQLDateTime } from "graphql-scalars";
import { Directive, Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { EventStatus } from "../../generated/prisma/enums.js";
import { cacheFor, inheritCache } from "../../graphql/cache-control.js";

registerEnumType(EventStatus, {
  name: "EventStatus",
  description: "DRAFT events are unpublished; ON_SALE events are published (sales open at saleStartsAt).",
});

@ObjectType({ description: "An amount of money in integer minor units (cents)." })
@Directive(inheritCache)
export class Money {
  @Field(() => Int, { description: "Minor units: 12900 EUR is €129.00." })
  amount!: number;

  @Field({ description: "ISO 4217 currency code." })
  currency!: string;
}

@ObjectType()
@Directive(cacheFor(300))
export class Performer {
  @Field(() => ID)
  id!: number;

  @Field()
  name!: string;
}

@ObjectType()
@Directive(cacheFor(300))
export class Venue {
  @Field(() => ID)
  id!: number;

  @Field()
  name!: string;

  @Field()
  city!: string;

  @Field()
  address!: string;

  @Field({ description: "IANA time zone, e.g. Europe/Amsterdam: show event times in it." })
  timezone!: string;

  @Field(() => Int, { description: "Seats in the venue's largest seating chart." })
  capacity!: number;
}

@ObjectType()
@Directive(cacheFor(60))
export class PriceTier {
  @Field(() => ID)
  id!: number;

  @Field()
  name!: string;

  @Field(() => Money)
  price!: Money;

  @Field(() => [ID], { description: "The sections sold at this tier for this event." })
  sectionIds!: number[];
}

@ObjectType({
  description:
    "Seat counts; expired holds count as available. Seats the organizer took off sale or keeps as house seats (NOT_FOR_SALE on the seat map) count in none of them.",
})
@Directive(cacheFor(2))
export class Availability {
  @Field(() => Int)
  available!: number;

  @Field(() => Int)
  held!: number;

  @Field(() => Int)
  sold!: number;

  @Field(() => Int, { description: "Wheelchair spaces still free (holdBestAvailable's accessibleSeats)." })
  accessibleAvailable!: number;

  @Field(() => Int, { description: "Places left in the event's standing areas (general admission)." })
  standingAvailable!: number;
}

@ObjectType()
@Directive(cacheFor(30))
export class Event {
  @Field(() => ID)
  id!: number;

  @Field()
  name!: string;

  @Field()
  description!: string;

  @Field()
  category!: string;

  @Field(() => GraphQLDateTime)
  startsAt!: Date;

  @Field(() => GraphQLDateTime)
  saleStartsAt!: Date;

  @Field(() => EventStatus)
  status!: EventStatus;

  @Field({ description: "True when tickets can be bought right now." })
  onSale!: boolean;

  @Field()
  queueEnabled!: boolean;

  @Field(() => Int)
  maxTicketsPerAccount!: number;

  @Field(() => Int, { description: "How long a hold keeps seats, in seconds." })
  holdSeconds!: number;

  @Field(() => Money, { description: "Service fee added per ticket." })
  feePerTicket!: Money;

  venueId!: number;
  performerId!: number;
}

@InputType()
export class EventFilter {
  @Field({ nullable: true, description: "Words matched against event name, performer, venue and city." })
  @IsOptional()
  @MaxLength(100)
  search?: string;

  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 100)
  city?: string;

  @Field({ nullable: true })
  @IsOptional()
  @Length(1, 100)
  category?: string;

  @Field(() => GraphQLDateTime, { nullable: true, description: "Events starting at or after this instant." })
  startsAfter?: Date;

  @Field(() => GraphQLDateTime, { nullable: true, description: "Events starting before this instant." })
  startsBefore?: Date;

  @Field({ nullable: true, description: "true: only events on sale now; false: only those that are not." })
  onSale?: boolean;

  @Field({
    nullable: true,
    description: "Include events that have already started (default false: upcoming only).",
  })
  includePast?: boolean;
}

@ObjectType()
@Directive(inheritCache)
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType()
@Directive(inheritCache)
export class EventEdge {
  @Field(() => Event)
  node!: Event;

  @Field()
  cursor!: string;
}

@ObjectType()
@Directive(inheritCache)
export class EventConnection {
  @Field(() => [EventEdge])
  edges!: EventEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int, { description: "How many events match the filter, over all pages." })
  totalCount!: number;
}
