import { GraphQLDateTime } from "graphql-scalars";
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { PageInfo } from "../catalog/catalog.types.js";

export enum WebhookDeliveryStatus {
  PENDING = "PENDING",
  DELIVERED = "DELIVERED",
  FAILED = "FAILED",
}

registerEnumType(WebhookDeliveryStatus, {
  name: "WebhookDeliveryStatus",
  description:
    "PENDING until the endpoint answers 2xx (retried with backoff meanwhile); DELIVERED once it has; " +
    "FAILED when retries ran out (the endpoint is then disabled).",
});

@InputType()
export class CreateWebhookEndpointInput {
  @Field({
    description: "An http(s) URL that does not resolve to a loopback, private or link-local address.",
  })
  url!: string;

  @Field(() => [String], { description: "Some of `webhookEventTypes`, e.g. order.confirmed." })
  eventTypes!: string[];

  @Field(() => ID, { nullable: true, description: "One of your events; omit it for all your events." })
  eventId?: string | null;
}

@ObjectType({ description: "Where Frontrow sends signed event notifications (docs/partners.md)." })
export class WebhookEndpoint {
  @Field(() => ID)
  id!: string;

  @Field()
  url!: string;

  @Field(() => [String])
  eventTypes!: string[];

  @Field(() => ID, { nullable: true, description: "Null: every event of the endpoint's owner." })
  eventId!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The signing secret (whsec_…): only in the answer that created or rotated it.",
  })
  secret!: string | null;

  @Field(() => GraphQLDateTime, {
    nullable: true,
    description: "Until then, requests are signed with the previous secret too (after a rotation).",
  })
  previousSecretExpiresAt!: Date | null;

  @Field(() => GraphQLDateTime)
  createdAt!: Date;

  @Field(() => GraphQLDateTime, {
    nullable: true,
    description: "Set when deliveries kept failing: nothing is sent until the owner enables it again.",
  })
  disabledAt!: Date | null;

  @Field(() => String, { nullable: true })
  disabledReason!: string | null;
}

@ObjectType({ description: "One HTTP request made for a delivery." })
export class WebhookAttempt {
  @Field(() => GraphQLDateTime)
  attemptedAt!: Date;

  @Field(() => Int, { nullable: true, description: "Null when no answer came (see error)." })
  statusCode!: number | null;

  @Field(() => String, { nullable: true })
  error!: string | null;

  @Field(() => Int)
  durationMs!: number;
}

@ObjectType({ description: "One event for one endpoint; its id is the `webhook-id` header." })
export class WebhookDelivery {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  endpointId!: string;

  @Field()
  eventType!: string;

  @Field(() => WebhookDeliveryStatus)
  status!: WebhookDeliveryStatus;

  @Field(() => Int)
  attempts!: number;

  @Field(() => GraphQLDateTime)
  createdAt!: Date;

  @Field(() => GraphQLDateTime, { nullable: true })
  nextAttemptAt!: Date | null;

  @Field(() => GraphQLDateTime, { nullable: true })
  deliveredAt!: Date | null;

  @Field(() => Int, { nullable: true })
  lastStatusCode!: number | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field({ description: "The JSON body sent (signed)." })
  body!: string;

  @Field(() => [WebhookAttempt], { description: "Every attempt, oldest first." })
  attemptLog!: WebhookAttempt[];
}

@ObjectType()
export class WebhookDeliveryEdge {
  @Field(() => WebhookDelivery)
  node!: WebhookDelivery;

  @Field()
  cursor!: string;
}

@ObjectType()
export class WebhookDeliveryConnection {
  @Field(() => [WebhookDeliveryEdge])
  edges!: WebhookDeliveryEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}
