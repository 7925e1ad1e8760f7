import { GraphQLDateTime } from "graphql-scalars";
import { Field, ID, Int, ObjectType } from "type-graphql";
import { Money } from "../catalog/catalog.types.js";
import { SectionKind } from "../seating/seating.types.js";

@ObjectType({ description: "A seat in a hold, at the price the hold will charge for it." })
export class HoldSeat {
  @Field(() => ID)
  id!: number;

  @Field()
  row!: string;

  @Field(() => Int)
  number!: number;

  @Field(() => ID)
  sectionId!: number;

  @Field({ description: "The section's name." })
  section!: string;

  @Field(() => Money)
  price!: Money;
}

@ObjectType({
  description:
    "A seat or a place in a standing area (kind STANDING: no seat, row or number), at the price it is " +
    "charged.",
})
export class Place {
  @Field(() => SectionKind)
  kind!: SectionKind;

  @Field(() => ID, { nullable: true, description: "The seat; null for a standing place." })
  seatId!: number | null;

  @Field(() => String, { nullable: true })
  row!: string | null;

  @Field(() => Int, { nullable: true })
  number!: number | null;

  @Field(() => ID, { description: "The section (for a standing place: the area)." })
  sectionId!: number;

  @Field({ description: "The section's (or area's) name." })
  section!: string;

  @Field(() => Money)
  price!: Money;
}

@ObjectType({
  description:
    "Seats reserved for one fan until `expiresAt` (the event's holdSeconds after the hold was taken). " +
    "The prices shown are the prices checkout charges.",
})
export class Hold {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  eventId!: number;

  @Field(() => GraphQLDateTime)
  expiresAt!: Date;

  @Field(() => [HoldSeat], { description: "The held seats (a standing hold has none: see `places`)." })
  seats!: HoldSeat[];

  @Field(() => [Place], { description: "Every held place, seats and standing places alike." })
  places!: Place[];

  @Field(() => Money, { description: "The sum of the seats' prices, without the per-ticket fee." })
  total!: Money;
}
