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
} from "type-graphql";
import { cacheFor } from "../../graphql/cache-control.js";
import type { Context } from "../../graphql/context.js";
import { parseIntId } from "../../ids.js";
import { Seat, SeatMap, SeatStatus } from "./seating.types.js";

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
  @Directive(cacheFor(1))
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
