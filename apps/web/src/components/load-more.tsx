"use client";

import { useState } from "react";
import { describeApiError } from "@/lib/api-errors";
import styles from "./load-more.module.css";

interface PageInfo {
  hasNextPage: boolean;
  endCursor?: string | null;
}

/**
 * "Load more" for a connection: fetches the page after `endCursor`, which the cache's relay-style policy
 * for that field (apollo-provider.tsx) appends to the list; says so when it fails and lets the fan retry.
 */
export function LoadMore({
  pageInfo,
  fetchMore,
  label,
}: {
  pageInfo: PageInfo | undefined;
  fetchMore: (options: { variables: { after: string } }) => Promise<unknown>;
  label: string;
}) {
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const endCursor = pageInfo?.endCursor;
  if (!pageInfo?.hasNextPage || !endCursor) return null;

  const loadMore = async () => {
    setLoading(true);
    setProblem(null);
    try {
      await fetchMore({ variables: { after: endCursor } });
    } catch (error) {
      setProblem(describeApiError(error).message);
    } finally {
      setLoading(false);
    }
  };

  return (
    <div className={styles.loadMore}>
      {problem ? (
        <p className={styles.problem} role="alert">
          {problem}
        </p>
      ) : null}
      <button
        type="button"
        className="button button-secondary"
        onClick={loadMore}
        disabled={loading}
        aria-busy={loading}
      >
        {loading ? "Loading…" : label}
      </button>
    </div>
  );
}
