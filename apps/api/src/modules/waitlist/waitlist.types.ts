import { GraphQLDateTime } from "graphql-scalars";
import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { WaitlistState } from "../../generated/prisma/enums.js";

registerEnumType(WaitlistState, {
  name: "WaitlistState",
  description:
    "WAITING in line (see position); OFFERED: seats (or places) are held for you until offerExpiresAt (check out " +
    "the hold); CLAIMED: you bought them; LAPSED: the offer ran out (or could not be served within the " +
    "per-account limit); LEFT: you left the waitlist.",
});

@ObjectType({ description: "Your place on an event's waitlist (docs/waitlist.md)." })
export class WaitlistEntry {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  eventId!: string;

  @Field(() => Int)
  quantity!: number;

  @Field(() => ID, {
    nullable: true,
    description: "The tier asked for; null: any seat (or an area's places).",
  })
  priceTierId!: string | null;

  @Field(() => ID, {
    nullable: true,
    description: "The standing area whose places are asked for (seatMap.areas); null: seats.",
  })
  areaId!: string | null;

  @Field(() => WaitlistState)
  state!: WaitlistState;

  @Field(() => Int, {
    nullable: true,
    description: "While WAITING: 1 means you are next. First come, first served.",
  })
  position!: number | null;

  @Field(() => ID, {
    nullable: true,
    description: "The hold of your offer: check it out before offerExpiresAt.",
  })
  holdId!: string | null;

  @Field(() => GraphQLDateTime, { nullable: true })
  offerExpiresAt!: Date | null;

  @Field(() => GraphQLDateTime)
  createdAt!: Date;

  @Field(() => GraphQLDateTime, { nullable: true })
  offeredAt!: Date | null;

  @Field(() => GraphQLDateTime, { nullable: true })
  endedAt!: Date | null;
}

@ObjectType({ description: "What every fan may see of an event's waitlist." })
export class WaitlistInfo {
  @Field(() => Boolean, { description: "Whether fans may join it (when the event or a tier is sold out)." })
  open!: boolean;

  @Field(() => Int, { description: "Fans waiting now." })
  waiting!: number;

  @Field(() => Int, { description: "How long an offer holds its seats (the organizer's setting)." })
  offerSeconds!: number;
}

@ObjectType({ description: "The organizer's figures of an event's waitlist." })
export class WaitlistCounts {
  @Field(() => Int)
  waiting!: number;

  @Field(() => Int, { description: "Seats the waiting fans ask for in all." })
  waitingSeats!: number;

  @Field(() => Int)
  offered!: number;

  @Field(() => Int)
  claimed!: number;

  @Field(() => Int)
  lapsed!: number;

  @Field(() => Int)
  left!: number;
}
