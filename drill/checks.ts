// The invariants, checked after the drills against Postgres and the history. Each counts violations:
// 0 is right.
import { holdInvariants, saleInvariants, type Violations } from "../bench/lib/invariants.js";
import { count, type PgClient } from "../bench/lib/pg.js";
import type { History } from "./history.js";
import type { JoinRecord, Watcher } from "./workload.js";

/** No seat in two live holds or two valid tickets; holds have all their seats or none. */
export async function seatInvariants(db: PgClient, eventId: number): Promise<Violations> {
  return { ...(await holdInvariants(db, eventId)), ...(await saleInvariants(db, eventId)) };
}

/** Orders whose payment still has a step to take (what payment recovery finishes). */
export const UNSETTLED_ORDERS = `SELECT id FROM "order" WHERE event_id = $1 AND (status = 'PENDING'
  OR (status = 'CONFIRMED' AND payment_state <> 'CAPTURED')
  OR (status = 'CANCELLED' AND payment_state IN ('AUTHORIZED', 'CAPTURED'))
  OR (status = 'FAILED' AND payment_state IN ('AUTHORIZING', 'AUTHORIZED')))`;

/**
 * Every order a client was told about exists and is CONFIRMED and captured, or CANCELLED and its money
 * back (refunded, or voided when it was cancelled before the capture); the fake gateway's ledger agrees,
 * one capture per order; no order of the event is left half-way.
 */
export async function orderInvariants(
  db: PgClient,
  eventId: number,
  acknowledged: readonly string[],
): Promise<Violations> {
  return {
    acknowledgedOrdersNotSettled: await count(
      db,
      `SELECT count(*)::int AS n FROM unnest($1::uuid[]) AS a(id)
       LEFT JOIN "order" o ON o.id = a.id LEFT JOIN fake_gateway_charge g ON g.reference = a.id::text
       WHERE o.id IS NULL OR g.reference IS NULL
          OR NOT ((o.status = 'CONFIRMED' AND o.payment_state = 'CAPTURED' AND g.state = 'CAPTURED')
               OR (o.status = 'CANCELLED' AND o.payment_state = 'REFUNDED' AND g.state = 'REFUNDED')
               OR (o.status = 'CANCELLED' AND o.payment_state = 'VOIDED' AND g.state = 'VOIDED'))`,
      [acknowledged],
    ),
    ordersLeftUnsettled: await count(db, `SELECT count(*)::int AS n FROM (${UNSETTLED_ORDERS}) o`, [eventId]),
    ordersCapturedTwice: await count(
      db,
      `SELECT count(*)::int AS n FROM (SELECT p.order_id FROM payment p JOIN "order" o ON o.id = p.order_id
       WHERE o.event_id = $1 AND p.operation = 'capture' AND p.state = 'CAPTURED'
       GROUP BY p.order_id HAVING count(*) > 1) twice`,
      [eventId],
    ),
    ledgerDisagrees: await count(
      db,
      `SELECT count(*)::int AS n FROM "order" o LEFT JOIN fake_gateway_charge g ON g.reference = o.id::text
       WHERE o.event_id = $1 AND (
         (o.status = 'CONFIRMED' AND g.state IS DISTINCT FROM 'CAPTURED')
         OR (o.status <> 'CONFIRMED' AND g.state IN ('AUTHORIZED', 'CAPTURED')))`,
      [eventId],
    ),
  };
}

/** A span (wall-clock ms) in which holds that expire get `extraMs` more (Infinity: not counted). */
export interface SweepAllowance {
  start: number;
  end: number;
  extraMs: number;
}

/**
 * Holds that outlived their expiry by more than `graceMs` (the sweeper's interval plus scheduling slack):
 * still ACTIVE now, or EXPIRED by the sweeper later than that; an expiry in an `allowances` span gets its
 * extra time (nothing can sweep while Postgres is down; locks of a frozen instance last until Postgres
 * ends its transaction). Also gives the worst lateness of the counted holds, in milliseconds.
 */
export async function lateHolds(
  db: PgClient,
  eventId: number,
  graceMs: number,
  allowances: readonly SweepAllowance[],
): Promise<{ late: number; worstMs: number }> {
  const { rows } = await db.query<{ expiresAt: Date; lateMs: number }>(
    `SELECT expires_at AS "expiresAt",
            (extract(epoch FROM coalesce(ended_at, now()) - expires_at) * 1000)::float8 AS "lateMs"
     FROM hold WHERE event_id = $1 AND expires_at < now()
       AND (state = 'ACTIVE' OR (state = 'EXPIRED' AND ended_at > expires_at))`,
    [eventId],
  );
  const allowed = (expiresAt: Date) =>
    graceMs +
    allowances
      .filter((a) => expiresAt.getTime() >= a.start - graceMs && expiresAt.getTime() <= a.end)
      .reduce((extra, a) => Math.max(extra, a.extraMs), 0);
  const counted = rows.filter((row) => Number.isFinite(allowed(row.expiresAt)));
  return {
    late: counted.filter((row) => row.lateMs > allowed(row.expiresAt)).length,
    worstMs: Math.max(0, ...counted.map((row) => row.lateMs)),
  };
}

/** Watchers whose seat map differs from the database (any seat), and how many seats differ in all. */
export async function watcherInvariants(
  db: PgClient,
  eventId: number,
  watchers: readonly Watcher[],
): Promise<{ violations: Violations; details: string[] }> {
  const { rows } = await db.query<{ seatId: string; status: string }>(
    `SELECT seat_id::text AS "seatId", CASE WHEN status = 'SOLD' THEN 'S'
       WHEN status = 'HELD' AND held_until > now() THEN 'H' ELSE 'A' END AS status
     FROM event_seat WHERE event_id = $1`,
    [eventId],
  );
  const { rows: versions } = await db.query<{ version: string }>(
    "SELECT seat_map_version::text AS version FROM event WHERE id = $1",
    [eventId],
  );
  let stale = 0;
  let seats = 0;
  const details: string[] = [];
  for (const watcher of watchers) {
    // Seats not for sale ("X") are not in event_seat's statuses.
    const wrong = rows.filter((row) => {
      const shown = watcher.seats.get(row.seatId);
      return shown !== "X" && shown !== row.status;
    });
    if (wrong.length) stale++;
    seats += wrong.length;
    if (wrong.length && details.length < 8) {
      const sample = wrong
        .slice(0, 3)
        .map((row) => `seat ${row.seatId} shown ${watcher.seats.get(row.seatId)} is ${row.status}`);
      details.push(
        `watcher of ${watcher.describe()} at version ${watcher.version} (database ${versions[0]?.version}): ${sample.join(", ")}`,
      );
    }
  }
  return {
    violations: {
      watchersNotEqualToDatabase: stale,
      seatsShownWrong: seats,
      watchersNeverLive: watchers.filter((w) => !w.live).length,
    },
    details,
  };
}

/**
 * The waiting room admitted in its published order (first come, first served after the sale start):
 * for two joins A and B where A's answer came before B was sent, A's admission is not in a later leader
 * tick than B's. Pairs whose span touches a fault window are left out (a Redis loss re-orders the line
 * by design: everyone rejoins, docs/queue.md). `joins` are wall-clock times; `faults` too.
 */
export async function queueOrder(
  db: PgClient,
  eventId: number,
  joins: readonly JoinRecord[],
  faults: readonly { start: number; end: number }[],
  tickMs: number,
): Promise<Violations & { pairsChecked: number }> {
  const { rows } = await db.query<{ userId: string; at: Date }>(
    `SELECT user_id AS "userId", admitted_at AS at FROM queue_admission WHERE event_id = $1 ORDER BY admitted_at`,
    [eventId],
  );
  // Each join's admission: the first one of that account after it was sent, before the account's next join.
  const admitted = joins.flatMap((join) => {
    const rejoin = joins.find((j) => j.userId === join.userId && j.sentAt > join.sentAt)?.sentAt ?? Infinity;
    const next = rows.find(
      (row) => row.userId === join.userId && row.at.getTime() >= join.sentAt && row.at.getTime() < rejoin,
    );
    return next ? [{ ...join, at: next.at.getTime() }] : [];
  });
  const touchesFault = (from: number, to: number) => faults.some((f) => to >= f.start && from <= f.end);
  let outOfOrder = 0;
  let pairs = 0;
  for (const a of admitted) {
    for (const b of admitted) {
      if (a === b || a.answeredAt >= b.sentAt || a.userId === b.userId) continue;
      if (touchesFault(a.sentAt, Math.max(a.at, b.at))) continue;
      pairs++;
      if (a.at > b.at + tickMs / 2) outOfOrder++;
    }
  }
  return { admittedOutOfOrder: outOfOrder, pairsChecked: pairs };
}

/**
 * INTERNAL_SERVER_ERROR answers, faults or not: a fault is an outage, which the API answers with
 * SERVICE_UNAVAILABLE (retry), never with an error it could not classify.
 */
export function internalErrors(history: History): Violations {
  return {
    internalErrors: history.operations.filter((o) => o.code === "INTERNAL_SERVER_ERROR").length,
  };
}
