import type { Role } from "../generated/prisma/enums.js";

// Who is calling: every module and the GraphQL layer speak of callers in these words.

/** A signed-in caller (a session, or an API key acting as its owner). */
export interface Viewer {
  userId: string;
  role: Role;
}

/** Where a request comes from, as far as the network tells. */
export interface SessionMeta {
  ip?: string;
  userAgent?: string;
}

/** The partner API key a request authenticated with. */
export interface ApiKeyPrincipal {
  id: string;
  prefix: string;
  ownerId: string;
  scopes: string[];
  costPerMinute: number;
}

/** What `extensions.cost` reports to a key's caller. */
export interface CostReport {
  requested: number;
  remaining: number;
  budget: number;
  /** Seconds until the budget's minute starts again (when known). */
  resetSeconds?: number;
}
