import { Prisma } from "../../generated/prisma/client.js";
import type { EventStatus } from "../../generated/prisma/enums.js";
import type { DbOrTx, Tx } from "../../kernel/transactions.js";
import { ORGANIZER_HOLD_UNTIL } from "../seating/seat-changes.js";

// The events module's SQL (docs/organizers.md): who organizes an event or a venue, the life cycle,
// prices, the organizer's holds (house seats and kills), cancellations and the audit log.

/** The event's organizer (null when it has none); undefined when there is no such event. */
export async function eventOrganizerId(db: DbOrTx, eventId: number): Promise<string | null | undefined> {
  const [row] = await db.$queryRaw<{ organizerId: string | null }[]>`
    SELECT organizer_id AS "organizerId" FROM event WHERE id = ${eventId}`;
  return row?.organizerId;
}

/** The venue's organizer (null when it has none); undefined when there is no such venue. */
export async function venueOrganizerId(db: DbOrTx, venueId: number): Promise<string | null | undefined> {
  const [row] = await db.$queryRaw<{ organizerId: string | null }[]>`
    SELECT organizer_id AS "organizerId" FROM venue WHERE id = ${venueId}`;
  return row?.organizerId;
}

// --- Events ---

export type EventRow = Prisma.EventGetPayload<object>;

export interface VenueForEvent {
  id: number;
  timezone: string;
  organizerId: string | null;
}

export async function venueForEvent(db: DbOrTx, venueId: number): Promise<VenueForEvent | null> {
  const [row] = await db.$queryRaw<VenueForEvent[]>`
    SELECT id, timezone, organizer_id AS "organizerId" FROM venue WHERE id = ${venueId}`;
  return row ?? null;
}

/** The venue's newest chart version (the default chart of a new event); null when it has none. */
export async function newestChartId(db: DbOrTx, venueId: number): Promise<number | null> {
  const [row] = await db.$queryRaw<{ id: number }[]>`
    SELECT id FROM seating_chart WHERE venue_id = ${venueId}
    ORDER BY created_at DESC, version DESC, id DESC LIMIT 1`;
  return row?.id ?? null;
}

export async function chartBelongsToVenue(db: DbOrTx, chartId: number, venueId: number): Promise<boolean> {
  const [row] = await db.$queryRaw<{ id: number }[]>`
    SELECT id FROM seating_chart WHERE id = ${chartId} AND venue_id = ${venueId}`;
  return row !== undefined;
}

/** The performer with this name (made when new). */
export async function performerIdByName(tx: Tx, name: string, slug: string): Promise<number> {
  const [row] = await tx.$queryRaw<{ id: number }[]>`
    WITH found AS (SELECT id FROM performer WHERE lower(name) = lower(${name}) ORDER BY id LIMIT 1),
    made AS (
      INSERT INTO performer (slug, name) SELECT ${slug}, ${name} WHERE NOT EXISTS (SELECT FROM found)
      ON CONFLICT (slug) DO UPDATE SET name = performer.name
      RETURNING id
    )
    SELECT id FROM found UNION ALL SELECT id FROM made`;
  if (!row) throw new Error(`performer ${name} could not be recorded`);
  return row.id;
}

export async function performerName(db: DbOrTx, performerId: number): Promise<string> {
  const [row] = await db.$queryRaw<{ name: string }[]>`SELECT name FROM performer WHERE id = ${performerId}`;
  return row?.name ?? "";
}

export function insertEvent(tx: Tx, data: Prisma.EventUncheckedCreateInput): Promise<EventRow> {
  return tx.event.create({ data });
}

export function eventRow(db: DbOrTx, eventId: number): Promise<EventRow | null> {
  return db.event.findUnique({ where: { id: eventId } });
}

/** The event row, locked for the rest of the transaction (every organizer change takes it first). */
export async function lockEvent(tx: Tx, eventId: number): Promise<EventRow | null> {
  await tx.$executeRaw`SELECT id FROM event WHERE id = ${eventId} FOR UPDATE`;
  return tx.event.findUnique({ where: { id: eventId } });
}

export function updateEventRow(
  tx: Tx,
  eventId: number,
  data: Prisma.EventUncheckedUpdateInput,
): Promise<EventRow> {
  return tx.event.update({ where: { id: eventId }, data });
}

export async function setEventStatus(tx: Tx, eventId: number, status: EventStatus): Promise<void> {
  await tx.$executeRaw`UPDATE event SET status = ${status}::"EventStatus" WHERE id = ${eventId}`;
}

/** Writes an outbox event (docs/partners.md) in the transaction of the change it announces. */
export async function announce(tx: Tx, topic: string, payload: Prisma.InputJsonValue): Promise<void> {
  await tx.$executeRaw`INSERT INTO outbox_event (topic, payload) VALUES (${topic}, ${JSON.stringify(payload)}::jsonb)`;
}

/** One page of the events an organizer owns (every event for null), any state, by (startsAt, id). */
export function ownedEventsPage(
  db: DbOrTx,
  filter: { organizerId: string | null; status: EventStatus | null },
  limit: number,
  after: { startsAt: Date; id: number } | null,
): Promise<EventRow[]> {
  return db.event.findMany({
    where: {
      ...ownedWhere(filter),
      ...(after
        ? { OR: [{ startsAt: { gt: after.startsAt } }, { startsAt: after.startsAt, id: { gt: after.id } }] }
        : {}),
    },
    orderBy: [{ startsAt: "asc" }, { id: "asc" }],
    take: limit,
  });
}

export function countOwnedEvents(
  db: DbOrTx,
  filter: { organizerId: string | null; status: EventStatus | null },
): Promise<number> {
  return db.event.count({ where: ownedWhere(filter) });
}

function ownedWhere(filter: {
  organizerId: string | null;
  status: EventStatus | null;
}): Prisma.EventWhereInput {
  return {
    ...(filter.organizerId ? { organizerId: filter.organizerId } : {}),
    ...(filter.status ? { status: filter.status } : {}),
  };
}

// --- Prices ---

export interface TierRow {
  id: number;
  name: string;
  priceMinor: number;
  currency: string;
  sortOrder: number;
}

export function eventTiers(db: DbOrTx, eventId: number): Promise<TierRow[]> {
  return db.priceTier.findMany({
    where: { eventId },
    orderBy: [{ sortOrder: "asc" }, { id: "asc" }],
    select: { id: true, name: true, priceMinor: true, currency: true, sortOrder: true },
  });
}

export async function copyTiers(tx: Tx, fromEventId: number, toEventId: number): Promise<void> {
  await tx.$executeRaw`
    WITH tiers AS (
      INSERT INTO price_tier (event_id, name, price_minor, currency, sort_order)
      SELECT ${toEventId}, name, price_minor, currency, sort_order FROM price_tier WHERE event_id = ${fromEventId}
      RETURNING id, name
    ), sections AS (
      INSERT INTO section_pricing (event_id, section_id, price_tier_id)
      SELECT ${toEventId}, sp.section_id, t.id
      FROM section_pricing sp JOIN price_tier old ON old.id = sp.price_tier_id JOIN tiers t ON t.name = old.name
      WHERE sp.event_id = ${fromEventId}
    )
    INSERT INTO seat_pricing (event_id, seat_id, price_tier_id)
    SELECT ${toEventId}, sp.seat_id, t.id
    FROM seat_pricing sp JOIN price_tier old ON old.id = sp.price_tier_id JOIN tiers t ON t.name = old.name
    WHERE sp.event_id = ${fromEventId}`;
}

export async function insertTier(
  tx: Tx,
  tier: { eventId: number; name: string; priceMinor: number; currency: string; sortOrder: number },
): Promise<number> {
  const row = await tx.priceTier.create({ data: tier, select: { id: true } });
  return row.id;
}

export async function updateTier(
  tx: Tx,
  tierId: number,
  tier: { name: string; priceMinor: number; sortOrder: number },
): Promise<void> {
  await tx.priceTier.update({ where: { id: tierId }, data: tier });
}

/** The event's chart: sections with their kind, and every seat's section and row (for validation). */
export interface ChartSeat {
  id: number;
  sectionId: number;
  row: string;
}

export interface ChartSectionRow {
  id: number;
  name: string;
  kind: string;
}

export async function chartSections(db: DbOrTx, chartId: number): Promise<ChartSectionRow[]> {
  return db.$queryRaw`SELECT id, name, kind::text AS kind FROM section WHERE chart_id = ${chartId} ORDER BY sort_order`;
}

export function seatsOf(db: DbOrTx, chartId: number, seatIds: number[]): Promise<ChartSeat[]> {
  return db.$queryRaw<ChartSeat[]>`
    SELECT s.id, s.section_id AS "sectionId", s.row_label AS row
    FROM seat s JOIN section sec ON sec.id = s.section_id
    WHERE sec.chart_id = ${chartId} AND s.id = ANY(${seatIds}::int[])`;
}

export async function rowExists(db: DbOrTx, sectionId: number, row: string): Promise<boolean> {
  const [found] = await db.$queryRaw<{ id: number }[]>`
    SELECT id FROM seat WHERE section_id = ${sectionId} AND row_label = ${row} LIMIT 1`;
  return found !== undefined;
}

/** A whole section at a tier: the tier of its rows and seats set before is replaced. */
export async function priceSection(
  tx: Tx,
  eventId: number,
  sectionId: number,
  tierId: number,
): Promise<void> {
  await tx.$executeRaw`
    DELETE FROM seat_pricing sp USING seat s
    WHERE sp.event_id = ${eventId} AND sp.seat_id = s.id AND s.section_id = ${sectionId}`;
  await tx.$executeRaw`
    INSERT INTO section_pricing (event_id, section_id, price_tier_id) VALUES (${eventId}, ${sectionId}, ${tierId})
    ON CONFLICT (event_id, section_id) DO UPDATE SET price_tier_id = EXCLUDED.price_tier_id`;
}

/** Seats (a row's, or single ones) at a tier, over their section's. */
export async function priceSeats(
  tx: Tx,
  eventId: number,
  tierId: number,
  where: { sectionId: number; row: string } | { seatIds: number[] },
): Promise<void> {
  const seats =
    "row" in where
      ? Prisma.sql`SELECT id FROM seat WHERE section_id = ${where.sectionId} AND row_label = ${where.row}`
      : Prisma.sql`SELECT unnest(${where.seatIds}::int[])`;
  await tx.$executeRaw`
    INSERT INTO seat_pricing (event_id, seat_id, price_tier_id)
    SELECT ${eventId}, seats.id, ${tierId} FROM (${seats}) AS seats(id)
    ON CONFLICT (event_id, seat_id) DO UPDATE SET price_tier_id = EXCLUDED.price_tier_id`;
}

/** Every seat of the event's seated sections with the tier it sells at (null: unpriced). */
const EFFECTIVE_TIERS = (eventId: number) => Prisma.sql`
  SELECT s.id AS seat_id, sec.id AS section_id, sec.name AS section, s.row_label AS row,
         coalesce(sp.price_tier_id, secp.price_tier_id) AS tier_id
  FROM event e
  JOIN section sec ON sec.chart_id = e.chart_id AND sec.kind = 'SEATED'
  JOIN seat s ON s.section_id = sec.id
  LEFT JOIN seat_pricing sp ON sp.event_id = e.id AND sp.seat_id = s.id
  LEFT JOIN section_pricing secp ON secp.event_id = e.id AND secp.section_id = sec.id
  WHERE e.id = ${eventId}`;

/**
 * Sections on sale (some seat priced) that still have unpriced seats, with those seats' rows; and
 * whether any seat is priced at all. A section with no price at all is simply not on sale.
 */
export async function pricingGaps(
  db: DbOrTx,
  eventId: number,
): Promise<{ gaps: { section: string; rows: string[]; seats: number }[]; priced: number }> {
  const [gaps, [count]] = await Promise.all([
    db.$queryRaw<{ section: string; rows: string[]; seats: number }[]>`
      SELECT section, array_agg(DISTINCT row ORDER BY row) FILTER (WHERE tier_id IS NULL) AS rows,
             count(*) FILTER (WHERE tier_id IS NULL)::int AS seats
      FROM (${EFFECTIVE_TIERS(eventId)}) t
      GROUP BY section_id, section
      HAVING count(tier_id) > 0 AND count(*) FILTER (WHERE tier_id IS NULL) > 0
      ORDER BY section`,
    // Standing areas are priced per section (their places are their own inventory).
    db.$queryRaw<{ priced: number }[]>`
      SELECT ((SELECT count(tier_id) FROM (${EFFECTIVE_TIERS(eventId)}) t)
              + (SELECT count(*) FROM section_pricing sp JOIN section sec ON sec.id = sp.section_id
                 WHERE sp.event_id = ${eventId} AND sec.kind = 'STANDING'))::int AS priced`,
  ]);
  return { gaps, priced: count?.priced ?? 0 };
}

/**
 * The event's inventory: one AVAILABLE event_seat per priced seat that has none yet, at its tier, built
 * inside Postgres (a stadium's 50,000 rows never travel through Node). The seed uses it too.
 */
export function createInventory(db: DbOrTx, eventId: number): Promise<number> {
  return db.$executeRaw`${INSERT_INVENTORY(eventId)}`;
}

/** createInventory, answering the seats it put on sale (a live event's delta needs them). */
export async function createInventoryReturningSeats(db: DbOrTx, eventId: number): Promise<number[]> {
  const rows = await db.$queryRaw<
    { seatId: number }[]
  >`${INSERT_INVENTORY(eventId)} RETURNING seat_id AS "seatId"`;
  return rows.map((row) => row.seatId);
}

const INSERT_INVENTORY = (eventId: number) => Prisma.sql`
  INSERT INTO event_seat (event_id, seat_id, price_tier_id)
  SELECT ${eventId}, seat_id, tier_id FROM (${EFFECTIVE_TIERS(eventId)}) t
  WHERE tier_id IS NOT NULL
  ORDER BY seat_id
  ON CONFLICT (event_id, seat_id) DO NOTHING`;

/**
 * Moves unsold, unheld seats to the tier they are priced at now; seats held (live) or sold keep theirs,
 * and their holds and tickets keep the price they recorded. The changed seats' ids.
 */
export async function repriceFreeSeats(tx: Tx, eventId: number): Promise<number[]> {
  const rows = await tx.$queryRaw<{ seatId: number }[]>`
    WITH target AS (${EFFECTIVE_TIERS(eventId)}),
    free AS (
      SELECT es.event_id, es.seat_id, t.tier_id FROM event_seat es JOIN target t ON t.seat_id = es.seat_id
      WHERE es.event_id = ${eventId} AND t.tier_id IS NOT NULL AND es.price_tier_id <> t.tier_id
        AND (es.status = 'AVAILABLE' OR (es.status = 'HELD' AND es.held_until < now()))
      ORDER BY es.seat_id
      FOR UPDATE OF es SKIP LOCKED
    )
    UPDATE event_seat es SET price_tier_id = free.tier_id
    FROM free WHERE es.event_id = free.event_id AND es.seat_id = free.seat_id
    RETURNING es.seat_id AS "seatId"`;
  return rows.map((row) => row.seatId);
}

/** The pricing as the audit log records it: tiers, section tiers and seat tiers. */
export async function pricingSnapshot(db: DbOrTx, eventId: number): Promise<Prisma.InputJsonValue> {
  const [tiers, sections, seats] = await Promise.all([
    eventTiers(db, eventId),
    db.$queryRaw<{ sectionId: number; tierId: number }[]>`
      SELECT section_id AS "sectionId", price_tier_id AS "tierId" FROM section_pricing
      WHERE event_id = ${eventId} ORDER BY section_id`,
    db.$queryRaw<{ tierId: number; seats: number }[]>`
      SELECT price_tier_id AS "tierId", count(*)::int AS seats FROM seat_pricing
      WHERE event_id = ${eventId} GROUP BY price_tier_id ORDER BY price_tier_id`,
  ]);
  return {
    tiers: tiers.map((tier) => ({ id: tier.id, name: tier.name, priceMinor: tier.priceMinor })),
    sections,
    seatTiers: seats,
  };
}

// --- The organizer's holds: house seats and kills (inventory.service.ts) ---

export type OrganizerHoldKind = "HOUSE" | "KILL";

/** Far enough ahead to never expire, near enough for every date type on the way (fans see not for sale). */
export const NEVER = ORGANIZER_HOLD_UNTIL;

export interface SeatState {
  seatId: number;
  /** FREE (available or held by an expired hold), HELD (a live fan hold), SOLD, HOUSE or KILL. */
  state: "FREE" | "HELD" | "SOLD" | "HOUSE" | "KILL";
  holdId: string | null;
  priceMinor: number;
}

/** The seats' states, locking their rows in seat order (like every statement that waits for them). */
export function lockSeatStates(tx: Tx, eventId: number, seatIds: number[]): Promise<SeatState[]> {
  return tx.$queryRaw<SeatState[]>`
    WITH locked AS (
      SELECT es.seat_id, es.status, es.held_until, es.hold_id, es.price_tier_id FROM event_seat es
      WHERE es.event_id = ${eventId} AND es.seat_id = ANY(${seatIds}::int[])
      ORDER BY es.seat_id
      FOR UPDATE
    )
    SELECT l.seat_id AS "seatId", l.hold_id AS "holdId", pt.price_minor AS "priceMinor",
           CASE
             WHEN l.status = 'SOLD' THEN 'SOLD'
             WHEN l.status = 'AVAILABLE' OR l.held_until < now() THEN 'FREE'
             WHEN h.kind = 'FAN' THEN 'HELD'
             ELSE h.kind
           END AS state
    FROM locked l
    JOIN price_tier pt ON pt.id = l.price_tier_id
    LEFT JOIN hold h ON h.id = l.hold_id
    ORDER BY l.seat_id`;
}

/** Takes free seats (locked by lockSeatStates) into a new organizer hold that never expires. */
export async function placeOrganizerHold(
  tx: Tx,
  hold: {
    id: string;
    userId: string;
    eventId: number;
    kind: OrganizerHoldKind;
    label: string | null;
    seats: SeatState[];
    currency: string;
  },
): Promise<void> {
  const seatIds = hold.seats.map((seat) => seat.seatId);
  const prices = hold.seats.map((seat) => seat.priceMinor);
  await tx.$executeRaw`
    INSERT INTO hold (id, user_id, event_id, kind, label, seat_ids, seat_prices, total_minor, currency, expires_at)
    VALUES (${hold.id}::uuid, ${hold.userId}::uuid, ${hold.eventId}, ${hold.kind}, ${hold.label},
            ${seatIds}::int[], ${prices}::int[], ${prices.reduce((a, b) => a + b, 0)}, ${hold.currency}, ${NEVER})`;
  await tx.$executeRaw`
    UPDATE event_seat SET status = 'HELD', hold_id = ${hold.id}::uuid, held_until = ${NEVER}, order_id = NULL,
                          version = version + 1
    WHERE event_id = ${hold.eventId} AND seat_id = ANY(${seatIds}::int[])`;
}

/** Puts seats of organizer holds back on sale, then ends the organizer holds left without seats. */
export async function freeOrganizerSeats(tx: Tx, eventId: number, seatIds: number[]): Promise<void> {
  await tx.$executeRaw`
    UPDATE event_seat SET status = 'AVAILABLE', hold_id = NULL, held_until = NULL, version = version + 1
    WHERE event_id = ${eventId} AND seat_id = ANY(${seatIds}::int[]) AND status = 'HELD'`;
  await endEmptyOrganizerHolds(tx, eventId);
}

export async function endEmptyOrganizerHolds(tx: Tx, eventId: number): Promise<void> {
  await tx.$executeRaw`
    UPDATE hold h SET state = 'RELEASED', ended_at = now()
    WHERE h.event_id = ${eventId} AND h.kind <> 'FAN' AND h.state = 'ACTIVE'
      AND NOT EXISTS (SELECT FROM event_seat es WHERE es.hold_id = h.id AND es.status = 'HELD')`;
}

export interface OrganizerHoldRow {
  id: string;
  eventId: number;
  kind: OrganizerHoldKind;
  label: string | null;
  state: string;
  createdAt: Date;
  seatIds: number[];
}

/** The event's live house holds (or one) with the seats they still hold. */
export function houseHolds(
  db: DbOrTx,
  eventId: number,
  holdId: string | null = null,
): Promise<OrganizerHoldRow[]> {
  return db.$queryRaw<OrganizerHoldRow[]>`
    SELECT h.id, h.event_id AS "eventId", h.kind, h.label, h.state::text AS state, h.created_at AS "createdAt",
           coalesce(array_agg(es.seat_id ORDER BY es.seat_id) FILTER (WHERE es.seat_id IS NOT NULL), '{}')
             AS "seatIds"
    FROM hold h LEFT JOIN event_seat es ON es.hold_id = h.id AND es.status = 'HELD'
    WHERE h.event_id = ${eventId} AND h.kind = 'HOUSE' AND h.state = 'ACTIVE'
      AND (${holdId}::uuid IS NULL OR h.id = ${holdId}::uuid)
    GROUP BY h.id
    ORDER BY h.created_at`;
}

/** The event's seats off sale. */
export async function killedSeatIds(db: DbOrTx, eventId: number): Promise<number[]> {
  const rows = await db.$queryRaw<{ seatId: number }[]>`
    SELECT es.seat_id AS "seatId" FROM event_seat es JOIN hold h ON h.id = es.hold_id
    WHERE es.event_id = ${eventId} AND es.status = 'HELD' AND h.kind = 'KILL'
    ORDER BY es.seat_id`;
  return rows.map((row) => row.seatId);
}

export async function holdEvent(
  db: DbOrTx,
  holdId: string,
): Promise<{ eventId: number; kind: string } | null> {
  const [row] = await db.$queryRaw<{ eventId: number; kind: string }[]>`
    SELECT event_id AS "eventId", kind FROM hold WHERE id = ${holdId}::uuid`;
  return row ?? null;
}

export async function userIdByEmail(db: DbOrTx, email: string): Promise<string | null> {
  const [row] = await db.$queryRaw<{ id: string }[]>`
    SELECT id FROM user_account WHERE email = ${email.trim().toLowerCase()}`;
  return row?.id ?? null;
}

// --- Cancellation (cancellation.service.ts) ---

/** Ends every live hold of the event (fans' and the organizer's) and frees their seats. */
export async function endAllHolds(
  tx: Tx,
  eventId: number,
): Promise<{ holds: { id: string; seatIds: number[] }[]; seatIds: number[] }> {
  const seats = await tx.$queryRaw<{ seatId: number }[]>`
    WITH freed AS (
      SELECT event_id, seat_id FROM event_seat
      WHERE event_id = ${eventId} AND status = 'HELD'
      ORDER BY seat_id
      FOR UPDATE
    )
    UPDATE event_seat es SET status = 'AVAILABLE', hold_id = NULL, held_until = NULL, version = es.version + 1
    FROM freed f WHERE es.event_id = f.event_id AND es.seat_id = f.seat_id
    RETURNING es.seat_id AS "seatId"`;
  const holds = await tx.$queryRaw<{ id: string; seatIds: number[] }[]>`
    UPDATE hold SET state = 'RELEASED', ended_at = now()
    WHERE event_id = ${eventId} AND state = 'ACTIVE'
    RETURNING id, seat_ids AS "seatIds"`;
  return { holds, seatIds: seats.map((seat) => seat.seatId) };
}

export async function insertCancellation(
  tx: Tx,
  cancellation: { eventId: number; reason: string; actorId: string | null; totalOrders: number },
): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO event_cancellation (event_id, reason, actor_id, total_orders)
    VALUES (${cancellation.eventId}, ${cancellation.reason}, ${cancellation.actorId}::uuid, ${cancellation.totalOrders})`;
}

export interface CancellationRow {
  eventId: number;
  reason: string;
  totalOrders: number;
  createdAt: Date;
  finishedAt: Date | null;
}

export async function cancellationOf(db: DbOrTx, eventId: number): Promise<CancellationRow | null> {
  const [row] = await db.$queryRaw<CancellationRow[]>`
    SELECT event_id AS "eventId", reason, total_orders AS "totalOrders", created_at AS "createdAt",
           finished_at AS "finishedAt"
    FROM event_cancellation WHERE event_id = ${eventId}`;
  return row ?? null;
}

export async function finishCancellation(db: DbOrTx, eventId: number): Promise<void> {
  await db.$executeRaw`
    UPDATE event_cancellation SET finished_at = now() WHERE event_id = ${eventId} AND finished_at IS NULL`;
}

// --- The audit log (audit-store.ts writes it) ---

export interface AuditRow {
  id: bigint;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  before: unknown;
  after: unknown;
  createdAt: Date;
}

export function auditPage(
  db: DbOrTx,
  eventId: number,
  limit: number,
  beforeId: bigint | null,
): Promise<AuditRow[]> {
  const after = beforeId === null ? Prisma.empty : Prisma.sql`AND a.id < ${beforeId}`;
  return db.$queryRaw<AuditRow[]>`
    SELECT a.id, a.actor_id AS "actorId", u.email AS "actorEmail", a.action, a.before, a.after,
           a.created_at AS "createdAt"
    FROM audit_log a LEFT JOIN user_account u ON u.id = a.actor_id
    WHERE a.event_id = ${eventId} ${after}
    ORDER BY a.id DESC
    LIMIT ${limit}`;
}

export async function countAudit(db: DbOrTx, eventId: number): Promise<number> {
  const [row] = await db.$queryRaw<{ count: number }[]>`
    SELECT count(*)::int AS count FROM audit_log WHERE event_id = ${eventId}`;
  return row?.count ?? 0;
}
