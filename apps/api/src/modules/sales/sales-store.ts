import type pg from "pg";
import { Prisma } from "../../generated/prisma/client.js";
import type { Db } from "../../infra/prisma.js";
import { type PreparedStatement, queryPrepared, type SqlPool } from "../../infra/sql.js";

// The sales module's SQL (docs/sales.md): the running counters the triggers of migration
// 20261207130000_sales_counters keep, the organizer's order list and the attendee export's cursor.

export interface CounterRow {
  metric: string;
  sectionId: number;
  priceTierId: number;
  minute: number;
  value: number;
}

export interface SalesLabels {
  name: string;
  currency: string;
  queueEnabled: boolean;
  /** In map order; `tierId`: a standing area's price tier at this event (null for seated sections). */
  sections: { id: number; name: string; kind: "SEATED" | "STANDING"; tierId: number | null }[];
  tiers: { id: number; name: string; priceMinor: number }[];
}

/** Everything a dashboard read needs, from one statement: who may see it, its labels and its counters. */
export interface SalesSnapshot {
  organizerId: string | null;
  labels: SalesLabels;
  counters: CounterRow[];
}

// One round trip per read (a dashboard reads while the sale loads both cores, where each round trip
// waits its turn twice): the event's organizer (for the permission check), its labels (sections in map
// order, price tiers) and its counters. The counters are the folded rows plus the deltas not folded yet,
// in the same snapshot: right whether or not sales_fold() has run. Per-minute rows only for the last
// `$2` minutes. Each counter is [metric, section, tier, minute, value].
const READ_SNAPSHOT: PreparedStatement = {
  name: "sales.snapshot",
  text: `
    SELECT e.organizer_id AS "organizerId", e.name, e.currency, e.queue_enabled AS "queueEnabled",
           coalesce((SELECT json_agg(json_build_object(
                              'id', s.id, 'name', s.name, 'kind', s.kind,
                              'tierId', CASE WHEN s.kind = 'STANDING' THEN sp.price_tier_id END)
                            ORDER BY s.sort_order)
                     FROM section s
                     LEFT JOIN section_pricing sp ON sp.event_id = e.id AND sp.section_id = s.id
                     WHERE s.chart_id = e.chart_id), '[]') AS sections,
           coalesce((SELECT json_agg(json_build_object('id', t.id, 'name', t.name, 'priceMinor', t.price_minor)
                                     ORDER BY t.sort_order, t.id)
                     FROM price_tier t WHERE t.event_id = e.id), '[]') AS tiers,
           coalesce((SELECT json_agg(json_build_array(c.metric, c.section_id, c.price_tier_id, c.minute, c.value))
                     FROM (SELECT metric, section_id, price_tier_id, minute, sum(value) AS value
                           FROM (SELECT metric, section_id, price_tier_id, minute, value FROM sales_count
                                 WHERE event_id = e.id AND (minute = 0 OR minute >= $2::int)
                                 UNION ALL
                                 SELECT metric, section_id, price_tier_id, minute, value FROM sales_count_delta
                                 WHERE event_id = e.id AND (minute = 0 OR minute >= $2::int)) u
                           GROUP BY 1, 2, 3, 4) c), '[]') AS counters
    FROM event e WHERE e.id = $1::int`,
};

type SnapshotRow = SalesLabels & {
  organizerId: string | null;
  counters: [metric: string, sectionId: number, priceTierId: number, minute: number, value: number][];
};

/** The event's sales snapshot; null when there is no such event. */
export async function readSalesSnapshot(
  pool: SqlPool,
  eventId: number,
  sinceMinute: number,
): Promise<SalesSnapshot | null> {
  const [row] = await queryPrepared<SnapshotRow>(pool, READ_SNAPSHOT, [eventId, sinceMinute]);
  if (!row) return null;
  const { organizerId, counters, ...labels } = row;
  return {
    organizerId,
    labels,
    counters: counters.map(([metric, sectionId, priceTierId, minute, value]) => ({
      metric,
      sectionId,
      priceTierId,
      minute,
      value,
    })),
  };
}

/** Moves up to `limit` deltas into the folded counters; how many it moved (0 when another fold runs). */
export async function foldCounters(pool: SqlPool, limit: number): Promise<number> {
  const [row] = await queryPrepared<{ moved: number }>(
    pool,
    { name: "sales.fold", text: "SELECT sales_fold($1::int) AS moved" },
    [limit],
  );
  return row?.moved ?? 0;
}

/** The truth the counters must equal, recounted from the rows (tests and the bench compare). */
export function recountFromRows(db: Db, eventId: number) {
  return db.$queryRaw<{ metric: string; sectionId: number; priceTierId: number; value: bigint }[]>`
    SELECT metric, section_id AS "sectionId", price_tier_id AS "priceTierId", value
    FROM sales_truth(${eventId}::int)`;
}

// --- The organizer's order list (eventOrders) ---

export interface OrderSearch {
  eventId: number;
  /** Lower-cased text to look for: part of the buyer's e-mail, an order id, or a seat ("A-12", "12"). */
  text: string | null;
  after: { createdAt: Date; id: string } | null;
  limit: number;
}

/** Buyer e-mail (part), order id (whole or its start) or seat (row and number, "B-7" or "B 7"). */
function searchCondition(text: string | null): Prisma.Sql {
  if (!text) return Prisma.empty;
  const seat = /^([a-z0-9]+)[\s-]+(\d+)$/i.exec(text);
  const seatMatch = seat
    ? Prisma.sql`OR EXISTS (SELECT 1 FROM ticket t JOIN seat s ON s.id = t.seat_id
                            WHERE t.order_id = o.id AND lower(s.row_label) = ${seat[1]?.toLowerCase()}
                              AND s.number = ${Number(seat[2])}::int)`
    : Prisma.empty;
  const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return Prisma.sql`AND (u.email LIKE ${like} OR o.id::text LIKE ${`${text.replace(/[\\%_]/g, "")}%`}
                         OR lower(coalesce(u.name, '')) LIKE ${like} ${seatMatch})`;
}

export interface EventOrderRow {
  id: string;
  createdAt: Date;
}

/** One page of an event's orders (failed and pending ones are not shown), newest first, plus one. */
export function eventOrderPage(db: Db, search: OrderSearch): Promise<EventOrderRow[]> {
  const afterCursor = search.after
    ? Prisma.sql`AND (o.created_at, o.id) < (${search.after.createdAt}, ${search.after.id}::uuid)`
    : Prisma.empty;
  return db.$queryRaw<EventOrderRow[]>`
    SELECT o.id, o.created_at AS "createdAt"
    FROM "order" o JOIN user_account u ON u.id = o.user_id
    WHERE o.event_id = ${search.eventId} AND o.status IN ('CONFIRMED', 'CANCELLED')
      ${searchCondition(search.text)} ${afterCursor}
    ORDER BY o.created_at DESC, o.id DESC
    LIMIT ${search.limit}`;
}

/** The buyers of orders, by order id. */
export function orderBuyers(db: Db, orderIds: readonly string[]) {
  return db.$queryRaw<{ orderId: string; email: string; name: string | null }[]>`
    SELECT o.id AS "orderId", u.email, u.name
    FROM "order" o JOIN user_account u ON u.id = o.user_id
    WHERE o.id = ANY(${orderIds}::uuid[])`;
}

// --- The attendee export (attendee-export.ts) ---

export interface AttendeeRow {
  order_id: string;
  order_status: string;
  ordered_at: Date;
  buyer_email: string;
  buyer_name: string | null;
  ticket_id: string;
  ticket_status: string;
  checked_in_at: Date | null;
  section: string;
  row: string;
  seat: number;
  price_minor: number;
  currency: string;
}

const ATTENDEES = `
  SELECT o.id AS order_id, o.status AS order_status, o.created_at AS ordered_at, u.email AS buyer_email,
         u.name AS buyer_name, t.id AS ticket_id, t.status AS ticket_status, t.used_at AS checked_in_at,
         sec.name AS section, coalesce(s.row_label, 'Standing') AS row, s.number AS seat, t.price_minor, o.currency
  FROM ticket t
  JOIN "order" o ON o.id = t.order_id
  JOIN user_account u ON u.id = o.user_id
  -- A standing ticket has no seat: its section is its area (docs/standing.md).
  LEFT JOIN seat s ON s.id = t.seat_id
  JOIN section sec ON sec.id = coalesce(s.section_id, t.area_id)
  WHERE t.event_id = $1::int
  ORDER BY o.created_at, o.id, sec.sort_order, s.row_rank, s.number`;

export interface AttendeeCursorOptions {
  /** Rows per batch. */
  batch: number;
  /**
   * How long the reader may take over one batch. The transaction's idle limit is raised to it: the pool's
   * (DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS, 3 s) would end the export of a slow download half-way.
   */
  maxReaderMs: number;
}

/**
 * Every ticket of the event with its order, seat and buyer, `batch` rows at a time through a server-side
 * cursor (memory stays flat however many tickets there are). `each` is awaited per batch, so a slow
 * reader holds the cursor back (backpressure). Runs in a read-only transaction: one snapshot.
 */
export async function forEachAttendeeBatch(
  pool: SqlPool,
  eventId: number,
  { batch, maxReaderMs }: AttendeeCursorOptions,
  each: (rows: AttendeeRow[]) => Promise<void>,
): Promise<number> {
  const client: pg.PoolClient = await pool.connect();
  // The connection may drop while `each` runs, when no query is waiting to be told: node-postgres then
  // emits 'error' on the client, which crashes the process without a listener. The next query fails.
  let lost: Error | undefined;
  const onLost = (error: Error) => {
    lost = error;
  };
  client.on("error", onLost);
  let total = 0;
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    await client.query(`SET LOCAL idle_in_transaction_session_timeout = ${Math.ceil(maxReaderMs)}`);
    await client.query(`DECLARE attendees NO SCROLL CURSOR FOR ${ATTENDEES}`, [eventId]);
    for (;;) {
      const { rows } = await client.query<AttendeeRow>(`FETCH ${batch} FROM attendees`);
      if (rows.length === 0) break;
      total += rows.length;
      await each(rows);
      if (rows.length < batch) break;
    }
    await client.query("COMMIT");
    return total;
  } catch (error) {
    await client.query("ROLLBACK").catch((rollbackFailed: Error) => {
      lost ??= rollbackFailed;
    });
    throw error;
  } finally {
    client.off("error", onLost);
    // A connection that failed is closed rather than handed to the next request.
    client.release(lost);
  }
}
