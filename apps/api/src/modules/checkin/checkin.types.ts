import { GraphQLDateTime } from "graphql-scalars";
import { Field, ID, Int, ObjectType } from "type-graphql";

@ObjectType({ description: "An e-mail address invited to scan one event's tickets." })
export class DoorStaffMember {
  @Field()
  email!: string;

  @Field(() => GraphQLDateTime)
  createdAt!: Date;

  @Field({ description: "Whether an account with this e-mail exists (else it scans once it signs up)." })
  signedUp!: boolean;
}

@ObjectType({ description: "An event the caller was invited to scan." })
export class DoorEvent {
  @Field(() => ID)
  id!: number;

  @Field()
  name!: string;

  @Field(() => GraphQLDateTime)
  startsAt!: Date;
}

@ObjectType({ description: "What the door shows: tickets sold and tickets scanned." })
export class DoorStatus {
  @Field(() => ID)
  eventId!: number;

  @Field()
  name!: string;

  @Field(() => Int)
  sold!: number;

  @Field(() => Int)
  checkedIn!: number;
}

@ObjectType({ description: "A ticket found at the door by name, e-mail or order." })
export class DoorTicket {
  @Field(() => ID)
  ticketId!: string;

  @Field(() => ID)
  orderId!: string;

  @Field({ description: "VALID or VOID." })
  status!: string;

  @Field(() => GraphQLDateTime, { nullable: true })
  usedAt!: Date | null;

  @Field(() => String, { nullable: true })
  buyerName!: string | null;

  @Field()
  buyerEmail!: string;

  @Field()
  section!: string;

  @Field()
  row!: string;

  @Field(() => Int)
  number!: number;
}
