import { GraphQLDateTime } from "graphql-scalars";
import { Field, ID, Int, ObjectType } from "type-graphql";
import { Money, PageInfo } from "../catalog/catalog.types.js";
import { Order } from "../orders/orders.types.js";
import { QueueSettings } from "../queue/queue.types.js";
import { SectionKind } from "../seating/seating.types.js";

@ObjectType({
  description:
    "Seats and standing places of an event (or of one tier or section) by what they are now; a standing area's places are available, held or sold.",
})
export class SeatCounts {
  @Field(() => Int)
  available!: number;

  @Field(() => Int, { description: "Held by fans' live holds (and expired holds not swept yet)." })
  held!: number;

  @Field(() => Int)
  sold!: number;

  @Field(() => Int, { description: "Taken off sale by the organizer (kills)." })
  killed!: number;

  @Field(() => Int, { description: "Organizer holds (house seats)." })
  houseSeats!: number;

  @Field(() => Int, { description: "Every seat and standing place the event sells." })
  total!: number;
}

@ObjectType()
export class TierSales extends SeatCounts {
  @Field(() => ID)
  tierId!: number;

  @Field()
  name!: string;

  @Field(() => Money)
  price!: Money;
}

@ObjectType()
export class SectionSales extends SeatCounts {
  @Field(() => ID)
  sectionId!: number;

  @Field()
  name!: string;

  @Field(() => SectionKind, { description: "STANDING: a standing area, counted in places." })
  kind!: SectionKind;
}

@ObjectType()
export class SalesMinute {
  @Field(() => GraphQLDateTime, { description: "The start of the minute." })
  minute!: Date;

  @Field(() => Int)
  tickets!: number;
}

@ObjectType({ description: "An event's live sales figures, from running counters (docs/sales.md)." })
export class EventSales {
  @Field(() => ID)
  eventId!: number;

  @Field()
  name!: string;

  @Field(() => SeatCounts)
  seats!: SeatCounts;

  @Field(() => Money, { description: "What buyers paid, fees included (refunded orders stay counted)." })
  gross!: Money;

  @Field(() => Money, { description: "Fees of the orders still confirmed." })
  fees!: Money;

  @Field(() => Money, { description: "What was paid back." })
  refunds!: Money;

  @Field(() => Money, {
    description: "gross − refunds − fees: the ticket prices of the orders still confirmed.",
  })
  net!: Money;

  @Field(() => Int, {
    description:
      "Orders still confirmed: fans' purchases and complimentary tickets. A transfer's order is not counted " +
      "(its tickets were sold once, in the sender's order).",
  })
  ordersConfirmed!: number;

  @Field(() => Int, { description: "Tickets scanned at the door." })
  checkedIn!: number;

  @Field(() => [TierSales])
  tiers!: TierSales[];

  @Field(() => [SectionSales], { description: "Seated sections and standing areas, in map order." })
  sections!: SectionSales[];

  @Field(() => [SalesMinute], { description: "Tickets sold in each of the last 60 minutes, oldest first." })
  salesPerMinute!: SalesMinute[];

  @Field(() => QueueSettings, { nullable: true, description: "The waiting room, when the event uses one." })
  queue!: QueueSettings | null;

  @Field(() => GraphQLDateTime, { description: "When the figures were read." })
  at!: Date;
}

@ObjectType({ description: "Who bought an order (its event's organizer and admins see it)." })
export class Buyer {
  @Field()
  email!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;
}

@ObjectType()
export class EventOrderEdge {
  @Field(() => Order)
  node!: Order;

  @Field()
  cursor!: string;
}

@ObjectType()
export class EventOrderConnection {
  @Field(() => [EventOrderEdge])
  edges!: EventOrderEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
