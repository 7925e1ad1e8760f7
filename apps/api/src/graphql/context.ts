import { AppError, ErrorCode } from "../errors.js";
import type { Logger } from "../infra/logger.js";
import type { Db } from "../infra/prisma.js";
import type { RateLimitBudget, RateLimits } from "../infra/rate-limits.js";
import type { AccountBlockingService } from "../modules/admin/account-blocking.service.js";
import type { AdmissionSpeedWatch } from "../modules/admin/admission-speed.js";
import type { ApiKeyPrincipal, ApiKeysService, CostReport } from "../modules/admin/api-keys.service.js";
import type { BotSignalsService } from "../modules/admin/bot-signals.service.js";
import type { OperationSafelist } from "../modules/admin/operation-safelist.js";
import type { AuthService } from "../modules/auth/auth.service.js";
import type { SessionMeta, Viewer } from "../modules/auth/session-store.js";
import { type CatalogLoaders, createCatalogLoaders } from "../modules/catalog/catalog.loaders.js";
import type { CatalogService } from "../modules/catalog/catalog.service.js";
import type { HoldsService } from "../modules/holds/holds.service.js";
import type { OrdersService } from "../modules/orders/orders.service.js";
import type { ProofOfWorkService } from "../modules/queue/proof-of-work.js";
import type { QueueService } from "../modules/queue/queue.service.js";
import type { SeatingService } from "../modules/seating/seating.service.js";
import type { WebhooksService } from "../modules/webhooks/webhooks.service.js";

/** Long-lived services, created once per process and shared by every request. */
export interface Services {
  auth: AuthService;
  catalog: CatalogService;
  seating: SeatingService;
  holds: HoldsService;
  rateLimits: RateLimits;
  botSignals: BotSignalsService;
  apiKeys: ApiKeysService;
  accounts: AccountBlockingService;
  proofOfWork: ProofOfWorkService;
  admissionSpeed: AdmissionSpeedWatch;
  queue: QueueService;
  orders: OrdersService;
  webhooks: WebhooksService;
  safelist: OperationSafelist;
}

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
  loaders: CatalogLoaders;
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
}

/** The signed-in caller, for resolvers behind @Authorized() (which has already refused anonymous ones). */
export function viewerOf(ctx: Context): Viewer {
  if (!ctx.viewer) throw new AppError(ErrorCode.UNAUTHENTICATED, "Sign in to do this");
  return ctx.viewer;
}

export interface ContextInput {
  db: Db;
  services: Services;
  log: Logger;
  requestId: string;
  viewer: Viewer | null;
  session: SessionHandle;
  client: SessionMeta;
  apiKey?: ApiKeyPrincipal | null;
}

/**
 * The request logger and the batch loaders are made on first use: most operations (a hold, a queue join,
 * `{ __typename }`) never log and never load catalog data, and a pino child per request is not free.
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
  cost: CostReport | null = null;
  readonly rateLimit: { budget: RateLimitBudget | null } = { budget: null };
  readonly seatMapStatuses = new Map<string, string>();
  private readonly db: Db;
  private readonly parentLog: Logger;
  private requestLog: Logger | undefined;
  private catalogLoaders: CatalogLoaders | undefined;

  constructor(input: ContextInput) {
    this.requestId = input.requestId;
    this.services = input.services;
    this.viewer = input.viewer;
    this.session = input.session;
    this.client = input.client;
    this.apiKey = input.apiKey ?? null;
    this.db = input.db;
    this.parentLog = input.log;
  }

  get log(): Logger {
    this.requestLog ??= this.parentLog.child({ requestId: this.requestId });
    return this.requestLog;
  }

  get loaders(): CatalogLoaders {
    this.catalogLoaders ??= createCatalogLoaders(this.db);
    return this.catalogLoaders;
  }
}

export function createContext(input: ContextInput): Context {
  return new RequestContext(input);
}
