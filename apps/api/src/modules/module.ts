import type { IncomingMessage, ServerResponse } from "node:http";
import type { GraphQLSchema } from "graphql";
import type { Config } from "../config.js";
import type { Services } from "../graphql/context.js";
import type { Jobs } from "../infra/jobs.js";
import type { Logger } from "../infra/logger.js";
import type { Metrics } from "../infra/metrics.js";
import type { Db } from "../infra/prisma.js";
import type { RedisTopicPubSub } from "../infra/pubsub.js";
import type { RedisClient } from "../infra/redis.js";
import type { SqlPool } from "../infra/sql.js";
import type { CheckoutFaults } from "./orders/checkout.service.js";

// What a module contributes (graphql-hive's createModule): its resolvers, the services it provides to
// resolvers and to later modules, its background work, and how it stops. src/modules/index.ts lists
// the modules; adding one is a folder with an index.ts and one line there.
//
// A module names what it provides by augmenting two interfaces, so nothing above it lists every module:
//   declare module "../../graphql/context.js" { interface Services { holds: HoldsService } }
//   declare module "../module.js" { interface BackgroundWork { holdSweeper: HoldSweeper } }

/** Work a module runs beside requests (sweeps, leaders, relays), for the server and tests to reach. */
// biome-ignore lint/suspicious/noEmptyInterface: modules add their members by declaration merging.
export interface BackgroundWork {}

/** The connections every module shares (made by server/infrastructure.ts) and the process's metrics. */
export interface Infrastructure {
  log: Logger;
  db: Db;
  /** The `pg` pool of the hot paths (infra/sql.ts). */
  pool: SqlPool;
  redis: RedisClient;
  pubSub: RedisTopicPubSub;
  /**
   * Durable background jobs (graphile-worker, infra/jobs.ts): modules register their tasks while they
   * are set up; the server starts the workers once every module is.
   */
  jobs: Jobs;
  metrics: Metrics;
}

/** What every module may use while it is set up. */
export interface ModuleDependencies extends Infrastructure {
  config: Config;
  /** What the modules before this one provide (reading one that is not there yet throws). */
  services: Services;
  /** Test hooks. */
  overrides: { checkoutFaults?: CheckoutFaults };
}

/** An HTTP route a module serves beside /graphql (matched on the exact path). */
export type ModuleRoute = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface ModuleParts {
  services?: Partial<Services>;
  /** HTTP routes by path (e.g. the attendee export). */
  routes?: Record<string, ModuleRoute>;
  background?: Partial<BackgroundWork>;
  /**
   * Starts its background work, once the whole instance is built. Building the schema and starting
   * Apollo hold the event loop for a while on a busy machine: work started before them stalls meanwhile,
   * and a queue leader's lease lapsed while its instance booted (found by queue-api.test in CI).
   */
  start?(): void;
  /**
   * Stops its background work and hands on what it still holds. Modules stop in the reverse order of
   * MODULES (a module after every module that uses it); `deadline` ends the shutdown grace period.
   */
  stop?(deadline: number): Promise<void>;
}

// biome-ignore lint/complexity/noBannedTypes: TypeGraphQL takes resolver classes as plain constructors.
type ResolverClass = Function;

export interface FrontrowModule {
  name: string;
  /** TypeGraphQL resolver classes. */
  resolvers: readonly ResolverClass[];
  /** Creates the module's services and its background work (started by `start`). */
  setup(deps: ModuleDependencies): ModuleParts;
  /** Changes the built schema (the defences wrap root fields with their guards). */
  transformSchema?(schema: GraphQLSchema): GraphQLSchema;
}

export const defineModule = (module: FrontrowModule): FrontrowModule => module;
