import type { Prisma } from "../../generated/prisma/client.js";
import type { EventStatus } from "../../generated/prisma/enums.js";
import type { Db } from "../../infra/prisma.js";
import { AppError, badInput, ErrorCode, notFound } from "../../kernel/errors.js";
import { TRANSACTION_OPTIONS, type Tx } from "../../kernel/transactions.js";
import type { Viewer } from "../../kernel/viewer.js";
import { localDateTime, zonedInstant } from "../../lib/zoned-time.js";
import {
  decodeCursor,
  type EventPage,
  type EventView,
  encodeCursor,
  toEventView,
} from "../catalog/catalog.service.js";
import type { SeatChangeNotifier } from "../seating/seat-changes.js";
import { freezeChart } from "../venues/chart-store.js";
import { recordAudit } from "./audit-store.js";
import { requireEventManager, requireVenueManager } from "./event-access.js";
import {
  type AuditRow,
  announce,
  auditPage,
  type ChartSectionRow,
  chartBelongsToVenue,
  chartSections,
  copyTiers,
  countAudit,
  countOwnedEvents,
  createInventory,
  type EventRow,
  eventRow,
  insertEvent,
  lockEvent,
  newestChartId,
  ownedEventsPage,
  performerIdByName,
  performerName,
  pricingGaps,
  setEventStatus,
  updateEventRow,
  venueForEvent,
} from "./event-store.js";
import { Problems } from "./problems.js";

// An organizer's events from draft to sale (docs/organizers.md, "Life cycle"): create, edit, duplicate
// for a tour, publish, and the lists of them. Prices are prices.service.ts; the seats of a live event
// inventory.service.ts; cancellation cancellation.service.ts.

/** What an organizer sets on an event; times are wall-clock times in the venue's zone ("2027-05-01T20:00"). */
export interface EventSettings {
  name?: string | null;
  description?: string | null;
  category?: string | null;
  performer?: string | null;
  startsAt?: string | null;
  saleStartsAt?: string | null;
  /** Null: sales run until the show starts. */
  saleEndsAt?: string | null;
  currency?: string | null;
  holdSeconds?: number | null;
  maxTicketsPerAccount?: number | null;
  feePerTicketMinor?: number | null;
  cancelCutoffHours?: number | null;
  queueEnabled?: boolean | null;
  admissionRatePerMinute?: number | null;
  maxActiveShoppers?: number | null;
  shoppingWindowSeconds?: number | null;
  /** Fans may pass tickets on (transferTickets), until transferCutoffHours before the show. */
  transfersAllowed?: boolean | null;
  transferCutoffHours?: number | null;
  /** Fans may join the waitlist once sold out; an offer holds seats for waitlistOfferSeconds. */
  waitlistEnabled?: boolean | null;
  waitlistOfferSeconds?: number | null;
}

export interface CreateEventInput extends EventSettings {
  venueId: number;
  chartId?: number | null;
}

export const MAX_TOUR_DATES = 50;
export const MAX_OWNED_PAGE = 100;
export const MAX_AUDIT_PAGE = 100;
/** How long a waitlist offer may hold seats: long enough to read an email, short enough to pass on. */
export const WAITLIST_OFFER_SECONDS = { min: 300, max: 86_400 };
/** Settings that concern fans without tickets only: audited, but not announced to ticket holders. */
const NOT_FOR_TICKET_HOLDERS: ReadonlySet<string> = new Set(["waitlistEnabled", "waitlistOfferSeconds"]);

/** The settings of a row, as updateEvent compares them and the audit log records them. */
function settingsOf(row: EventRow, timezone: string, performer: string) {
  return {
    name: row.name,
    description: row.description,
    category: row.category,
    performer,
    startsAt: localDateTime(row.startsAt, timezone),
    saleStartsAt: localDateTime(row.saleStartsAt, timezone),
    saleEndsAt: row.saleEndsAt ? localDateTime(row.saleEndsAt, timezone) : null,
    currency: row.currency,
    holdSeconds: row.holdSeconds,
    maxTicketsPerAccount: row.maxTicketsPerAccount,
    feePerTicketMinor: row.feePerTicketMinor,
    cancelCutoffHours: row.cancelCutoffHours,
    queueEnabled: row.queueEnabled,
    admissionRatePerMinute: row.admissionRatePerMinute,
    maxActiveShoppers: row.maxActiveShoppers,
    shoppingWindowSeconds: row.shoppingWindowSeconds,
    transfersAllowed: row.transfersAllowed,
    transferCutoffHours: row.transferCutoffHours,
    waitlistEnabled: row.waitlistEnabled,
    waitlistOfferSeconds: row.waitlistOfferSeconds,
  };
}

type Settings = ReturnType<typeof settingsOf>;

/** Turns a slug out of a name: "Jazz Night!" → "jazz-night". */
function slugify(name: string): string {
  return (
    name
      .normalize("NFKD")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60) || "event"
  );
}

const uniqueSuffix = () => Math.random().toString(36).slice(2, 8);

interface CheckedTimes {
  startsAt?: Date;
  saleStartsAt?: Date;
  saleEndsAt?: Date | null;
}

/**
 * Checks the settings given (all of them; `required` names those that must be present) and turns the
 * wall-clock times into instants in the venue's zone. Dates are checked against each other as they
 * will be after the change (`current` fills in those not given).
 */
function checkSettings(
  problems: Problems,
  input: EventSettings,
  timezone: string,
  options: { required: (keyof EventSettings)[]; current?: Settings; now: Date },
): CheckedTimes {
  for (const field of options.required) {
    const value = input[field];
    problems.check(
      value !== undefined && value !== null && String(value).trim() !== "",
      field,
      `${field} is required`,
    );
  }
  problems.text("name", input.name, { max: 200, label: "name" });
  problems.text("category", input.category, { max: 60, label: "category" });
  problems.text("performer", input.performer, { max: 200, label: "performer" });
  if (input.description !== undefined && input.description !== null) {
    problems.check(
      input.description.length <= 5_000,
      "description",
      "description must be at most 5000 characters",
    );
  }
  if (input.currency !== undefined && input.currency !== null) {
    problems.check(
      /^[A-Z]{3}$/.test(input.currency),
      "currency",
      "currency must be an ISO 4217 code such as EUR",
    );
  }
  problems.int("holdSeconds", input.holdSeconds, 60, 3_600);
  problems.int("maxTicketsPerAccount", input.maxTicketsPerAccount, 1, 50);
  problems.int("feePerTicketMinor", input.feePerTicketMinor, 0, 1_000_000);
  problems.int("cancelCutoffHours", input.cancelCutoffHours, 0, 24 * 60);
  problems.int("admissionRatePerMinute", input.admissionRatePerMinute, 1, 1_000_000);
  problems.int("maxActiveShoppers", input.maxActiveShoppers, 1, 1_000_000);
  problems.int("shoppingWindowSeconds", input.shoppingWindowSeconds, 60, 3_600);
  problems.int("transferCutoffHours", input.transferCutoffHours, 0, 24 * 60);
  problems.int(
    "waitlistOfferSeconds",
    input.waitlistOfferSeconds,
    WAITLIST_OFFER_SECONDS.min,
    WAITLIST_OFFER_SECONDS.max,
  );

  const times: CheckedTimes = {};
  const parse = (field: "startsAt" | "saleStartsAt" | "saleEndsAt"): Date | undefined => {
    const value = input[field];
    if (value === undefined || value === null || value.trim() === "") return undefined;
    const instant = zonedInstant(value, timezone);
    problems.check(instant !== null, field, `${field} must be a date and time such as 2027-05-01T20:00`);
    return instant ?? undefined;
  };
  times.startsAt = parse("startsAt");
  times.saleStartsAt = parse("saleStartsAt");
  const saleEnds = parse("saleEndsAt");
  if (saleEnds) times.saleEndsAt = saleEnds;
  else if (input.saleEndsAt === null || input.saleEndsAt?.trim() === "") times.saleEndsAt = null;

  const current = options.current;
  const at = (field: "startsAt" | "saleStartsAt" | "saleEndsAt", given: Date | null | undefined) =>
    given !== undefined ? given : current?.[field] ? zonedInstant(current[field] as string, timezone) : null;
  const startsAt = at("startsAt", times.startsAt);
  const saleStartsAt = at("saleStartsAt", times.saleStartsAt);
  const saleEndsAt = at("saleEndsAt", times.saleEndsAt);
  if (times.startsAt)
    problems.check(times.startsAt > options.now, "startsAt", "startsAt must be in the future");
  if (startsAt && saleStartsAt) {
    problems.check(saleStartsAt < startsAt, "saleStartsAt", "saleStartsAt must be before startsAt");
  }
  if (saleEndsAt) {
    if (saleStartsAt)
      problems.check(saleEndsAt > saleStartsAt, "saleEndsAt", "saleEndsAt must be after saleStartsAt");
    if (startsAt)
      problems.check(saleEndsAt <= startsAt, "saleEndsAt", "saleEndsAt must not be after startsAt");
  }
  return times;
}

/** The columns of the settings given (times already checked and turned into instants). */
function columnsOf(input: EventSettings, times: CheckedTimes): Prisma.EventUncheckedUpdateInput {
  const data: Prisma.EventUncheckedUpdateInput = {};
  if (input.name != null) data.name = input.name.trim();
  if (input.description != null) data.description = input.description;
  if (input.category != null) data.category = input.category.trim();
  if (times.startsAt) data.startsAt = times.startsAt;
  if (times.saleStartsAt) data.saleStartsAt = times.saleStartsAt;
  if (times.saleEndsAt !== undefined) data.saleEndsAt = times.saleEndsAt;
  if (input.currency != null) data.currency = input.currency;
  if (input.holdSeconds != null) data.holdSeconds = input.holdSeconds;
  if (input.maxTicketsPerAccount != null) data.maxTicketsPerAccount = input.maxTicketsPerAccount;
  if (input.feePerTicketMinor != null) data.feePerTicketMinor = input.feePerTicketMinor;
  if (input.cancelCutoffHours != null) data.cancelCutoffHours = input.cancelCutoffHours;
  if (input.queueEnabled != null) data.queueEnabled = input.queueEnabled;
  if (input.admissionRatePerMinute != null) data.admissionRatePerMinute = input.admissionRatePerMinute;
  if (input.maxActiveShoppers !== undefined) data.maxActiveShoppers = input.maxActiveShoppers;
  if (input.shoppingWindowSeconds != null) data.shoppingWindowSeconds = input.shoppingWindowSeconds;
  if (input.transfersAllowed != null) data.transfersAllowed = input.transfersAllowed;
  if (input.transferCutoffHours != null) data.transferCutoffHours = input.transferCutoffHours;
  if (input.waitlistEnabled != null) data.waitlistEnabled = input.waitlistEnabled;
  if (input.waitlistOfferSeconds != null) data.waitlistOfferSeconds = input.waitlistOfferSeconds;
  return data;
}

/** Fields that differ between two settings, as `event.changed` and the audit log carry them. */
function changesBetween(
  before: Settings,
  after: Settings,
): Record<string, { before: unknown; after: unknown }> {
  const changes: Record<string, { before: unknown; after: unknown }> = {};
  for (const key of Object.keys(after) as (keyof Settings)[]) {
    if (before[key] !== after[key]) changes[key] = { before: before[key], after: after[key] };
  }
  return changes;
}

/** An audit entry as the API shows it (its bigint id as a string, which is also its cursor). */
export type AuditEntryView = Omit<AuditRow, "id"> & { id: string };

export interface AuditPage {
  nodes: AuditEntryView[];
  cursors: string[];
  hasNextPage: boolean;
  totalCount: number;
}

export class EventsService {
  constructor(
    private readonly db: Db,
    private readonly seatChanges: SeatChangeNotifier,
  ) {}

  async createEvent(viewer: Viewer, input: CreateEventInput): Promise<EventView> {
    const venue = await venueForEvent(this.db, input.venueId);
    if (!venue) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, `Venue ${input.venueId} was not found`, {
        field: "venueId",
      });
    }
    await requireVenueManager(this.db, viewer, input.venueId);
    const problems = new Problems();
    const times = checkSettings(problems, input, venue.timezone, {
      required: ["name", "category", "performer", "startsAt", "saleStartsAt"],
      now: new Date(),
    });
    const chartId = input.chartId ?? (await newestChartId(this.db, venue.id));
    if (input.chartId != null) {
      problems.check(
        await chartBelongsToVenue(this.db, input.chartId, venue.id),
        "chartId",
        "chartId is not a chart of this venue",
      );
    } else problems.check(chartId !== null, "venueId", "The venue has no seating chart yet");
    problems.throwIfAny("The event cannot be created");

    return this.db.$transaction(async (tx) => {
      const name = (input.name as string).trim();
      const performerId = await performerIdByName(
        tx,
        (input.performer as string).trim(),
        `${slugify(input.performer as string)}-${uniqueSuffix()}`,
      );
      const columns = columnsOf(input, times) as Prisma.EventUncheckedCreateInput;
      const row = await insertEvent(tx, {
        ...columns,
        slug: `${slugify(name)}-${uniqueSuffix()}`,
        name,
        category: (input.category as string).trim(),
        performerId,
        venueId: venue.id,
        chartId: chartId as number,
        organizerId: viewer.role === "ADMIN" ? (venue.organizerId ?? viewer.userId) : viewer.userId,
        startsAt: times.startsAt as Date,
        saleStartsAt: times.saleStartsAt as Date,
        status: "DRAFT",
      });
      await recordAudit(tx, {
        eventId: row.id,
        actorId: viewer.userId,
        action: "event.create",
        after: {
          ...settingsOf(row, venue.timezone, (input.performer as string).trim()),
          chartId: row.chartId,
        },
      });
      return toEventView(row);
    }, TRANSACTION_OPTIONS);
  }

  async updateEvent(
    viewer: Viewer,
    eventId: number,
    input: EventSettings & { chartId?: number | null },
  ): Promise<EventView> {
    await requireEventManager(this.db, viewer, eventId);
    const result = await this.db.$transaction(async (tx) => {
      const row = await lockEvent(tx, eventId);
      if (!row) throw notFound("Event", String(eventId));
      if (row.status === "CANCELLED" || row.status === "ENDED") {
        throw new AppError(ErrorCode.CONFLICT, `A ${row.status.toLowerCase()} event cannot be changed`, {
          status: row.status,
        });
      }
      const venue = await venueForEvent(tx, row.venueId);
      const timezone = venue?.timezone ?? "UTC";
      const before = settingsOf(row, timezone, await performerName(tx, row.performerId));
      const problems = new Problems();
      const times = checkSettings(problems, input, timezone, {
        required: [],
        current: before,
        now: new Date(),
      });
      const draft = row.status === "DRAFT";
      if (!draft) {
        problems.check(
          input.currency == null || input.currency === row.currency,
          "currency",
          "The currency of a published event cannot change",
        );
        problems.check(
          input.chartId == null || input.chartId === row.chartId,
          "chartId",
          "The chart of a published event cannot change",
        );
        const queueFields = [
          "queueEnabled",
          "admissionRatePerMinute",
          "maxActiveShoppers",
          "shoppingWindowSeconds",
        ] as const;
        for (const field of queueFields) {
          problems.check(
            input[field] === undefined || input[field] === null || input[field] === before[field],
            field,
            `${field} of a published event is changed with updateQueueSettings`,
          );
        }
      } else if (input.chartId != null) {
        problems.check(
          await chartBelongsToVenue(tx, input.chartId, row.venueId),
          "chartId",
          "chartId is not a chart of this venue",
        );
      }
      problems.throwIfAny("The event cannot be changed");
      const data = columnsOf(input, times);
      if (draft && input.chartId != null) data.chartId = input.chartId;
      if (input.performer != null) {
        data.performerId = await performerIdByName(
          tx,
          input.performer.trim(),
          `${slugify(input.performer)}-${uniqueSuffix()}`,
        );
      }
      const updated = await updateEventRow(tx, eventId, data);
      if (draft && input.currency != null) {
        await tx.priceTier.updateMany({ where: { eventId }, data: { currency: input.currency } });
      }
      const after = settingsOf(updated, timezone, input.performer?.trim() ?? before.performer);
      const changes = changesBetween(before, after);
      if (Object.keys(changes).length > 0) {
        const beforeOnly = Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v.before]));
        const afterOnly = Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v.after]));
        await recordAudit(tx, {
          eventId,
          actorId: viewer.userId,
          action: changes.startsAt && !draft ? "event.postpone" : "event.update",
          before: beforeOnly as Prisma.InputJsonValue,
          after: afterOnly as Prisma.InputJsonValue,
        });
        // Fans of a published event are told (a new date: a postponement; tickets stay valid).
        const announced = Object.fromEntries(
          Object.entries(changes).filter(([field]) => !NOT_FOR_TICKET_HOLDERS.has(field)),
        );
        if (!draft && Object.keys(announced).length > 0) {
          await announce(tx, "event.changed", { eventId, changes: announced } as Prisma.InputJsonValue);
        }
      }
      return updated;
    }, TRANSACTION_OPTIONS);
    return toEventView(result);
  }

  /** A tour: copies of the event (settings and prices, as drafts) starting at each of `dates`. */
  async duplicateEvent(viewer: Viewer, eventId: number, dates: string[]): Promise<EventView[]> {
    await requireEventManager(this.db, viewer, eventId);
    const source = await eventRow(this.db, eventId);
    if (!source) throw notFound("Event", String(eventId));
    const venue = await venueForEvent(this.db, source.venueId);
    const timezone = venue?.timezone ?? "UTC";
    const problems = new Problems();
    problems.check(
      dates.length >= 1 && dates.length <= MAX_TOUR_DATES,
      "dates",
      `Give from 1 to ${MAX_TOUR_DATES} dates`,
    );
    const now = new Date();
    const starts = dates.map((date, i) => {
      const instant = zonedInstant(date, timezone);
      if (!instant)
        problems.add(`dates.${i}`, `dates[${i}] must be a date and time such as 2027-05-01T20:00`);
      else problems.check(instant > now, `dates.${i}`, `dates[${i}] must be in the future`);
      return instant;
    });
    problems.check(
      new Set(dates.map((d) => d.trim())).size === dates.length,
      "dates",
      "Each date may be given once",
    );
    problems.throwIfAny("The event cannot be duplicated");
    const saleLead = source.startsAt.getTime() - source.saleStartsAt.getTime();
    const saleEndLead = source.saleEndsAt ? source.startsAt.getTime() - source.saleEndsAt.getTime() : null;

    const rows = await this.db.$transaction(
      async (tx) => {
        const copies: EventRow[] = [];
        for (const startsAt of starts as Date[]) {
          // Sales open as long before each date as they did before the original's (but not in the past).
          const saleStartsAt = new Date(Math.max(startsAt.getTime() - saleLead, now.getTime()));
          const { id: _id, slug: _slug, createdAt: _c, seatMapVersion: _v, status: _s, ...settings } = source;
          const copy = await insertEvent(tx, {
            ...settings,
            slug: `${slugify(source.name)}-${uniqueSuffix()}`,
            startsAt,
            saleStartsAt,
            saleEndsAt: saleEndLead === null ? null : new Date(startsAt.getTime() - saleEndLead),
            status: "DRAFT",
          });
          await copyTiers(tx, eventId, copy.id);
          await recordAudit(tx, {
            eventId: copy.id,
            actorId: viewer.userId,
            action: "event.duplicate",
            after: { from: eventId, startsAt: localDateTime(startsAt, timezone) },
          });
          copies.push(copy);
        }
        return copies;
      },
      { ...TRANSACTION_OPTIONS, timeout: 30_000 },
    );
    return rows.map((row) => toEventView(row));
  }

  /**
   * Puts a draft on sale: refuses with every problem listed (dates, unpriced seats); otherwise, in one
   * transaction, creates its inventory, freezes its chart, sets it ON_SALE and announces
   * `event.published`. Sales then open by themselves at saleStartsAt: every hold checks
   * `sale_starts_at <= now()` (place_holds), and the waiting room's lottery keys off it; nothing has to
   * run at that moment.
   */
  async publishEvent(viewer: Viewer, eventId: number): Promise<EventView> {
    await requireEventManager(this.db, viewer, eventId);
    const row = await this.db.$transaction(
      async (tx) => {
        const event = await lockEvent(tx, eventId);
        if (!event) throw notFound("Event", String(eventId));
        if (event.status !== "DRAFT") {
          throw new AppError(
            ErrorCode.CONFLICT,
            `Only a draft can be published; this event is ${event.status}`,
            { status: event.status },
          );
        }
        await this.checkPublishable(tx, event);
        await createInventory(tx, eventId);
        await freezeChart(tx, event.chartId);
        await setEventStatus(tx, eventId, "ON_SALE");
        await announce(tx, "event.published", { eventId });
        await recordAudit(tx, {
          eventId,
          actorId: viewer.userId,
          action: "event.publish",
          before: { status: "DRAFT" },
          after: { status: "ON_SALE" },
        });
        return { ...event, status: "ON_SALE" as const };
      },
      { ...TRANSACTION_OPTIONS, timeout: 60_000 },
    );
    await this.seatChanges.pricingChanged(eventId);
    return toEventView(row);
  }

  private async checkPublishable(tx: Tx, event: EventRow): Promise<void> {
    const problems = new Problems();
    const now = new Date();
    problems.check(event.startsAt > now, "startsAt", "startsAt is in the past");
    problems.check(
      event.saleStartsAt < event.startsAt,
      "saleStartsAt",
      "saleStartsAt must be before startsAt",
    );
    if (event.saleEndsAt) {
      problems.check(event.saleEndsAt > now, "saleEndsAt", "saleEndsAt is in the past");
    }
    const { gaps, priced } = await pricingGaps(tx, event.id);
    problems.check(priced > 0, "prices", "No seat or standing area has a price yet");
    for (const gap of gaps) {
      problems.add(
        "prices",
        `${gap.seats} seats of section ${gap.section} have no price (rows ${gap.rows.join(", ")})`,
      );
    }
    problems.throwIfAny("The event cannot be published");
  }

  /** Every event the viewer organizes (an admin: every event), drafts, past and cancelled included. */
  async myEvents(
    viewer: Viewer,
    status: EventStatus | null,
    first = 20,
    after?: string | null,
  ): Promise<EventPage> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_OWNED_PAGE) {
      throw badInput(`first must be between 1 and ${MAX_OWNED_PAGE}`, { argument: "first", field: "first" });
    }
    if (viewer.role !== "ADMIN" && viewer.role !== "ORGANIZER") {
      throw new AppError(ErrorCode.FORBIDDEN, "Only organizers and admins have events");
    }
    const filter = { organizerId: viewer.role === "ADMIN" ? null : viewer.userId, status };
    const cursor = after ? decodeCursor(after) : null;
    const [rows, totalCount] = await Promise.all([
      ownedEventsPage(this.db, filter, first + 1, cursor),
      countOwnedEvents(this.db, filter),
    ]);
    const page = rows.slice(0, first);
    return {
      nodes: page.map((row) => toEventView(row)),
      cursors: page.map(encodeCursor),
      hasNextPage: rows.length > first,
      totalCount,
    };
  }

  /** An event as its organizer sees it (drafts too); NOT_FOUND/FORBIDDEN for others. */
  async managedEvent(viewer: Viewer, eventId: number): Promise<EventView> {
    await requireEventManager(this.db, viewer, eventId);
    const row = await eventRow(this.db, eventId);
    if (!row) throw notFound("Event", String(eventId));
    return toEventView(row);
  }

  /** The wall-clock settings of an event in its venue's zone (the edit form's values). */
  async settings(
    viewer: Viewer,
    eventId: number,
  ): Promise<Settings & { timezone: string; chartId: number; venueId: number; sections: ChartSectionRow[] }> {
    await requireEventManager(this.db, viewer, eventId);
    const row = await eventRow(this.db, eventId);
    if (!row) throw notFound("Event", String(eventId));
    const venue = await venueForEvent(this.db, row.venueId);
    const timezone = venue?.timezone ?? "UTC";
    return {
      ...settingsOf(row, timezone, await performerName(this.db, row.performerId)),
      sections: await chartSections(this.db, row.chartId),
      timezone,
      chartId: row.chartId,
      venueId: row.venueId,
    };
  }

  async auditLog(viewer: Viewer, eventId: number, first = 50, after?: string | null): Promise<AuditPage> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_AUDIT_PAGE) {
      throw badInput(`first must be between 1 and ${MAX_AUDIT_PAGE}`, { argument: "first", field: "first" });
    }
    await requireEventManager(this.db, viewer, eventId);
    let beforeId: bigint | null = null;
    if (after) {
      if (!/^[0-9]{1,18}$/.test(after))
        throw badInput("after is not a cursor returned by this API", { argument: "after", field: "after" });
      beforeId = BigInt(after);
    }
    const [rows, totalCount] = await Promise.all([
      auditPage(this.db, eventId, first + 1, beforeId),
      countAudit(this.db, eventId),
    ]);
    const page = rows.slice(0, first).map((row) => ({ ...row, id: String(row.id) }));
    return { nodes: page, cursors: page.map((row) => row.id), hasNextPage: rows.length > first, totalCount };
  }
}
