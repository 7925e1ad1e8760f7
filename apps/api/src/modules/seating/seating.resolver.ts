import type { GraphQLResolveInfo, ResponsePath } from "graphql";
import {
  Arg,
  Ctx,
  Directive,
  Extensions,
  FieldResolver,
  ID,
  Info,
  Query,
  Resolver,
  Root,
  type SubscribeResolverData,
  Subscription,
} from "type-graphql";
import { cacheFor } from "../../graphql/cache-control.js";
import type { Context } from "../../graphql/context.js";
import { SHARED_RESULT } from "../../graphql/shared-subscriptions.js";
import { parseIntId } from "../../kernel/ids.js";
import { SEAT_MAP_MAX_AGE_SECONDS } from "./seat-map-json.js";
import { SEAT_MAP_CHANGED, seatMapTopic } from "./seat-map-live.js";
import type { SeatMapDeltaMessage } from "./seating.service.js";
import { Seat, SeatMap, SeatMapDelta, SeatStatus } from "./seating.types.js";

const STATUS_BY_CODE: Record<string, SeatStatus> = {
  A: SeatStatus.AVAILABLE,
  H: SeatStatus.HELD,
  S: SeatStatus.SOLD,
  X: SeatStatus.NOT_FOR_SALE,
};

function rootResponseKey(path: ResponsePath): string {
  let node = path;
  while (node.prev) node = node.prev;
  return String(node.key);
}

@Resolver()
export class SeatingQueries {
  @Query(() => SeatMap)
  @Directive(cacheFor(SEAT_MAP_MAX_AGE_SECONDS))
  // Fixed cost: the layout is pre-built and cached, however many seats it has.
  @Extensions({ complexity: 50 })
  async seatMap(
    @Arg("eventId", () => ID) eventId: string,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<SeatMap> {
    const seatMap = await ctx.services.seating.seatMap(parseIntId(eventId, "eventId"));
    ctx.seatMapStatuses.set(info.path.key.toString(), seatMap.statuses);
    return seatMap;
  }
}

@Resolver()
export class SeatingSubscriptions {
  // One topic per event: each instance only receives the events its own subscribers watch.
  @Subscription(() => SeatMapDelta, {
    topics: SEAT_MAP_CHANGED,
    topicId: ({ args }: SubscribeResolverData<unknown, { eventId: string }>) =>
      seatMapTopic(parseIntId(args.eventId, "eventId")),
    description:
      "Live changes of an event's seat map, merged over a short window (no sign-in needed). Subscribe, " +
      "then fetch `seatMap`, and apply the deltas with a higher version than the snapshot.",
  })
  // The same for every subscriber: executed once per delta, not once per subscriber.
  @Extensions(SHARED_RESULT)
  seatMapChanged(
    @Arg("eventId", () => ID) _eventId: string,
    @Root() delta: SeatMapDeltaMessage,
  ): SeatMapDeltaMessage {
    return delta;
  }
}

@Resolver(() => Seat)
export class SeatFields {
  // Seats are shared, pre-built layout objects (one per venue, not per event), so a seat's status is
  // looked up in the statuses of the seatMap field it was reached from.
  @FieldResolver(() => SeatStatus)
  status(@Root() seat: Seat, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): SeatStatus {
    const statuses = ctx.seatMapStatuses.get(rootResponseKey(info.path)) ?? "";
    return STATUS_BY_CODE[statuses[seat.index] ?? "X"] ?? SeatStatus.NOT_FOR_SALE;
  }
}
