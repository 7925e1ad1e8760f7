import { defaultFieldResolver, GraphQLError, type GraphQLSchema } from "graphql";
import { AppError, ErrorCode } from "../errors.js";
import type { RateLimitHit, RateLimitIdentity } from "../infra/rate-limits.js";
import { API_KEY_FIELD_SCOPES } from "../modules/admin/api-keys.service.js";
import { BotSignalKind } from "../modules/admin/bot-signals.service.js";
import type { Context } from "./context.js";

// Scalper defences that apply per root field, wrapped around the root fields of the built schema so that
// no module's resolver has to know about them: API-key scopes, the rate-limit table (infra/rate-limits.ts)
// and bot signals for refused requests. Only root fields are wrapped (a TypeGraphQL global middleware
// would wrap every field of every object, turning each scalar of a long list into a promise chain).

const WHO: Record<RateLimitHit["subject"], string> = {
  account: "your account",
  ip: "your network address",
  apiKey: "this API key",
};
// One RATE_LIMITED signal per caller and field per minute is enough to see a pattern.
const SIGNAL_DEDUPE_SECONDS = 60;

function requireScope(ctx: Context, field: string): void {
  if (!ctx.apiKey) return;
  const scope = API_KEY_FIELD_SCOPES[field];
  if (!scope) throw new AppError(ErrorCode.FORBIDDEN, `API keys cannot call ${field}`, { field });
  if (!ctx.apiKey.scopes.includes(scope)) {
    throw new AppError(ErrorCode.FORBIDDEN, `This API key lacks the ${scope} scope needed for ${field}`, {
      field,
      scope,
    });
  }
}

/** With an API key, the key is who is counted (its owner account and address are the partner's). */
function identityOf(ctx: Context): RateLimitIdentity {
  if (ctx.apiKey) return { apiKey: ctx.apiKey.id };
  return { account: ctx.viewer?.userId, ip: ctx.client.ip };
}

function eventIdOf(args: Record<string, unknown>): number | null {
  const id = args.eventId;
  return typeof id === "string" && /^\d{1,9}$/.test(id) ? Number(id) : null;
}

async function signalRateLimited(
  ctx: Context,
  field: string,
  args: Record<string, unknown>,
  subject: string,
) {
  const who = ctx.apiKey ? `key:${ctx.apiKey.id}` : (ctx.viewer?.userId ?? `ip:${ctx.client.ip}`);
  await ctx.services.botSignals.recordOncePer(`rl:${field}:${who}`, SIGNAL_DEDUPE_SECONDS, {
    kind: BotSignalKind.RATE_LIMITED,
    userId: ctx.viewer?.userId,
    eventId: eventIdOf(args),
    ip: ctx.client.ip,
    detail: { field, subject, ...(ctx.apiKey ? { apiKey: ctx.apiKey.prefix } : {}) },
  });
}

const isRateLimited = (error: unknown) =>
  error instanceof GraphQLError && error.extensions.code === ErrorCode.RATE_LIMITED;

async function rateLimited<T>(
  ctx: Context,
  field: string,
  args: Record<string, unknown>,
  run: () => Promise<T> | T,
): Promise<T> {
  const hit = await ctx.services.rateLimits.consume(field, identityOf(ctx));
  if (hit) {
    await signalRateLimited(ctx, field, args, hit.subject);
    const fieldName = field.slice(field.indexOf(".") + 1);
    throw new AppError(
      ErrorCode.RATE_LIMITED,
      `Too many ${fieldName} requests from ${WHO[hit.subject]}; try again in ${hit.retryAfterSeconds} s`,
      { retryAfterSeconds: hit.retryAfterSeconds, limitedBy: hit.subject },
    );
  }
  try {
    return await run();
  } catch (error) {
    // Limits a module enforces itself (AuthService's login limiter) are signals too.
    if (isRateLimited(error)) await signalRateLimited(ctx, field, args, "module");
    throw error;
  }
}

/** Fields whose resolver may refuse with RATE_LIMITED on its own, without a rule in the table. */
const SELF_LIMITED = new Set(["Mutation.logIn"]);

export function guardRootFields(schema: GraphQLSchema): GraphQLSchema {
  for (const type of [schema.getQueryType(), schema.getMutationType()]) {
    if (!type) continue;
    for (const field of Object.values(type.getFields())) {
      const name = `${type.name}.${field.name}`;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (root, args: Record<string, unknown>, ctx: Context, info) => {
        requireScope(ctx, name);
        const run = () => resolve(root, args, ctx, info);
        if (!ctx.services.rateLimits.ruleFor(name) && !SELF_LIMITED.has(name)) return run();
        return rateLimited(ctx, name, args, run);
      };
    }
  }
  const signUp = schema.getMutationType()?.getFields().signUp;
  if (signUp?.resolve) {
    const resolve = signUp.resolve;
    signUp.resolve = async (root, args, ctx: Context, info) => {
      const user = (await resolve(root, args, ctx, info)) as { id: string };
      await ctx.services.botSignals.noteSignUp(ctx.client.ip, user.id);
      return user;
    };
  }
  return schema;
}
