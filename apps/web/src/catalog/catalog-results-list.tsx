"use client";

import { useApolloClient } from "@apollo/client/react";
import { type ReactNode, useEffect, useRef, useState } from "react";
import { EventCard } from "@/components/event-card";
import { Notice } from "@/components/notice";
import { CatalogEventsDocument, type EventCardFieldsFragment, type EventFilter } from "@/gql/graphql";
import { type ApiProblem, describeApiError } from "@/lib/api-errors";
import { CATALOG_PAGE_SIZE } from "@/lib/catalog-filters";
import { formatCount } from "@/lib/format";
import styles from "./catalog-results.module.css";

interface CatalogResultsListProps {
  filter: EventFilter;
  totalCount: number;
  /** Ids of the server-rendered first page, so a shifted page never repeats a card. */
  firstPageIds: readonly string[];
  endCursor: string | null;
  hasNextPage: boolean;
  /** The first page, rendered on the server. */
  children: ReactNode;
}

/** The results grid: the server renders page one, "Load more" appends the next pages by cursor. */
export function CatalogResultsList(props: CatalogResultsListProps) {
  const { filter, totalCount, firstPageIds, children } = props;
  const client = useApolloClient();
  const [moreEvents, setMoreEvents] = useState<EventCardFieldsFragment[]>([]);
  const [cursor, setCursor] = useState(props.endCursor);
  const [hasNextPage, setHasNextPage] = useState(props.hasNextPage);
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const list = useRef<HTMLUListElement>(null);
  const focusFromIndex = useRef<number | null>(null);
  const shownCount = firstPageIds.length + moreEvents.length;

  // Keyboard and screen-reader users continue at the first new card instead of the button.
  useEffect(() => {
    const index = focusFromIndex.current;
    if (index === null || moreEvents.length === 0) return;
    focusFromIndex.current = null;
    list.current?.children.item(index)?.querySelector("a")?.focus();
  }, [moreEvents]);

  const loadMore = async () => {
    setLoading(true);
    setProblem(null);
    try {
      const { data } = await client.query({
        query: CatalogEventsDocument,
        variables: { filter, first: CATALOG_PAGE_SIZE, after: cursor },
        // Each page is shown once, here: normalising it into the cache would only cost time.
        fetchPolicy: "no-cache",
      });
      if (!data) throw new Error("The API returned no events.");
      const seen = new Set([...firstPageIds, ...moreEvents.map((event) => event.id)]);
      const fresh = data.events.edges.map((edge) => edge.node).filter((event) => !seen.has(event.id));
      focusFromIndex.current = shownCount;
      setMoreEvents([...moreEvents, ...fresh]);
      setCursor(data.events.pageInfo.endCursor);
      setHasNextPage(data.events.pageInfo.hasNextPage && fresh.length > 0);
    } catch (error) {
      setProblem(describeApiError(error));
    } finally {
      setLoading(false);
    }
  };

  return (
    <>
      <ul className={styles.grid} ref={list}>
        {children}
        {moreEvents.map((event) => (
          <li key={event.id}>
            <EventCard event={event} />
          </li>
        ))}
      </ul>
      {problem ? (
        <Notice tone="error" title={problem.title}>
          {problem.message}
        </Notice>
      ) : null}
      <div className={styles.more}>
        <p className={styles.progress}>
          Showing {formatCount(shownCount)} of {formatCount(totalCount)}
        </p>
        {hasNextPage ? (
          <button type="button" className="button" onClick={loadMore} disabled={loading} aria-busy={loading}>
            {loading ? "Loading…" : problem ? "Try again" : "Load more events"}
          </button>
        ) : null}
      </div>
    </>
  );
}
