import { GraphQLDateTime } from "graphql-scalars";
import { Field, ID, Int, ObjectType } from "type-graphql";
import { Money } from "../catalog/catalog.types.js";

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

  @Field(() => [HoldSeat])
  seats!: HoldSeat[];

  @Field(() => Money, { description: "The sum of the seats' prices, without the per-ticket fee." })
  total!: Money;
}
