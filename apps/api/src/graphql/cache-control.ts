import { DirectiveLocation, GraphQLBoolean, GraphQLDirective, GraphQLInt } from "graphql";

/**
 * Apollo Server's cache hints, declared so TypeGraphQL's @Directive can attach them. Types and fields
 * without a hint are uncacheable, so only data that is the same for every caller is ever shared
 * (see http/response-cache.ts). Scope is omitted on purpose: nothing in this API is cached privately.
 */
export const cacheControlDirective = new GraphQLDirective({
  name: "cacheControl",
  locations: [DirectiveLocation.FIELD_DEFINITION, DirectiveLocation.OBJECT, DirectiveLocation.INTERFACE],
  args: { maxAge: { type: GraphQLInt }, inheritMaxAge: { type: GraphQLBoolean } },
});

export const cacheFor = (seconds: number) => `@cacheControl(maxAge: ${seconds})`;
export const inheritCache = "@cacheControl(inheritMaxAge: true)";
