import { Arg, Ctx, Directive, Extensions, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import { cacheFor } from "../../graphql/cache-control.js";
import { toConnection } from "../../graphql/connections.js";
import type { Context } from "../../graphql/context.js";
import { parseIntId } from "../../kernel/ids.js";
import { catalogLoaders } from "./catalog.loaders.js";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from "./catalog.service.js";
import {
  Availability,
  Event,
  EventConnection,
  EventFilter,
  Performer,
  PriceTier,
  Venue,
} from "./catalog.types.js";

function required<T>(value: T | null, what: string): T {
  // Foreign keys guarantee these rows exist; a miss means the database changed under us.
  if (value === null) throw new Error(`${what} is missing`);
  return value;
}

@Resolver()
export class CatalogQueries {
  @Query(() => EventConnection, { description: "Published events, soonest first (Relay cursor pagination)." })
  @Directive(cacheFor(30))
  @Extensions({
    complexity: ({ args, childComplexity }: { args: { first?: number }; childComplexity: number }) =>
      1 + Math.min(args.first ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE) * childComplexity,
  })
  async events(
    @Ctx() ctx: Context,
    @Arg("filter", () => EventFilter, { nullable: true }) filter?: EventFilter | null,
    @Arg("first", () => Int, { defaultValue: DEFAULT_PAGE_SIZE, description: `At most ${MAX_PAGE_SIZE}.` })
    first?: number,
    @Arg("after", () => String, { nullable: true }) after?: string,
  ): Promise<EventConnection> {
    const page = await ctx.services.catalog.listEvents(filter, first, after);
    return toConnection(page);
  }

  @Query(() => Event, { nullable: true })
  @Directive(cacheFor(30))
  event(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<Event | null> {
    return ctx.services.catalog.findEvent(parseIntId(id, "id"));
  }

  @Query(() => Venue, { nullable: true })
  @Directive(cacheFor(300))
  async venue(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<Omit<Venue, "capacity"> | null> {
    return catalogLoaders(ctx).venue.load(parseIntId(id, "id"));
  }

  @Query(() => [String], { description: "Categories of published events, for filters." })
  @Directive(cacheFor(60))
  categories(@Ctx() ctx: Context): Promise<string[]> {
    return ctx.services.catalog.categories();
  }

  @Query(() => [String], { description: "Cities with venues, for filters." })
  @Directive(cacheFor(60))
  cities(@Ctx() ctx: Context): Promise<string[]> {
    return ctx.services.catalog.cities();
  }
}

@Resolver(() => Event)
export class EventFields {
  @FieldResolver(() => Venue)
  async venue(@Root() event: Event, @Ctx() ctx: Context): Promise<Omit<Venue, "capacity">> {
    return required(await catalogLoaders(ctx).venue.load(event.venueId), `Venue ${event.venueId}`);
  }

  @FieldResolver(() => Performer)
  async performer(@Root() event: Event, @Ctx() ctx: Context): Promise<Performer> {
    return required(
      await catalogLoaders(ctx).performer.load(event.performerId),
      `Performer ${event.performerId}`,
    );
  }

  @FieldResolver(() => [PriceTier])
  priceTiers(@Root() event: Event, @Ctx() ctx: Context): Promise<PriceTier[]> {
    return catalogLoaders(ctx).priceTiers.load(event.id);
  }

  @FieldResolver(() => Availability)
  @Extensions({ complexity: 5 })
  availability(@Root() event: Event, @Ctx() ctx: Context): Promise<Availability> {
    return catalogLoaders(ctx).availability.load(event.id);
  }
}

@Resolver(() => Venue)
export class VenueFields {
  @FieldResolver(() => Int)
  capacity(@Root() venue: Venue, @Ctx() ctx: Context): Promise<number> {
    return catalogLoaders(ctx).venueCapacity.load(venue.id);
  }
}
