import { Arg, Authorized, Ctx, ID, Int, Mutation, Query, Resolver } from "type-graphql";
import { type Context, viewerOf } from "../../graphql/context.js";
import { parseOptionalIntId } from "../../kernel/ids.js";
import { AccountSignals, ApiKey, BotSignal, CreatedApiKey } from "./admin.types.js";

const MODERATORS = ["ORGANIZER", "ADMIN"];
const DEFAULT_COST_PER_MINUTE = 10_000;

const eventFilter = (eventId: string | null | undefined) => parseOptionalIntId(eventId, "eventId");

@Resolver()
export class AdminResolver {
  @Authorized(...MODERATORS)
  @Mutation(() => CreatedApiKey, {
    description: "Creates a partner API key; its secret is in this answer only.",
  })
  createApiKey(
    @Arg("name") name: string,
    @Arg("scopes", () => [String]) scopes: string[],
    @Ctx() ctx: Context,
    @Arg("costPerMinute", () => Int, { defaultValue: DEFAULT_COST_PER_MINUTE }) costPerMinute: number,
  ): Promise<CreatedApiKey> {
    return ctx.services.apiKeys.create(viewerOf(ctx).userId, { name, scopes, costPerMinute });
  }

  @Authorized(...MODERATORS)
  @Query(() => [ApiKey], { description: "Your API keys (every key, for admins), newest first." })
  apiKeys(@Ctx() ctx: Context): Promise<ApiKey[]> {
    return ctx.services.apiKeys.list(viewerOf(ctx));
  }

  @Authorized(...MODERATORS)
  @Mutation(() => Boolean, { description: "Revokes a key at once. False if it was already revoked." })
  revokeApiKey(@Arg("id", () => ID) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.apiKeys.revoke(viewerOf(ctx), id);
  }

  @Authorized(...MODERATORS)
  @Query(() => [BotSignal], {
    description:
      "Latest bot signals first, of one event or all you may see (organizers: their events' signals; " +
      "admins: all, including sign-ups, logins and moderation, which belong to no event).",
  })
  botSignals(
    @Ctx() ctx: Context,
    @Arg("eventId", () => ID, { nullable: true }) eventId?: string | null,
    @Arg("first", () => Int, { defaultValue: 50 }) first = 50,
  ): Promise<BotSignal[]> {
    return ctx.services.botSignals.list(viewerOf(ctx), { eventId: eventFilter(eventId), first });
  }

  @Authorized(...MODERATORS)
  @Query(() => [AccountSignals], { description: "Accounts with the most bot signals first." })
  accountBotSignals(
    @Ctx() ctx: Context,
    @Arg("eventId", () => ID, { nullable: true }) eventId?: string | null,
    @Arg("first", () => Int, { defaultValue: 50 }) first = 50,
  ): Promise<AccountSignals[]> {
    return ctx.services.botSignals.accounts(viewerOf(ctx), { eventId: eventFilter(eventId), first });
  }

  @Authorized(...MODERATORS)
  @Mutation(() => Boolean, {
    description:
      "Blocks an account: signs it out everywhere, refuses its logins and API keys, releases its holds " +
      "and takes it out of every queue.",
  })
  async blockAccount(
    @Arg("userId", () => ID) userId: string,
    @Arg("reason") reason: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    await ctx.services.accounts.block(viewerOf(ctx), userId, reason);
    return true;
  }

  @Authorized(...MODERATORS)
  @Mutation(() => Boolean, { description: "Lifts a block. False if the account was not blocked." })
  unblockAccount(@Arg("userId", () => ID) userId: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.accounts.unblock(viewerOf(ctx), userId);
  }
}
