import { defaultFieldResolver, GraphQLError, type GraphQLSchema } from "graphql";
import type { Context } from "../../graphql/context.js";
import { AppError, ErrorCode } from "../../kernel/errors.js";
import { tighterBudget } from "../../kernel/rate-limit-budget.js";
import { requireKeyScope } from "../admin/api-keys.service.js";
import { BotSignalKind } from "./bot-signals.service.js";
import type { RateLimitHit, RateLimitIdentity } from "./rate-limits.js";

// Scalper defences that apply per root field, wrapped around the root fields of the built schema so that
// no module's resolver has to know about them: API-key scopes, the rate-limit table (rate-limits.ts)
// bot signals for refused requests and watchers of successful ones. Only root fields are wrapped (a TypeGraphQL global middleware
// would wrap every field of every object, turning each scalar of a long list into a promise chain).

const WHO: Record<RateLimitHit["subject"], string> = {
  account: "your account",
  ip: "your network address",
  apiKey: "this API key",
};
// One RATE_LIMITED signal per caller and field per minute is enough to see a pattern.
const SIGNAL_DEDUPE_SECONDS = 60;

function requireScope(ctx: Context, field: string): void {
  if (ctx.apiKey) requireKeyScope(ctx.apiKey, field);
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

/** Counts the call against the field's rate limits; RATE_LIMITED (recorded as a signal) when over. */
async function enforceRateLimit(ctx: Context, field: string, args: Record<string, unknown>): Promise<void> {
  const hit = await ctx.services.rateLimits.consume(field, identityOf(ctx), (budget) => {
    ctx.rateLimit.budget = tighterBudget(ctx.rateLimit.budget, budget);
  });
  if (!hit) return;
  await signalRateLimited(ctx, field, args, hit.subject);
  const fieldName = field.slice(field.indexOf(".") + 1);
  throw new AppError(
    ErrorCode.RATE_LIMITED,
    `Too many ${fieldName} requests from ${WHO[hit.subject]}; try again in ${hit.retryAfterSeconds} s`,
    { retryAfterSeconds: hit.retryAfterSeconds, limitedBy: hit.subject },
  );
}

/** Looks at a call that succeeded for what it says about the caller (recording bot signals). */
type Watcher = (
  ctx: Context,
  args: Record<string, unknown>,
  result: unknown,
  requestedAt: number,
) => Promise<void>;

const noteAdmissionSpeed: Watcher = async (ctx, args, _hold, requestedAt) => {
  const token = args.admissionToken;
  const eventId = eventIdOf(args);
  if (typeof token !== "string" || !ctx.viewer || eventId === null) return;
  await ctx.services.admissionSpeed.noteHold({
    token,
    userId: ctx.viewer.userId,
    eventId,
    ip: ctx.client.ip,
    requestedAt,
  });
};

const WATCHERS: Readonly<Record<string, Watcher>> = {
  "Mutation.signUp": (ctx, _args, user) =>
    ctx.services.botSignals.noteSignUp(ctx.client.ip, (user as { id: string }).id),
  "Mutation.holdSeats": noteAdmissionSpeed,
  "Mutation.holdBestAvailable": noteAdmissionSpeed,
  "Mutation.holdGeneralAdmission": noteAdmissionSpeed,
};

async function guarded(
  ctx: Context,
  field: string,
  args: Record<string, unknown>,
  run: () => unknown,
): Promise<unknown> {
  const requestedAt = Date.now();
  if (ctx.services.rateLimits.ruleFor(field)) await enforceRateLimit(ctx, field, args);
  let result: unknown;
  try {
    result = await run();
  } catch (error) {
    // Limits a resolver enforces itself (AuthService's login limiter) are signals too.
    if (isRateLimited(error)) await signalRateLimited(ctx, field, args, "module");
    throw error;
  }
  await WATCHERS[field]?.(ctx, args, result, requestedAt).catch((error: unknown) => {
    ctx.log.warn({ err: error, field }, "could not look for bot signals in a successful call");
  });
  return result;
}

export function guardRootFields(schema: GraphQLSchema): GraphQLSchema {
  for (const type of [schema.getQueryType(), schema.getMutationType()]) {
    if (!type) continue;
    for (const field of Object.values(type.getFields())) {
      const name = `${type.name}.${field.name}`;
      const resolve = field.resolve ?? defaultFieldResolver;
      // Rate limits and watchers are for mutations; queries (the hot catalog and seat map) stay as they are.
      const needsGuard = type === schema.getMutationType();
      field.resolve = (root, args: Record<string, unknown>, ctx: Context, info) => {
        requireScope(ctx, name);
        const run = () => resolve(root, args, ctx, info);
        return needsGuard ? guarded(ctx, name, args, run) : run();
      };
    }
  }
  return schema;
}
