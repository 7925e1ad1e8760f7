import type { Logger } from "../infra/logger.js";
import type { Db } from "../infra/prisma.js";
import { type CatalogLoaders, createCatalogLoaders } from "../modules/catalog/catalog.loaders.js";
import type { CatalogService } from "../modules/catalog/catalog.service.js";
import type { SeatingService } from "../modules/seating/seating.service.js";

/** Long-lived services, created once per process and shared by every request. */
export interface Services {
  catalog: CatalogService;
  seating: SeatingService;
}

/** What every resolver receives: per-operation state plus the shared services. */
export interface Context {
  requestId: string;
  log: Logger;
  services: Services;
  loaders: CatalogLoaders;
  /** Statuses of each `seatMap` field in this operation, by response key (see SeatFields.status). */
  seatMapStatuses: Map<string, string>;
}

export function createContext(db: Db, services: Services, log: Logger, requestId: string): Context {
  return { requestId, log, services, loaders: createCatalogLoaders(db), seatMapStatuses: new Map() };
}
