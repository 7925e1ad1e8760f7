import type { Logger } from "../infra/logger.js";
import type { Db } from "../infra/prisma.js";
import type { AuthService } from "../modules/auth/auth.service.js";
import type { SessionMeta, Viewer } from "../modules/auth/session-store.js";
import { type CatalogLoaders, createCatalogLoaders } from "../modules/catalog/catalog.loaders.js";
import type { CatalogService } from "../modules/catalog/catalog.service.js";
import type { HoldsService } from "../modules/holds/holds.service.js";
import type { OrdersService } from "../modules/orders/orders.service.js";
import type { SeatingService } from "../modules/seating/seating.service.js";

/** Long-lived services, created once per process and shared by every request. */
export interface Services {
  auth: AuthService;
  catalog: CatalogService;
  seating: SeatingService;
  holds: HoldsService;
  orders: OrdersService;
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
  /** Statuses of each `seatMap` field in this operation, by response key (see SeatFields.status). */
  seatMapStatuses: Map<string, string>;
}

export interface ContextInput {
  db: Db;
  services: Services;
  log: Logger;
  requestId: string;
  viewer: Viewer | null;
  session: SessionHandle;
  client: SessionMeta;
}

export function createContext({ db, ...rest }: ContextInput): Context {
  return {
    ...rest,
    log: rest.log.child({ requestId: rest.requestId }),
    loaders: createCatalogLoaders(db),
    seatMapStatuses: new Map(),
  };
}
