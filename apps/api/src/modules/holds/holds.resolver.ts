import { GraphQLDateTime } from "graphql-scalars";
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from "type-graphql";
import { type Context, viewerOf } from "../../graphql/context.js";
import { AppError, ErrorCode } from "../../kernel/errors.js";
import { parseIntId, parseOptionalIntId } from "../../kernel/ids.js";
import { User } from "../auth/auth.types.js";
import { Hold } from "./holds.types.js";

const ADMISSION_TOKEN =
  "Proof of admission from the waiting room (queueStatus.admissionToken), for events that use it.";

@Resolver()
export class HoldMutations {
  @Authorized()
  @Mutation(() => Hold, {
    description:
      "Holds exactly these seats for the event's holdSeconds, or none of them (SEATS_UNAVAILABLE names " +
      "the seats that are taken).",
  })
  holdSeats(
    @Arg("eventId", () => ID) eventId: string,
    @Arg("seatIds", () => [ID]) seatIds: string[],
    @Ctx() ctx: Context,
    @Arg("admissionToken", () => String, { nullable: true, description: ADMISSION_TOKEN })
    admissionToken?: string | null,
  ): Promise<Hold> {
    return ctx.services.holds.holdSeats(
      viewerOf(ctx).userId,
      parseIntId(eventId, "eventId"),
      seatIds.map((seatId) => parseIntId(seatId, "seatIds")),
      admissionToken,
    );
  }

  @Authorized()
  @Mutation(() => Hold, {
    description:
      "Holds the best `quantity` free seats: adjacent in one row when possible, closest to the stage " +
      "first, without stranding single seats; otherwise the best split over the fewest rows.",
  })
  holdBestAvailable(
    @Arg("eventId", () => ID) eventId: string,
    @Arg("quantity", () => Int) quantity: number,
    @Ctx() ctx: Context,
    @Arg("priceTierId", () => ID, { nullable: true, description: "Only seats of this tier." })
    priceTierId?: string | null,
    @Arg("admissionToken", () => String, { nullable: true, description: ADMISSION_TOKEN })
    admissionToken?: string | null,
    @Arg("accessibleSeats", () => Int, {
      nullable: true,
      description:
        "How many of the `quantity` places are wheelchair spaces; the others are companion seats beside " +
        "them (adjacent, in one row). Without it, wheelchair and companion seats are not given out " +
        "until the organizer releases them to general sale, and then only when no other seats fit.",
    })
    accessibleSeats?: number | null,
  ): Promise<Hold> {
    return ctx.services.holds.holdBestAvailable(
      viewerOf(ctx).userId,
      parseIntId(eventId, "eventId"),
      quantity,
      parseOptionalIntId(priceTierId, "priceTierId"),
      admissionToken,
      accessibleSeats ?? 0,
    );
  }

  @Authorized()
  @Mutation(() => Hold, {
    description:
      "Holds `quantity` places in a standing area (general admission) for the event's holdSeconds, all " +
      "or none (SEATS_UNAVAILABLE with `available` when fewer are left). The places count towards the " +
      "per-account limit with seats.",
  })
  holdGeneralAdmission(
    @Arg("eventId", () => ID) eventId: string,
    @Arg("areaId", () => ID, { description: "A standing area of the event's seat map (seatMap.areas)." })
    areaId: string,
    @Arg("quantity", () => Int) quantity: number,
    @Ctx() ctx: Context,
    @Arg("admissionToken", () => String, { nullable: true, description: ADMISSION_TOKEN })
    admissionToken?: string | null,
  ): Promise<Hold> {
    return ctx.services.holds.holdGeneralAdmission(
      viewerOf(ctx).userId,
      parseIntId(eventId, "eventId"),
      parseIntId(areaId, "areaId"),
      quantity,
      admissionToken,
    );
  }

  @Authorized("ORGANIZER", "ADMIN")
  @Mutation(() => Boolean, {
    description:
      "When the event's unsold wheelchair spaces and companion seats go on general sale (null: they stay " +
      "for fans who ask with holdBestAvailable's accessibleSeats). Even then, best available gives them " +
      "only when no other seats fit. The event's organizer or an admin; audited.",
  })
  setAccessibleSeatsRelease(
    @Arg("eventId", () => ID) eventId: string,
    @Arg("releaseAt", () => GraphQLDateTime, { nullable: true }) releaseAt: Date | null,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return ctx.services.holds.setAccessibleRelease(viewerOf(ctx), parseIntId(eventId, "eventId"), releaseAt);
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description:
      "Releases your hold and frees its seats. False when the hold had already ended (released, expired " +
      "or checked out): releasing is idempotent, so retrying after a lost response is safe.",
  })
  releaseHold(@Arg("holdId", () => ID) holdId: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.holds.releaseHold(viewerOf(ctx).userId, holdId);
  }
}

@Resolver(() => User)
export class UserHolds {
  @Authorized()
  @FieldResolver(() => [Hold], {
    description: "Your live holds (active, not expired), soonest to expire first.",
  })
  holds(@Root() user: User, @Ctx() ctx: Context): Promise<Hold[]> {
    if (viewerOf(ctx).userId !== user.id) {
      throw new AppError(ErrorCode.FORBIDDEN, "Only the account's owner sees its holds");
    }
    return ctx.services.holds.activeHolds(user.id);
  }
}
