"use client";

import { useQuery } from "@apollo/client/react";
import { BackLink } from "@/components/back-link";
import layout from "@/components/layout.module.css";
import { LoadMore } from "@/components/load-more";
import { Notice, ProblemNotice } from "@/components/notice";
import { AuditLogDocument } from "@/gql/graphql";
import { describeApiError } from "@/lib/api-errors";
import styles from "./organizer.module.css";
import { organizerManageHref } from "./organizer-events";

const show = (value: unknown) =>
  value === null || value === undefined ? "—" : JSON.stringify(value, null, 1);

/** Who changed what on an event, with the values before and after, newest first. */
export function AuditLog({ eventId }: { eventId: string }) {
  const { data, error, loading, refetch, fetchMore } = useQuery(AuditLogDocument, {
    variables: { eventId },
    fetchPolicy: "network-only",
    ssr: false,
  });
  if (loading && !data) return <p aria-busy="true">Loading the audit log…</p>;
  if (error && !data) return <ProblemNotice problem={describeApiError(error)} onRetry={refetch} />;
  const page = data?.auditLog;
  return (
    <div className={styles.controlsPage}>
      <header className={styles.header}>
        <BackLink href={organizerManageHref(eventId)}>The event</BackLink>
        <h1 className={layout.title}>Audit log</h1>
        <p className={layout.muted}>{page?.totalCount ?? 0} entries, newest first.</p>
      </header>
      {!page?.edges.length ? (
        <Notice title="Nothing yet">Every change to the event will be listed here.</Notice>
      ) : (
        <ol className={styles.auditList}>
          {page.edges.map(({ node }) => (
            <li key={node.id} className={styles.section}>
              <strong>{node.action}</strong>
              <span className={layout.muted}>
                {new Date(node.createdAt).toLocaleString()} · {node.actorEmail ?? "Frontrow (automatic)"}
              </span>
              <div className={styles.fields}>
                <div>
                  <span className={styles.hint}>Before</span>
                  <pre>{show(node.before)}</pre>
                </div>
                <div>
                  <span className={styles.hint}>After</span>
                  <pre>{show(node.after)}</pre>
                </div>
              </div>
            </li>
          ))}
        </ol>
      )}
      <LoadMore pageInfo={page?.pageInfo} fetchMore={fetchMore} label="Older entries" />
    </div>
  );
}
