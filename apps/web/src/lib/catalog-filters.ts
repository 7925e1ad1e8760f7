import type { EventFilter } from "@/gql/graphql";

/** The catalog filters as they live in the URL query string. */
export interface CatalogFilters {
  search: string;
  city: string;
  category: string;
  /** First day, YYYY-MM-DD, inclusive. */
  from: string;
  /** Last day, YYYY-MM-DD, inclusive. */
  to: string;
  onSale: boolean;
}

/** Events per catalog page: the server renders the first page, the browser loads the next ones. */
export const CATALOG_PAGE_SIZE = 12;

export const EMPTY_CATALOG_FILTERS: CatalogFilters = {
  search: "",
  city: "",
  category: "",
  from: "",
  to: "",
  onSale: false,
};

type QueryValue = string | string[] | undefined;

function first(value: QueryValue): string {
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? "";
}

function isCalendarDate(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}

/** Reads filters from a Next `searchParams` object, ignoring anything malformed. */
export function parseCatalogFilters(params: Record<string, QueryValue>): CatalogFilters {
  const from = first(params.from);
  const to = first(params.to);
  return {
    search: first(params.q),
    city: first(params.city),
    category: first(params.category),
    from: isCalendarDate(from) ? from : "",
    to: isCalendarDate(to) ? to : "",
    onSale: first(params.onSale) === "1",
  };
}

/** The canonical query string for a set of filters (empty values left out, so URLs stay short). */
export function catalogQueryString(filters: CatalogFilters): string {
  const params = new URLSearchParams();
  if (filters.search) params.set("q", filters.search);
  if (filters.city) params.set("city", filters.city);
  if (filters.category) params.set("category", filters.category);
  if (filters.from) params.set("from", filters.from);
  if (filters.to) params.set("to", filters.to);
  if (filters.onSale) params.set("onSale", "1");
  return params.toString();
}

/** Why the dates cannot be searched (the "To" day before the "From" day), or null. */
export function dateRangeProblem(filters: CatalogFilters): string | null {
  return filters.from && filters.to && filters.to < filters.from
    ? "The “To” date is before the “From” date. Choose a “To” date on or after the “From” date."
    : null;
}

export function hasActiveFilters(filters: CatalogFilters): boolean {
  return catalogQueryString(filters) !== "";
}

function nextDay(calendarDate: string): string {
  const date = new Date(`${calendarDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString();
}

/** The API filter. Days are whole UTC days: close enough for browsing, and cards show venue-local times. */
export function toEventFilter(filters: CatalogFilters): EventFilter {
  const filter: EventFilter = {};
  if (filters.search) filter.search = filters.search;
  if (filters.city) filter.city = filters.city;
  if (filters.category) filter.category = filters.category;
  if (filters.from) filter.startsAfter = `${filters.from}T00:00:00.000Z`;
  if (filters.to) filter.startsBefore = nextDay(filters.to);
  if (filters.onSale) filter.onSale = true;
  return filter;
}
