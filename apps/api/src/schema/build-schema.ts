import "reflect-metadata";
import type { GraphQLSchema } from "graphql";
import { buildSchema } from "type-graphql";
import { cacheControlDirective } from "../graphql/cache-control.js";
import { CatalogQueries, EventFields, VenueFields } from "../modules/catalog/catalog.resolver.js";
import { SeatFields, SeatingQueries } from "../modules/seating/seating.resolver.js";

export function buildFrontrowSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [CatalogQueries, EventFields, VenueFields, SeatingQueries, SeatFields],
    directives: [cacheControlDirective],
    // Inputs carry class-validator constraints; violations become BAD_USER_INPUT errors.
    validate: { forbidUnknownValues: false },
  });
}
