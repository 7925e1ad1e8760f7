import { GraphQLDateTime } from "graphql-scalars";
import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { OrderStatus, TicketStatus } from "../../generated/prisma/enums.js";
import { Money, PageInfo } from "../catalog/catalog.types.js";
import { HoldSeat } from "../holds/holds.types.js";

registerEnumType(OrderStatus, {
  name: "OrderStatus",
  description:
    "PENDING while the payment is in flight; CONFIRMED once the seats are sold to the order (tickets " +
    "issued); FAILED when the payment was declined or the hold ran out (nothing is charged); " +
    "CANCELLED after a refund.",
});

registerEnumType(TicketStatus, {
  name: "TicketStatus",
  description: "VOID tickets belong to a cancelled order and never admit anyone.",
});

export enum TicketVerificationResult {
  VALID = "VALID",
  ALREADY_USED = "ALREADY_USED",
  INVALID = "INVALID",
  VOID = "VOID",
}

registerEnumType(TicketVerificationResult, {
  name: "TicketVerificationResult",
  description:
    "VALID: admit (this scan marked the ticket used); ALREADY_USED: scanned before (see usedAt); " +
    "INVALID: forged, altered or stale code (e.g. a screenshot of the app), a printed or Wallet code " +
    "the organizer turned off, or the old code of a re-issued (transferred) ticket; VOID: the order was " +
    "cancelled.",
});

@ObjectType({
  description: "A ticket for one seat. Its code rotates: show the current one, refetch at codeExpiresAt.",
})
export class Ticket {
  @Field(() => ID)
  id!: string;

  @Field(() => TicketStatus)
  status!: TicketStatus;

  @Field(() => GraphQLDateTime, {
    nullable: true,
    description: "When the ticket was first scanned at the gate.",
  })
  usedAt!: Date | null;

  @Field(() => HoldSeat)
  seat!: HoldSeat;

  @Field(() => Money, { description: "The seat's price, without the fee." })
  price!: Money;

  // code and codeExpiresAt: TicketFields in orders.resolver.ts.
}

@ObjectType({ description: "Seats bought in one checkout, one ticket per seat." })
export class Order {
  @Field(() => ID)
  id!: string;

  @Field(() => OrderStatus)
  status!: OrderStatus;

  @Field(() => ID)
  eventId!: number;

  @Field(() => Money, { description: "The seats' prices, as the hold showed them." })
  subtotal!: Money;

  @Field(() => Money, { description: "The event's per-ticket fee times the number of tickets." })
  fees!: Money;

  @Field(() => Money, { description: "subtotal + fees: what is charged." })
  total!: Money;

  @Field(() => GraphQLDateTime)
  createdAt!: Date;

  @Field(() => GraphQLDateTime, { nullable: true })
  cancelledAt!: Date | null;

  @Field(() => GraphQLDateTime, {
    description:
      "Cancelling (with a refund) is possible until this instant: the event's cutoff before it starts.",
  })
  cancellableUntil!: Date;

  @Field({ description: "True when cancelOrder would succeed now." })
  canCancel!: boolean;

  // event and tickets: OrderFields in orders.resolver.ts.
}

@ObjectType()
export class OrderEdge {
  @Field(() => Order)
  node!: Order;

  @Field()
  cursor!: string;
}

@ObjectType()
export class OrderConnection {
  @Field(() => [OrderEdge])
  edges!: OrderEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int, { description: "How many orders you have, over all pages." })
  totalCount!: number;
}

@ObjectType({ description: "What a gate scanner shows for a scanned code." })
export class TicketVerification {
  @Field(() => TicketVerificationResult)
  result!: TicketVerificationResult;

  @Field({ description: "A short sentence for the person at the gate." })
  message!: string;

  @Field(() => Ticket, {
    nullable: true,
    description: "The ticket the code names, when the signature is genuine.",
  })
  ticket!: Ticket | null;

  @Field(() => GraphQLDateTime, { nullable: true, description: "When the ticket was first used." })
  usedAt!: Date | null;
}

@ObjectType({
  description:
    "The public key ticket codes are signed with, so scanners can check signatures offline " +
    "(docs/orders.md describes the code format).",
})
export class TicketCodeKey {
  @Field({ description: "Always Ed25519." })
  algorithm!: string;

  @Field({ description: "The public key, SPKI in PEM." })
  publicKeyPem!: string;

  @Field(() => Int, {
    description: "Seconds per code window; codes of the previous and next window are accepted too.",
  })
  windowSeconds!: number;
}
