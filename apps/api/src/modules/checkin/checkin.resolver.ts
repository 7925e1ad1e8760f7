import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { type Context, viewerOf } from "../../graphql/context.js";
import { parseIntId } from "../../kernel/ids.js";
import { TicketVerification } from "../orders/orders.types.js";
import type { VerificationView } from "../orders/tickets.service.js";
import { DoorEvent, DoorStaffMember, DoorStatus, DoorTicket } from "./checkin.types.js";

@Resolver()
export class CheckinResolver {
  @Authorized()
  @Mutation(() => [DoorStaffMember], {
    description:
      "Lets the account with this e-mail scan the event's tickets (and only that): now, or once it signs " +
      "up. The event's organizer or an admin; returns the event's door staff. Errors: BAD_USER_INPUT " +
      "(field email), FORBIDDEN, NOT_FOUND.",
  })
  inviteDoorStaff(
    @Arg("eventId", () => ID) eventId: string,
    @Arg("email", () => String) email: string,
    @Ctx() ctx: Context,
  ): Promise<DoorStaffMember[]> {
    return ctx.services.checkin.inviteDoorStaff(viewerOf(ctx), parseIntId(eventId, "eventId"), email);
  }

  @Authorized()
  @Query(() => [DoorStaffMember], { description: "The event's door staff (its organizer and admins)." })
  doorStaff(@Arg("eventId", () => ID) eventId: string, @Ctx() ctx: Context): Promise<DoorStaffMember[]> {
    return ctx.services.checkin.doorStaff(viewerOf(ctx), parseIntId(eventId, "eventId"));
  }

  @Authorized()
  @Query(() => [DoorEvent], { description: "The events you were invited to scan as door staff." })
  myDoorEvents(@Ctx() ctx: Context): Promise<DoorEvent[]> {
    return ctx.services.checkin.doorEvents(viewerOf(ctx));
  }

  @Authorized()
  @Query(() => DoorStatus, {
    description: "Tickets sold and scanned: for the event's organizer, its door staff and admins.",
  })
  doorStatus(@Arg("eventId", () => ID) eventId: string, @Ctx() ctx: Context): Promise<DoorStatus> {
    return ctx.services.checkin.doorStatus(viewerOf(ctx), parseIntId(eventId, "eventId"));
  }

  @Authorized()
  @Query(() => [DoorTicket], {
    description:
      "Tickets whose buyer's name or e-mail contains `search`, or whose order id starts with it (at most " +
      "25): for tickets that will not scan. The event's organizer, door staff and admins.",
  })
  doorTickets(
    @Arg("eventId", () => ID) eventId: string,
    @Arg("search", () => String) search: string,
    @Ctx() ctx: Context,
  ): Promise<DoorTicket[]> {
    return ctx.services.checkin.doorSearch(viewerOf(ctx), parseIntId(eventId, "eventId"), search);
  }

  @Authorized()
  @Mutation(() => TicketVerification, {
    description:
      "Checks in a ticket found with doorTickets (one whose code will not scan), as verifyTicket does for " +
      "a scanned code.",
  })
  checkInTicket(@Arg("ticketId", () => ID) ticketId: string, @Ctx() ctx: Context): Promise<VerificationView> {
    return ctx.services.tickets.checkInTicket(viewerOf(ctx), ticketId);
  }
}
