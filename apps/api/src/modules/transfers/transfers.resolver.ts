import DataLoader from "dataloader";
import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { type Context, viewerOf } from "../../graphql/context.js";
import { requestScoped } from "../../graphql/request-scoped.js";
import { parseIntId } from "../../kernel/ids.js";
import type { EventView } from "../catalog/catalog.service.js";
import { Event } from "../catalog/catalog.types.js";
import type { OrderView } from "../orders/order-views.js";
import { Order } from "../orders/orders.types.js";
import type { TransferView } from "./transfers.service.js";
import { TicketTransfer, TransferPolicy } from "./transfers.types.js";

// Transfers of an operation's orders, loaded together (an order list shows each order's transfers).
const transferLoader = requestScoped(
  (ctx) =>
    new DataLoader<string, TransferView[]>(async (orderIds) => {
      const byOrder = await ctx.services.transfers.transfersOfOrders(orderIds);
      return orderIds.map((id) => byOrder.get(id) ?? []);
    }),
);

/** What the API shows of a transfer: the recipient's new order only to those who may see it. */
function shown(ctx: Context, transfer: TransferView): TicketTransfer {
  const viewer = viewerOf(ctx);
  const seesNewOrder = viewer.userId === transfer.toUserId || viewer.role !== "FAN";
  return {
    ...transfer,
    eventId: String(transfer.eventId),
    ticketCount: transfer.ticketIds.length,
    newOrderId: seesNewOrder ? transfer.newOrderId : null,
  };
}

@Resolver(() => TicketTransfer)
export class TransferResolver {
  @Authorized()
  @Query(() => TicketTransfer, {
    description:
      "One transfer: for its sender, its recipient (the account with the email it names), the event's " +
      "organizer and admins; NOT_FOUND for anyone else.",
  })
  async transfer(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<TicketTransfer> {
    return shown(ctx, await ctx.services.transfers.transfer(viewerOf(ctx), id));
  }

  @Authorized()
  @Query(() => [TicketTransfer], {
    description: "Transfers offered to your email address and still pending.",
  })
  async incomingTransfers(@Ctx() ctx: Context): Promise<TicketTransfer[]> {
    const transfers = await ctx.services.transfers.incomingTransfers(viewerOf(ctx).userId);
    return transfers.map((transfer) => shown(ctx, transfer));
  }

  @Authorized("ORGANIZER", "ADMIN")
  @Query(() => [TicketTransfer], {
    description:
      "Every transfer of an event, oldest first (the organizer's chain of who passed what to whom).",
  })
  async eventTransfers(
    @Arg("eventId", () => ID) eventId: string,
    @Ctx() ctx: Context,
  ): Promise<TicketTransfer[]> {
    const transfers = await ctx.services.transfers.eventTransfers(
      viewerOf(ctx),
      parseIntId(eventId, "eventId"),
    );
    return transfers.map((transfer) => shown(ctx, transfer));
  }

  @Authorized()
  @Mutation(() => TicketTransfer, {
    description:
      "Offers tickets of your confirmed order to another person by email (they get a link to accept). " +
      "The tickets stay yours until accepted. Errors: TRANSFER_NOT_ALLOWED (the organizer does not allow " +
      "it, or the cutoff passed), BAD_USER_INPUT (field toEmail or ticketIds), CONFLICT, FORBIDDEN, NOT_FOUND.",
  })
  async transferTickets(
    @Arg("orderId", () => ID) orderId: string,
    @Arg("ticketIds", () => [ID]) ticketIds: string[],
    @Arg("toEmail", () => String) toEmail: string,
    @Ctx() ctx: Context,
  ): Promise<TicketTransfer> {
    const transfer = await ctx.services.transfers.transferTickets(viewerOf(ctx).userId, {
      orderId,
      ticketIds,
      toEmail,
    });
    return shown(ctx, transfer);
  }

  @Authorized()
  @Mutation(() => TicketTransfer, {
    description:
      "The recipient (signed in with the email the transfer names) takes the tickets: they are re-issued " +
      "in a new order of theirs with new codes; the sender's codes scan INVALID from now on. Errors: " +
      "LIMIT_EXCEEDED (the event's per-account limit counts them), TRANSFER_NOT_ALLOWED, CONFLICT " +
      "(already accepted or cancelled, or a ticket was used), FORBIDDEN (another account's email), NOT_FOUND.",
  })
  async acceptTransfer(
    @Arg("transferId", () => ID) transferId: string,
    @Ctx() ctx: Context,
  ): Promise<TicketTransfer> {
    return shown(ctx, await ctx.services.transfers.acceptTransfer(viewerOf(ctx).userId, transferId));
  }

  @Authorized()
  @Mutation(() => TicketTransfer, {
    description: "The sender takes back a pending transfer. CONFLICT once it was accepted.",
  })
  async cancelTransfer(
    @Arg("transferId", () => ID) transferId: string,
    @Ctx() ctx: Context,
  ): Promise<TicketTransfer> {
    return shown(ctx, await ctx.services.transfers.cancelTransfer(viewerOf(ctx).userId, transferId));
  }

  @FieldResolver(() => Event)
  async event(@Root() transfer: TicketTransfer, @Ctx() ctx: Context): Promise<EventView | null> {
    return ctx.services.catalog.findEvent(Number(transfer.eventId));
  }
}

@Resolver(() => Order)
export class OrderTransfers {
  @FieldResolver(() => [TicketTransfer], { description: "Transfers of this order's tickets, oldest first." })
  async transfers(@Root() order: OrderView, @Ctx() ctx: Context): Promise<TicketTransfer[]> {
    const transfers = await transferLoader(ctx).load(order.id);
    return transfers.map((transfer) => shown(ctx, transfer));
  }
}

@Resolver(() => Event)
export class EventTransferPolicy {
  @FieldResolver(() => TransferPolicy, {
    description: "Whether fans may transfer tickets now, and until when.",
  })
  transferPolicy(@Root() event: Event, @Ctx() ctx: Context): Promise<TransferPolicy> {
    return ctx.services.transfers.policy(Number(event.id));
  }
}
