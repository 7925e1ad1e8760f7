import DataLoader from "dataloader";
import type { Db } from "../../infra/prisma.js";
import type { SqlPool } from "../../infra/sql.js";
import { badInput, notFound } from "../../kernel/errors.js";
import type { Money } from "../../kernel/money.js";
import type { Viewer } from "../../kernel/viewer.js";
import { checkEventManager, mayManage, requireEventManager } from "../events/event-access.js";
import { eventOrganizerId } from "../events/event-store.js";
import type { OrderRow } from "../orders/order-store.js";
import { ordersById } from "../orders/order-store.js";
import { type OrderView, orderViews } from "../orders/order-views.js";
import { decodeCursor, encodeCursor } from "../orders/orders.service.js";
import type { QueueService, QueueSettingsView } from "../queue/queue.service.js";
import {
  type CounterRow,
  eventOrderPage,
  orderBuyers,
  readSalesSnapshot,
  type SalesLabels,
  type SalesSnapshot,
} from "./sales-store.js";

// The live sales dashboard (docs/sales.md): an event's figures from its running counters (one indexed
// read, whatever the event has sold), and the organizer's list of its orders.

export const SALES_MINUTES = 60;
export const DEFAULT_EVENT_ORDERS_PAGE = 25;
export const MAX_EVENT_ORDERS_PAGE = 100;

/** Seats by what they count as (sales_seat_bucket in the migrations), and standing places. */
export interface SeatCounts {
  available: number;
  held: number;
  sold: number;
  /** Taken off sale by the organizer ("kills"). */
  killed: number;
  /** Organizer holds for the artist and press. */
  houseSeats: number;
  total: number;
}

export interface SalesFigures {
  eventId: number;
  name: string;
  seats: SeatCounts;
  gross: Money;
  fees: Money;
  refunds: Money;
  net: Money;
  ordersConfirmed: number;
  checkedIn: number;
  tiers: (SeatCounts & { tierId: number; name: string; price: Money })[];
  sections: (SeatCounts & { sectionId: number; name: string; kind: "SEATED" | "STANDING" })[];
  /** Tickets sold in each of the last 60 minutes, oldest first (the current minute last). */
  salesPerMinute: { minute: Date; tickets: number }[];
  /** The waiting room's figures when the event uses one (the queue module's own). */
  queue: QueueSettingsView | null;
  at: Date;
}

const emptyCounts = (): SeatCounts => ({
  available: 0,
  held: 0,
  sold: 0,
  killed: 0,
  houseSeats: 0,
  total: 0,
});

/** Which SeatCounts field a seat bucket adds to (sales_seat_bucket: the seat's status, or the kill/house state). */
const BUCKET_FIELD: Record<string, keyof SeatCounts> = {
  AVAILABLE: "available",
  HELD: "held",
  SOLD: "sold",
  OFF_SALE: "killed",
  HOUSE: "houseSeats",
};

function addSeats(counts: SeatCounts, bucket: string, value: number): void {
  const field = BUCKET_FIELD[bucket];
  if (field) counts[field] += value;
  counts.total += value;
}

/** A standing area's counters (places.*): its capacity, places available and places sold. */
interface AreaCounters {
  CAPACITY: number;
  AVAILABLE: number;
  SOLD: number;
}

/** What an area's places are: the places neither available nor sold are held (docs/sales.md). */
function areaCounts(area: AreaCounters): SeatCounts {
  return {
    available: area.AVAILABLE,
    held: area.CAPACITY - area.AVAILABLE - area.SOLD,
    sold: area.SOLD,
    killed: 0,
    houseSeats: 0,
    total: area.CAPACITY,
  };
}

function addCounts(to: SeatCounts, counts: SeatCounts): void {
  for (const field of Object.keys(counts) as (keyof SeatCounts)[]) to[field] += counts[field];
}

/** The figures of one event from its counter rows (pure: tested through eventSales). */
export function salesFigures(
  eventId: number,
  labels: SalesLabels,
  rows: readonly CounterRow[],
  now: Date,
): Omit<SalesFigures, "queue"> {
  const seats = emptyCounts();
  const tiers = new Map(labels.tiers.map((tier) => [tier.id, emptyCounts()]));
  const sections = new Map(labels.sections.map((section) => [section.id, emptyCounts()]));
  const areas = new Map<number, AreaCounters>();
  const totals = new Map<string, number>();
  const nowMinute = Math.floor(now.getTime() / 60_000);
  const perMinute = new Array<number>(SALES_MINUTES).fill(0);
  for (const row of rows) {
    const { value } = row;
    if (row.metric.startsWith("seats.")) {
      const bucket = row.metric.slice("seats.".length);
      addSeats(seats, bucket, value);
      addSeats(tiers.get(row.priceTierId) ?? emptyCounts(), bucket, value);
      addSeats(sections.get(row.sectionId) ?? emptyCounts(), bucket, value);
    } else if (row.metric.startsWith("places.")) {
      const area = areas.get(row.sectionId) ?? { CAPACITY: 0, AVAILABLE: 0, SOLD: 0 };
      const counter = row.metric.slice("places.".length);
      if (counter === "CAPACITY" || counter === "AVAILABLE" || counter === "SOLD") area[counter] += value;
      areas.set(row.sectionId, area);
    } else if (row.metric === "sold.minute") {
      const at = SALES_MINUTES - 1 - (nowMinute - row.minute);
      if (at >= 0 && at < SALES_MINUTES) perMinute[at] = (perMinute[at] ?? 0) + value;
    } else {
      totals.set(row.metric, (totals.get(row.metric) ?? 0) + value);
    }
  }
  // Standing areas count in their section, in the tier the area is priced at, and in the totals.
  const areaTiers = new Map(labels.sections.map((section) => [section.id, section.tierId]));
  for (const [areaId, area] of areas) {
    const counts = areaCounts(area);
    addCounts(seats, counts);
    addCounts(sections.get(areaId) ?? emptyCounts(), counts);
    const tierId = areaTiers.get(areaId);
    if (tierId != null) addCounts(tiers.get(tierId) ?? emptyCounts(), counts);
  }
  const money = (amount: number): Money => ({ amount, currency: labels.currency });
  const gross = totals.get("money.gross") ?? 0;
  const fees = totals.get("money.fees") ?? 0;
  const refunds = totals.get("money.refunds") ?? 0;
  return {
    eventId,
    name: labels.name,
    seats,
    gross: money(gross),
    fees: money(fees),
    refunds: money(refunds),
    // What the organizer keeps: the ticket prices of the orders still confirmed.
    net: money(gross - refunds - fees),
    ordersConfirmed: totals.get("orders.confirmed") ?? 0,
    checkedIn: totals.get("tickets.checked_in") ?? 0,
    tiers: labels.tiers.map((tier) => ({
      tierId: tier.id,
      name: tier.name,
      price: money(tier.priceMinor),
      ...(tiers.get(tier.id) as SeatCounts),
    })),
    sections: labels.sections.map((section) => ({
      sectionId: section.id,
      name: section.name,
      kind: section.kind,
      ...(sections.get(section.id) as SeatCounts),
    })),
    salesPerMinute: perMinute.map((tickets, i) => ({
      minute: new Date((nowMinute - (SALES_MINUTES - 1) + i) * 60_000),
      tickets,
    })),
    at: now,
  };
}

export interface Buyer {
  email: string;
  name: string | null;
}

export interface EventOrderPage {
  nodes: OrderView[];
  cursors: string[];
  hasNextPage: boolean;
}

export class SalesService {
  constructor(
    private readonly db: Db,
    private readonly pool: SqlPool,
    private readonly queue: QueueService,
  ) {}

  /** The event's figures, for its organizer or an admin. */
  async eventSales(viewer: Viewer, eventId: number): Promise<SalesFigures> {
    const now = new Date();
    const snapshot = await this.snapshot(eventId, now);
    // Read with the figures (one round trip); nothing of them is answered unless the check passes.
    checkEventManager(viewer, eventId, snapshot?.organizerId);
    return this.figuresOf(eventId, snapshot, viewer, now);
  }

  /** The figures without the permission check (the live push checked it when the subscription opened). */
  async figures(eventId: number, viewer: Viewer | null): Promise<SalesFigures> {
    const now = new Date();
    return this.figuresOf(eventId, await this.snapshot(eventId, now), viewer, now);
  }

  private snapshot(eventId: number, now: Date): Promise<SalesSnapshot | null> {
    const sinceMinute = Math.floor(now.getTime() / 60_000) - (SALES_MINUTES - 1);
    return readSalesSnapshot(this.pool, eventId, sinceMinute);
  }

  private async figuresOf(
    eventId: number,
    snapshot: SalesSnapshot | null,
    viewer: Viewer | null,
    now: Date,
  ): Promise<SalesFigures> {
    if (!snapshot) throw notFound("Event", String(eventId));
    const { labels, counters } = snapshot;
    const queue =
      labels.queueEnabled && viewer
        ? await this.queue.settings(viewer, await this.queue.queueEvent(eventId))
        : null;
    return { ...salesFigures(eventId, labels, counters, now), queue };
  }

  /** The event's confirmed and cancelled orders, newest first, found by buyer e-mail, order id or seat. */
  async eventOrders(
    viewer: Viewer,
    eventId: number,
    search: string | null | undefined,
    first = DEFAULT_EVENT_ORDERS_PAGE,
    after?: string | null,
  ): Promise<EventOrderPage> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_EVENT_ORDERS_PAGE) {
      throw badInput(`first must be between 1 and ${MAX_EVENT_ORDERS_PAGE}`, { field: "first" });
    }
    const text = search?.trim().toLowerCase() || null;
    if (text && text.length > 200)
      throw badInput("search must be at most 200 characters", { field: "search" });
    await requireEventManager(this.db, viewer, eventId);
    const rows = await eventOrderPage(this.db, {
      eventId,
      text,
      after: after ? decodeCursor(after) : null,
      limit: first + 1,
    });
    const pageIds = rows.slice(0, first).map((row) => row.id);
    const byId = new Map((await ordersById(this.db, pageIds)).map((row) => [row.id, row]));
    const nodes = orderViews(pageIds.map((id) => byId.get(id) as OrderRow));
    return { nodes, cursors: nodes.map(encodeCursor), hasNextPage: rows.length > first };
  }

  /**
   * Who bought each order, for one operation: shown to the buyer, the event's organizer and admins
   * (null for anyone else). Batched: a page of orders is two queries.
   */
  newBuyerLoaders(viewer: Viewer | null): { load(order: OrderView): Promise<Buyer | null> } {
    const manages = new DataLoader(async (eventIds: readonly number[]) =>
      Promise.all(
        eventIds.map(async (eventId) =>
          viewer ? mayManage(viewer, (await eventOrganizerId(this.db, eventId)) ?? null) : false,
        ),
      ),
    );
    const buyers = new DataLoader(async (ids: readonly string[]) => {
      const rows = new Map((await orderBuyers(this.db, ids)).map((row) => [row.orderId, row]));
      return ids.map((id) => rows.get(id) ?? null);
    });
    return {
      async load(order) {
        if (order.userId !== viewer?.userId && !(await manages.load(order.eventId))) return null;
        const row = await buyers.load(order.id);
        return row ? { email: row.email, name: row.name } : null;
      },
    };
  }
}
