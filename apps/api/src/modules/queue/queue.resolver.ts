import {
  Arg,
  Authorized,
  Ctx,
  Directive,
  FieldResolver,
  ID,
  Mutation,
  Query,
  Resolver,
  Root,
  type SubscribeResolverData,
  Subscription,
} from "type-graphql";
import { AuthorizedSubscription } from "../../graphql/authorized-subscriptions.js";
import { cacheFor } from "../../graphql/cache-control.js";
import { type Context, viewerOf } from "../../graphql/context.js";
import { requestScoped } from "../../graphql/request-scoped.js";
import { parseIntId } from "../../kernel/ids.js";
import { Event } from "../catalog/catalog.types.js";
import { type KnownEntry, QUEUE_TICK, type QueueStatusView, type QueueTick } from "./queue.service.js";
import { QueueAudit, QueueSettings, QueueSettingsInput, QueueState, QueueStatus } from "./queue.types.js";

const toStatus = (view: QueueStatusView): QueueStatus => ({ ...view, state: QueueState[view.state] });

// What each subscriber last read of its own entry: between reads, a waiting fan's position follows
// from the broadcast alone (queue.service.ts statusAfterTick). One per subscription (its context).
const knownEntry = requestScoped((): { last?: KnownEntry } => ({}));
// One batch loader of queue settings per operation: a page of events costs one query.
const queueEventLoader = requestScoped((ctx) => ctx.services.queue.queueEventLoader());

@Resolver()
export class QueueResolver {
  @Authorized()
  @Query(() => QueueStatus, {
    description: "Your place in the event's waiting room. Also counts as a heartbeat.",
  })
  async queueStatus(@Arg("eventId", () => ID) eventId: string, @Ctx() ctx: Context): Promise<QueueStatus> {
    const id = parseIntId(eventId, "eventId");
    return toStatus(await ctx.services.queue.status(viewerOf(ctx).userId, id, { heartbeat: true }));
  }

  @Query(() => QueueAudit, { description: "What anyone needs to recompute the pre-queue lottery." })
  async queueAudit(@Arg("eventId", () => ID) eventId: string, @Ctx() ctx: Context): Promise<QueueAudit> {
    return ctx.services.queue.audit(parseIntId(eventId, "eventId"));
  }

  @Authorized()
  @Mutation(() => QueueStatus, {
    description:
      "Joins the event's waiting room (one entry per account: joining again returns the same entry). " +
      "Before the sale starts you enter the pre-queue lottery; after, the back of the line.",
  })
  async joinQueue(
    @Arg("eventId", () => ID) eventId: string,
    @Ctx() ctx: Context,
    @Arg("proofOfWork", () => String, {
      nullable: true,
      description: '"<challenge>:<nonce>" when the event asks for proof of work (proofOfWorkDifficulty > 0).',
    })
    proofOfWork?: string | null,
  ): Promise<QueueStatus> {
    const id = parseIntId(eventId, "eventId");
    const userId = viewerOf(ctx).userId;
    const { powDifficulty } = await ctx.services.queue.queueEvent(id);
    // Joining again returns the same entry: only a new entry costs a proof of work (docs/defences.md).
    const gate = ctx.services.proofOfWork.entryGate(proofOfWork, userId, id, powDifficulty, ctx.client);
    return toStatus(await ctx.services.queue.join(userId, id, gate));
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Leaves the waiting room; false when you were not in it." })
  leaveQueue(@Arg("eventId", () => ID) eventId: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.queue.leave(viewerOf(ctx).userId, parseIntId(eventId, "eventId"));
  }

  @Authorized()
  @Mutation(() => QueueStatus, {
    description: "Keeps your turn: send it every heartbeatIntervalSeconds while you wait.",
  })
  async queueHeartbeat(@Arg("eventId", () => ID) eventId: string, @Ctx() ctx: Context): Promise<QueueStatus> {
    const id = parseIntId(eventId, "eventId");
    return toStatus(await ctx.services.queue.status(viewerOf(ctx).userId, id, { heartbeat: true }));
  }

  @Authorized("ORGANIZER", "ADMIN")
  @Mutation(() => Event, {
    description: "Changes the waiting room live (the event's organizer or an admin).",
  })
  // Event's public 30 s hint made the answer cacheable: the shared response cache (keyed on the body,
  // not the session) answered a repeated change (pause, resume, pause) without running it.
  @Directive(cacheFor(0))
  updateQueueSettings(
    @Arg("eventId", () => ID) eventId: string,
    @Arg("input", () => QueueSettingsInput) input: QueueSettingsInput,
    @Ctx() ctx: Context,
  ): Promise<Event> {
    return ctx.services.queue.updateSettings(viewerOf(ctx), parseIntId(eventId, "eventId"), input);
  }

  @AuthorizedSubscription()
  @Subscription(() => QueueStatus, {
    description: "Your own status, after every move of the line (about once per leader tick).",
    topics: QUEUE_TICK,
    topicId: ({ args }: SubscribeResolverData<unknown, { eventId: string }>) =>
      parseIntId(args.eventId, "eventId"),
  })
  async queueStatusChanged(
    @Root() tick: QueueTick,
    @Arg("eventId", () => ID) _eventId: string,
    @Ctx() ctx: Context,
  ): Promise<QueueStatus> {
    const entry = knownEntry(ctx);
    const { status, known } = await ctx.services.queue.statusAfterTick(
      viewerOf(ctx).userId,
      tick,
      entry.last,
    );
    entry.last = known;
    return toStatus(status);
  }
}

@Resolver(() => Event)
export class EventQueueSettings {
  @FieldResolver(() => QueueSettings, {
    nullable: true,
    description: "The waiting room's settings and live figures: only for the event's organizer and admins.",
  })
  async queueSettings(@Root() event: Event, @Ctx() ctx: Context): Promise<QueueSettings | null> {
    if (!ctx.viewer || ctx.viewer.role === "FAN") return null;
    return ctx.services.queue.settings(ctx.viewer, await queueEventLoader(ctx).load(event.id));
  }
}
