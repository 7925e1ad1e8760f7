import { type DocumentNode, type GraphQLSchema, getOperationAST, Kind } from "graphql";
import { Authorized, Extensions } from "type-graphql";
import type { Viewer } from "../kernel/viewer.js";

// Subscriptions that only a signed-in caller may open. graphql-ws would otherwise accept them and
// fail each event one by one; the WebSocket server asks `subscriptionAccess` first and closes the
// socket with 4401 (not signed in) or 4403 (wrong role), as graphql-ws does for refused connections.

const ROLES_EXTENSION = "authorizedRoles";

/** @Authorized(...roles) for a @Subscription field, marked so the WebSocket server can see it. */
export function AuthorizedSubscription(...roles: Viewer["role"][]): MethodDecorator {
  const authorized = Authorized(...roles);
  const marked = Extensions({ [ROLES_EXTENSION]: roles });
  return (target, key, descriptor) => {
    authorized(target, key, descriptor);
    marked(target, key, descriptor);
  };
}

export type SubscriptionAccess = "allowed" | "unauthenticated" | "forbidden";

/** Whether `viewer` may open every root field of this subscription operation. */
export function subscriptionAccess(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  viewer: Viewer | null,
): SubscriptionAccess {
  const operation = getOperationAST(document, operationName);
  const fields = schema.getSubscriptionType()?.getFields();
  if (operation?.operation !== "subscription" || !fields) return "allowed";
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) continue;
    const roles = fields[selection.name.value]?.extensions[ROLES_EXTENSION] as Viewer["role"][] | undefined;
    if (!roles) continue;
    if (!viewer) return "unauthenticated";
    if (roles.length > 0 && !roles.includes(viewer.role)) return "forbidden";
  }
  return "allowed";
}
