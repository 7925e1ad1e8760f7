import type { Prisma } from "../../generated/prisma/client.js";
import type { Db } from "../../infra/prisma.js";
import { badInput } from "../../kernel/errors.js";

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export interface EventFilterInput {
  search?: string | null;
  city?: string | null;
  category?: string | null;
  startsAfter?: Date | null;
  startsBefore?: Date | null;
  onSale?: boolean | null;
  includePast?: boolean | null;
}

type EventRow = Prisma.EventGetPayload<object>;

export interface EventView {
  id: number;
  name: string;
  description: string;
  category: string;
  startsAt: Date;
  saleStartsAt: Date;
  status: EventRow["status"];
  onSale: boolean;
  queueEnabled: boolean;
  maxTicketsPerAccount: number;
  holdSeconds: number;
  feePerTicket: { amount: number; currency: string };
  venueId: number;
  performerId: number;
}

export interface EventPage {
  nodes: EventView[];
  cursors: string[];
  hasNextPage: boolean;
  totalCount: number;
}

export function toEventView(row: EventRow, now = new Date()): EventView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    category: row.category,
    startsAt: row.startsAt,
    saleStartsAt: row.saleStartsAt,
    status: row.status,
    onSale: row.status === "ON_SALE" && row.saleStartsAt <= now && row.startsAt > now,
    queueEnabled: row.queueEnabled,
    maxTicketsPerAccount: row.maxTicketsPerAccount,
    holdSeconds: row.holdSeconds,
    feePerTicket: { amount: row.feePerTicketMinor, currency: row.currency },
    venueId: row.venueId,
    performerId: row.performerId,
  };
}

// Cursors are opaque to clients: base64url of the sort key (startsAt, id) of the last row seen.
export function encodeCursor(event: { startsAt: Date; id: number }): string {
  return Buffer.from(JSON.stringify([event.startsAt.toISOString(), event.id])).toString("base64url");
}

export function decodeCursor(cursor: string): { startsAt: Date; id: number } {
  try {
    const [startsAt, id] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    const date = new Date(String(startsAt));
    if (typeof id === "number" && Number.isSafeInteger(id) && !Number.isNaN(date.getTime())) {
      return { startsAt: date, id };
    }
  } catch {
    // fall through to the client error below
  }
  throw badInput("after is not a cursor returned by this API", { argument: "after" });
}

/**
 * Text as a LIKE pattern that matches only itself: Prisma turns `contains` and case-insensitive `equals`
 * into ILIKE without escaping, so `%` matched everything and a trailing `\\` was a Postgres error.
 */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&");
}

export class CatalogService {
  constructor(private readonly db: Db) {}

  async listEvents(
    // An explicit `filter: null` arrives as null (a default parameter only replaces undefined).
    filter: EventFilterInput | null = {},
    first: number = DEFAULT_PAGE_SIZE,
    after?: string | null,
  ): Promise<EventPage> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
      throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE}`, { argument: "first" });
    }
    const now = new Date();
    const where = this.eventWhere(filter ?? {}, now);
    const cursor = after ? decodeCursor(after) : null;
    const pageWhere: Prisma.EventWhereInput = cursor
      ? {
          AND: [
            where,
            {
              OR: [
                { startsAt: { gt: cursor.startsAt } },
                { startsAt: cursor.startsAt, id: { gt: cursor.id } },
              ],
            },
          ],
        }
      : where;
    const [rows, totalCount] = await Promise.all([
      this.db.event.findMany({
        where: pageWhere,
        orderBy: [{ startsAt: "asc" }, { id: "asc" }],
        take: first + 1,
      }),
      this.db.event.count({ where }),
    ]);
    const page = rows.slice(0, first);
    return {
      nodes: page.map((row) => toEventView(row, now)),
      cursors: page.map(encodeCursor),
      hasNextPage: rows.length > first,
      totalCount,
    };
  }

  /** A published event, or null: drafts are invisible to the public API. */
  async findEvent(id: number): Promise<EventView | null> {
    const row = await this.db.event.findFirst({ where: { id, status: { not: "DRAFT" } } });
    return row ? toEventView(row) : null;
  }

  async categories(): Promise<string[]> {
    const rows = await this.db.event.findMany({
      where: { status: { not: "DRAFT" } },
      distinct: ["category"],
      select: { category: true },
      orderBy: { category: "asc" },
    });
    return rows.map((row) => row.category);
  }

  async cities(): Promise<string[]> {
    const rows = await this.db.venue.findMany({
      distinct: ["city"],
      select: { city: true },
      orderBy: { city: "asc" },
    });
    return rows.map((row) => row.city);
  }

  private eventWhere(filter: EventFilterInput, now: Date): Prisma.EventWhereInput {
    if (filter.startsAfter && filter.startsBefore && filter.startsAfter >= filter.startsBefore) {
      throw badInput("startsAfter must be before startsBefore", { argument: "filter" });
    }
    const and: Prisma.EventWhereInput[] = [{ status: { not: "DRAFT" } }];
    const words = (filter.search ?? "").trim().split(/\s+/).filter(Boolean);
    // Every word must match somewhere: "berlin jazz" finds jazz events in Berlin.
    for (const word of words) {
      const contains = { contains: likeLiteral(word), mode: "insensitive" as const };
      and.push({
        OR: [
          { name: contains },
          { performer: { name: contains } },
          { venue: { name: contains } },
          { venue: { city: contains } },
        ],
      });
    }
    if (filter.city)
      and.push({ venue: { city: { equals: likeLiteral(filter.city.trim()), mode: "insensitive" } } });
    if (filter.category) {
      and.push({ category: { equals: likeLiteral(filter.category.trim()), mode: "insensitive" } });
    }
    if (filter.startsAfter) and.push({ startsAt: { gte: filter.startsAfter } });
    if (filter.startsBefore) and.push({ startsAt: { lt: filter.startsBefore } });
    if (!filter.includePast) and.push({ startsAt: { gte: now } });
    const onSale: Prisma.EventWhereInput = {
      status: "ON_SALE",
      saleStartsAt: { lte: now },
      startsAt: { gt: now },
    };
    if (filter.onSale === true) and.push(onSale);
    if (filter.onSale === false) and.push({ NOT: onSale });
    return { AND: and };
  }
}
