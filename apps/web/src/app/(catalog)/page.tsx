import type { Metadata } from "next";
import Link from "next/link";
import { CatalogFilterBar } from "@/catalog/catalog-filter-bar";
import { CatalogResultsList } from "@/catalog/catalog-results-list";
import { EventCard } from "@/components/event-card";
import { Notice } from "@/components/notice";
import { CatalogEventsDocument, CatalogOptionsDocument } from "@/gql/graphql";
import { describeApiError } from "@/lib/api-errors";
import { query } from "@/lib/apollo/server-client";
import {
  CATALOG_PAGE_SIZE,
  catalogQueryString,
  dateRangeProblem,
  hasActiveFilters,
  parseCatalogFilters,
  toEventFilter,
} from "@/lib/catalog-filters";
import { formatCount } from "@/lib/format";
import styles from "./page.module.css";

export const metadata: Metadata = { title: "Events" };

export default async function CatalogPage({ searchParams }: PageProps<"/">) {
  const filters = parseCatalogFilters(await searchParams);
  const filter = toEventFilter(filters);
  // Dates in the wrong order are the fan's to fix, next to the dates: no point asking the API.
  const dateProblem = dateRangeProblem(filters);
  const [options, results] = await Promise.allSettled([
    query({ query: CatalogOptionsDocument }),
    dateProblem
      ? Promise.resolve(null)
      : query({ query: CatalogEventsDocument, variables: { filter, first: CATALOG_PAGE_SIZE } }),
  ]);
  const cities = options.status === "fulfilled" ? (options.value.data?.cities ?? []) : [];
  const categories = options.status === "fulfilled" ? (options.value.data?.categories ?? []) : [];
  const events = results.status === "fulfilled" ? results.value?.data?.events : undefined;
  const problem = results.status === "rejected" ? describeApiError(results.reason) : null;
  const currentQueryString = catalogQueryString(filters);

  return (
    <>
      <section className={styles.hero}>
        <h1>Find your next night out</h1>
        <p>Concerts, theatre, comedy and sport. Pick your seat on a live map.</p>
      </section>
      <CatalogFilterBar filters={filters} cities={cities} categories={categories} dateProblem={dateProblem} />
      <section aria-labelledby="results-heading" data-results>
        <div className={styles.resultsHeader}>
          <h2 id="results-heading" aria-live="polite">
            {events
              ? `${formatCount(events.totalCount)} ${events.totalCount === 1 ? "event" : "events"}`
              : "Events"}
          </h2>
        </div>
        {dateProblem ? (
          <Notice title="Check the dates">
            Events show once the “To” date is on or after the “From” date.
          </Notice>
        ) : problem ? (
          <Notice
            tone="error"
            title={problem.title}
            action={
              <a className="button" href={currentQueryString ? `/?${currentQueryString}` : "/"}>
                Try again
              </a>
            }
          >
            {problem.message}
          </Notice>
        ) : events && events.edges.length > 0 ? (
          <CatalogResultsList
            key={currentQueryString}
            filter={filter}
            totalCount={events.totalCount}
            firstPageIds={events.edges.map((edge) => edge.node.id)}
            endCursor={events.pageInfo.endCursor}
            hasNextPage={events.pageInfo.hasNextPage}
          >
            {events.edges.map((edge) => (
              <li key={edge.node.id}>
                <EventCard event={edge.node} />
              </li>
            ))}
          </CatalogResultsList>
        ) : (
          <Notice
            title={hasActiveFilters(filters) ? "No events match these filters" : "No events yet"}
            action={
              hasActiveFilters(filters) ? (
                <Link className="button button-secondary" href="/">
                  Show all events
                </Link>
              ) : null
            }
          >
            {hasActiveFilters(filters)
              ? "Try a different search, another city or a wider date range."
              : "Nothing is on sale right now. Check back soon."}
          </Notice>
        )}
      </section>
    </>
  );
}
