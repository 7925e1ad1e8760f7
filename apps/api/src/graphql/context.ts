import type { Logger } from "../infra/logger.js";
import { AppError, ErrorCode } from "../kernel/errors.js";
import type { RateLimitBudget } from "../kernel/rate-limit-budget.js";
import type { ApiKeyPrincipal, CostReport, SessionMeta, Viewer } from "../kernel/viewer.js";
import type { Delivery } from "./shared-subscriptions.js";

/**
 * Long-lived services, created once per process and shared by every request. Each module adds what it
 * provides (`declare module "../../graphql/context.js" { interface Services { … } }` in its index.ts),
 * so this layer names no module.
 */
// biome-ignore lint/suspicious/noEmptyInterface: modules add their members by declaration merging.
export interface Services {}

/** The caller's session cookie: read on the way in, set or cleared on the way out. */
export interface SessionHandle {
  token: string | undefined;
  start(token: string, expiresAt: Date): void;
  end(): void;
}

/** What every resolver receives: per-operation state plus the shared services. */
export interface Context {
  requestId: string;
  log: Logger;
  services: Services;
  viewer: Viewer | null;
  session: SessionHandle;
  client: SessionMeta;
  /** The partner API key of an `Authorization: Bearer` request (then `viewer` is the key's owner). */
  apiKey: ApiKeyPrincipal | null;
  /** What this operation cost the API key's budget (set by the limits plugin; sent as extensions.cost). */
  cost: CostReport | null;
  /**
   * The tightest request rate-limit budget this operation counted against (RateLimit-* headers). A box,
   * not a field: Apollo copies the context per operation, and the server reads the one it made.
   */
  readonly rateLimit: { budget: RateLimitBudget | null };
  /** Statuses of each `seatMap` field in this operation, by response key (see SeatFields.status). */
  seatMapStatuses: Map<string, string>;
  /** The subscriber's socket, for a subscription over WebSocket: shared results are written to it. */
  delivery: Delivery | null;
}

/** The signed-in caller, for resolvers behind @Authorized() (which has already refused anonymous ones). */
export function viewerOf(ctx: Context): Viewer {
  if (!ctx.viewer) throw new AppError(ErrorCode.UNAUTHENTICATED, "Sign in to do this");
  return ctx.viewer;
}

export interface ContextInput {
  services: Services;
  log: Logger;
  requestId: string;
  viewer: Viewer | null;
  session: SessionHandle;
  client: SessionMeta;
  apiKey?: ApiKeyPrincipal | null;
  delivery?: Delivery | null;
}

/**
 * The request logger is made on first use: most operations (a hold, a queue join, `{ __typename }`) never
 * log, and a pino child per request is not free. (Batch loaders are made on first use too, by
 * requestScoped in request-scoped.ts.)
 * They are getters of a class, not of the object: Apollo Server copies the context's own properties into
 * a fresh object of the same prototype for each operation, which would call own getters eagerly.
 */
class RequestContext implements Context {
  readonly requestId: string;
  readonly services: Services;
  readonly viewer: Viewer | null;
  readonly session: SessionHandle;
  readonly client: SessionMeta;
  readonly apiKey: ApiKeyPrincipal | null;
  readonly delivery: Delivery | null;
  cost: CostReport | null = null;
  readonly rateLimit: { budget: RateLimitBudget | null } = { budget: null };
  readonly seatMapStatuses = new Map<string, string>();
  private readonly parentLog: Logger;
  private requestLog: Logger | undefined;

  constructor(input: ContextInput) {
    this.requestId = input.requestId;
    this.services = input.services;
    this.viewer = input.viewer;
    this.session = input.session;
    this.client = input.client;
    this.apiKey = input.apiKey ?? null;
    this.delivery = input.delivery ?? null;
    this.parentLog = input.log;
  }

  get log(): Logger {
    this.requestLog ??= this.parentLog.child({ requestId: this.requestId });
    return this.requestLog;
  }
}

export function createContext(input: ContextInput): Context {
  return new RequestContext(input);
}
