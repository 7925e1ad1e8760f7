import { GraphQLDateTime } from "graphql-scalars";
import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { TransferState } from "../../generated/prisma/enums.js";

registerEnumType(TransferState, {
  name: "TransferState",
  description:
    "PENDING until the recipient accepts (ACCEPTED: the tickets were re-issued to them) or the sender " +
    "cancels (CANCELLED).",
});

@ObjectType({ description: "Tickets of an order offered to another person by email (docs/transfers.md)." })
export class TicketTransfer {
  @Field(() => ID)
  id!: string;

  @Field(() => TransferState)
  state!: TransferState;

  @Field(() => ID, { description: "The sender's order." })
  orderId!: string;

  @Field(() => ID)
  eventId!: string;

  @Field(() => String, { nullable: true, description: "The sender's name, as their account gives it." })
  fromName!: string | null;

  @Field(() => String)
  toEmail!: string;

  @Field(() => [ID], { description: "The sender's tickets offered (void once the transfer is accepted)." })
  ticketIds!: string[];

  @Field(() => Int)
  ticketCount!: number;

  @Field(() => ID, {
    nullable: true,
    description: "The recipient's order holding the re-issued tickets (for the recipient and the organizer).",
  })
  newOrderId!: string | null;

  @Field(() => GraphQLDateTime)
  createdAt!: Date;

  @Field(() => GraphQLDateTime, { nullable: true })
  acceptedAt!: Date | null;

  @Field(() => GraphQLDateTime, { nullable: true })
  cancelledAt!: Date | null;
}

@ObjectType({ description: "Whether fans may transfer this event's tickets, and until when." })
export class TransferPolicy {
  @Field(() => Boolean, {
    description: "False when the organizer turned transfers off or the cutoff passed.",
  })
  allowed!: boolean;

  @Field(() => GraphQLDateTime, { description: "The start minus the organizer's transfer cutoff." })
  until!: Date;
}
