// Turns the relative schedule in catalog.ts into concrete events for one `now`: start and sale
// instants in each venue's time zone, and the status that follows from them.
import { EventStatus } from "../generated/prisma/client.js";
import { type Category, EVENTS, type EventSpec, type TierSpec } from "./catalog.js";
import { integerBetween, pick, randomFor } from "./random.js";
import type { VenueSpec } from "./venues.js";
import { localTimeOnDay } from "./zoned-time.js";

export interface EventPlan {
  slug: string;
  name: string;
  description: string;
  category: Category;
  performerSlug: string;
  venueSlug: string;
  startsAt: Date;
  saleStartsAt: Date;
  status: EventStatus;
  currency: string;
  maxTicketsPerAccount: number;
  feePerTicketMinor: number;
  /** Owned by the demo organizer account. */
  organized: boolean;
  queueEnabled: boolean;
  admissionRatePerMinute: number;
  maxActiveShoppers: number | null;
  tiers: readonly TierSpec[];
  /** The venue's chart the event sells. */
  chart: string;
}

const USUAL_START_TIMES: Record<Category, readonly string[]> = {
  Concert: ["19:30", "20:00", "20:30"],
  Theatre: ["19:30", "20:00"],
  Comedy: ["20:00", "20:30", "21:00"],
  Classical: ["19:30", "20:00"],
  Sports: ["18:00", "20:00", "20:45"],
  Family: ["11:00", "14:00", "15:00"],
};
const SALE_OPENS_AT = "10:00";
/** The default the schema gives; the waiting room events override it. */
const DEFAULT_ADMISSION_RATE_PER_MINUTE = 600;

const HOUR_MS = 3_600_000;

/** The default `now`: the current time truncated to the hour, so runs within an hour agree. */
export function currentHour(): Date {
  return new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS);
}

function statusOf(spec: EventSpec, startsAt: Date, now: Date): EventStatus {
  if (spec.draft) return EventStatus.DRAFT;
  if (spec.cancelled) return EventStatus.CANCELLED;
  if (startsAt.getTime() <= now.getTime()) return EventStatus.ENDED;
  // Published: on sale, or announced with a sale date still ahead (saleStartsAt > now).
  return EventStatus.ON_SALE;
}

function planEvent(spec: EventSpec, venue: VenueSpec, now: Date): EventPlan {
  // Choices not written in the catalog come from a generator keyed by the slug: stable per event.
  const random = randomFor(spec.slug);
  const time = spec.time ?? pick(random, USUAL_START_TIMES[spec.category]);
  const startsAt = localTimeOnDay(now, spec.day, time, venue.timezone);
  const sale = spec.sale ?? {
    daysFromNow: spec.day < 0 ? spec.day - integerBetween(random, 21, 60) : -integerBetween(random, 7, 45),
  };
  const saleStartsAt =
    "hoursFromNow" in sale
      ? new Date(now.getTime() + sale.hoursFromNow * HOUR_MS)
      : localTimeOnDay(now, sale.daysFromNow, sale.at ?? SALE_OPENS_AT, venue.timezone);
  if (saleStartsAt > startsAt)
    throw new Error(`seed event ${spec.slug}: the sale opens after the show starts`);
  if (spec.tiers.length < 2 || spec.tiers.length > 5) throw new Error(`seed event ${spec.slug}: 2-5 tiers`);

  return {
    slug: spec.slug,
    name: spec.name,
    description: spec.description,
    category: spec.category,
    performerSlug: spec.performer,
    venueSlug: spec.venue,
    startsAt,
    saleStartsAt,
    status: statusOf(spec, startsAt, now),
    currency: spec.currency ?? "EUR",
    maxTicketsPerAccount: spec.maxTicketsPerAccount ?? 8,
    feePerTicketMinor: spec.feePerTicketMinor ?? 0,
    organized: !spec.independent,
    queueEnabled: spec.queue !== undefined,
    admissionRatePerMinute: spec.queue?.admissionRatePerMinute ?? DEFAULT_ADMISSION_RATE_PER_MINUTE,
    maxActiveShoppers: spec.queue?.maxActiveShoppers ?? null,
    tiers: spec.tiers,
    chart: spec.chart ?? "Main",
  };
}

/** Every catalog event, scheduled relative to `now`. Pure: the same `now` gives the same plans. */
export function buildEventPlans(now: Date, venues: readonly VenueSpec[], events = EVENTS): EventPlan[] {
  const venuesBySlug = new Map(venues.map((venue) => [venue.slug, venue]));
  return events.map((spec) => {
    const venue = venuesBySlug.get(spec.venue);
    if (!venue) throw new Error(`seed event ${spec.slug}: unknown venue ${spec.venue}`);
    return planEvent(spec, venue, now);
  });
}
