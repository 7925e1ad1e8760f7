import type { Prisma } from "../../infra/prisma.js";
import type { DbOrTx } from "../../kernel/transactions.js";

// The organizers' audit log (docs/organizers.md): who changed what on a venue or an event, with the
// values before and after. Written in the transaction of the change, so the log and the change commit
// together or not at all.

export interface AuditEntry {
  /** The event changed; at least one of eventId and venueId. */
  eventId?: number;
  venueId?: number;
  /** Who acted (null for the system, e.g. a scheduled sale opening). */
  actorId: string | null;
  /** What was done, as a dotted verb: `event.publish`, `prices.set`, `seats.off_sale`, `order.refund`. */
  action: string;
  before?: Prisma.InputJsonValue;
  after?: Prisma.InputJsonValue;
}

export async function recordAudit(tx: DbOrTx, entry: AuditEntry): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO audit_log (event_id, venue_id, actor_id, action, before, after)
    VALUES (${entry.eventId ?? null}::int, ${entry.venueId ?? null}::int, ${entry.actorId}::uuid, ${entry.action},
            ${entry.before === undefined ? null : JSON.stringify(entry.before)}::jsonb,
            ${entry.after === undefined ? null : JSON.stringify(entry.after)}::jsonb)`;
}
