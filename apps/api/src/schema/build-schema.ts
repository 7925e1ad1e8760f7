import "reflect-metadata";
import type { GraphQLSchema } from "graphql";
import { type AuthChecker, buildSchema, type PubSub } from "type-graphql";
import { AppError, ErrorCode } from "../errors.js";
import { cacheControlDirective } from "../graphql/cache-control.js";
import type { Context } from "../graphql/context.js";
import { guardRootFields } from "../graphql/root-field-guards.js";
import { AdminResolver } from "../modules/admin/admin.resolver.js";
import { SafelistResolver } from "../modules/admin/safelist.resolver.js";
import { AuthResolver } from "../modules/auth/auth.resolver.js";
import { CatalogQueries, EventFields, VenueFields } from "../modules/catalog/catalog.resolver.js";
import { HoldMutations, UserHolds } from "../modules/holds/holds.resolver.js";
import {
  OrderFields,
  OrderMutations,
  OrderQueries,
  TicketFields,
} from "../modules/orders/orders.resolver.js";
import { ProofOfWorkQueries } from "../modules/queue/proof-of-work.resolver.js";
import { EventQueueSettings, QueueResolver } from "../modules/queue/queue.resolver.js";
import { SeatFields, SeatingQueries, SeatingSubscriptions } from "../modules/seating/seating.resolver.js";
import { WebhookResolver } from "../modules/webhooks/webhooks.resolver.js";

// @Authorized() needs a signed-in caller; @Authorized("ORGANIZER", …) one of those roles.
const authChecker: AuthChecker<Context> = ({ context }, roles) => {
  if (!context.viewer) throw new AppError(ErrorCode.UNAUTHENTICATED, "Sign in to do this");
  if (roles.length > 0 && !roles.includes(context.viewer.role)) {
    throw new AppError(ErrorCode.FORBIDDEN, "Your account is not allowed to do this");
  }
  return true;
};

/** `pubSub` carries subscription events between API instances (infra/pubsub.ts). */
export async function buildFrontrowSchema(pubSub: PubSub): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    pubSub,
    resolvers: [
      AuthResolver,
      CatalogQueries,
      EventFields,
      VenueFields,
      SeatingQueries,
      SeatingSubscriptions,
      SeatFields,
      HoldMutations,
      UserHolds,
      ProofOfWorkQueries,
      AdminResolver,
      QueueResolver,
      EventQueueSettings,
      OrderQueries,
      OrderMutations,
      OrderFields,
      TicketFields,
      WebhookResolver,
      SafelistResolver,
    ],
    directives: [cacheControlDirective],
    authChecker,
    // Inputs carry class-validator constraints; violations become BAD_USER_INPUT errors.
    validate: { forbidUnknownValues: false },
  });
  // API-key scopes, rate limits and bot signals, around every root field (graphql/root-field-guards.ts).
  return guardRootFields(schema);
}
