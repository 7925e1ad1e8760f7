import { Arg, Authorized, Ctx, Extensions, ID, Int, Mutation, Query, Resolver } from "type-graphql";
import { type Context, viewerOf } from "../../graphql/context.js";
import { webhookBody } from "./webhook-delivery.js";
import {
  DEFAULT_DELIVERIES_PAGE,
  MAX_DELIVERIES_PAGE,
  type WebhookDeliveryView,
  type WebhookEndpointView,
} from "./webhooks.service.js";
import {
  CreateWebhookEndpointInput,
  WebhookDelivery,
  WebhookDeliveryConnection,
  type WebhookDeliveryStatus,
  WebhookEndpoint,
} from "./webhooks.types.js";

const MANAGERS = ["ORGANIZER", "ADMIN"];

const endpointOf = (row: WebhookEndpointView): WebhookEndpoint => ({
  ...row,
  eventId: row.eventId === null ? null : String(row.eventId),
});

const deliveryOf = (row: WebhookDeliveryView): WebhookDelivery => ({
  ...row,
  status: row.status as WebhookDeliveryStatus,
  body: webhookBody(row),
});

@Resolver()
export class WebhookResolver {
  @Authorized(...MANAGERS)
  @Query(() => [String], { description: "The event types a webhook endpoint can receive." })
  webhookEventTypes(@Ctx() ctx: Context): string[] {
    return ctx.services.webhooks.eventTypes();
  }

  @Authorized(...MANAGERS)
  @Query(() => [WebhookEndpoint], { description: "Your webhook endpoints (every one, for admins)." })
  async webhookEndpoints(@Ctx() ctx: Context): Promise<WebhookEndpoint[]> {
    return (await ctx.services.webhooks.endpoints(viewerOf(ctx))).map(endpointOf);
  }

  @Authorized(...MANAGERS)
  @Query(() => WebhookDeliveryConnection, { description: "An endpoint's delivery log, newest first." })
  @Extensions({
    complexity: ({ args, childComplexity }: { args: { first?: number }; childComplexity: number }) =>
      1 + Math.min(args.first ?? DEFAULT_DELIVERIES_PAGE, MAX_DELIVERIES_PAGE) * childComplexity,
  })
  async webhookDeliveries(
    @Arg("endpointId", () => ID) endpointId: string,
    @Ctx() ctx: Context,
    @Arg("first", () => Int, {
      defaultValue: DEFAULT_DELIVERIES_PAGE,
      description: `At most ${MAX_DELIVERIES_PAGE}.`,
    })
    first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ): Promise<WebhookDeliveryConnection> {
    const page = await ctx.services.webhooks.deliveries(viewerOf(ctx), endpointId, first, after);
    return {
      edges: page.nodes.map((node, i) => ({ node: deliveryOf(node), cursor: page.cursors[i] as string })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.cursors.at(-1) ?? null },
      totalCount: page.totalCount,
    };
  }

  @Authorized(...MANAGERS)
  @Mutation(() => WebhookEndpoint, {
    description: "Registers an endpoint; its secret is in this answer only.",
  })
  async createWebhookEndpoint(
    @Arg("input", () => CreateWebhookEndpointInput) input: CreateWebhookEndpointInput,
    @Ctx() ctx: Context,
  ): Promise<WebhookEndpoint> {
    return endpointOf(await ctx.services.webhooks.create(viewerOf(ctx), input));
  }

  @Authorized(...MANAGERS)
  @Mutation(() => WebhookEndpoint, {
    description: "A new secret (in this answer only); the previous one keeps signing for an overlap window.",
  })
  async rotateWebhookSecret(
    @Arg("endpointId", () => ID) endpointId: string,
    @Ctx() ctx: Context,
  ): Promise<WebhookEndpoint> {
    return endpointOf(await ctx.services.webhooks.rotateSecret(viewerOf(ctx), endpointId));
  }

  @Authorized(...MANAGERS)
  @Mutation(() => WebhookEndpoint, { description: "Enables a disabled endpoint; waiting deliveries go out." })
  async enableWebhookEndpoint(
    @Arg("endpointId", () => ID) endpointId: string,
    @Ctx() ctx: Context,
  ): Promise<WebhookEndpoint> {
    return endpointOf(await ctx.services.webhooks.enable(viewerOf(ctx), endpointId));
  }

  @Authorized(...MANAGERS)
  @Mutation(() => Boolean, { description: "Deletes an endpoint and its delivery log." })
  deleteWebhookEndpoint(
    @Arg("endpointId", () => ID) endpointId: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return ctx.services.webhooks.delete(viewerOf(ctx), endpointId);
  }

  @Authorized(...MANAGERS)
  @Mutation(() => WebhookDelivery, { description: "Sends a delivery again now (same webhook-id)." })
  async redeliverWebhook(
    @Arg("deliveryId", () => ID) deliveryId: string,
    @Ctx() ctx: Context,
  ): Promise<WebhookDelivery> {
    return deliveryOf(await ctx.services.webhooks.redeliver(viewerOf(ctx), deliveryId));
  }
}
