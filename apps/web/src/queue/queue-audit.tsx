"use client";

import { useQuery } from "@apollo/client/react";
import { useState } from "react";
import { BackLink } from "@/components/back-link";
import layout from "@/components/layout.module.css";
import { ProblemNotice } from "@/components/notice";
import { QueueAuditDocument } from "@/gql/graphql";
import { describeApiError } from "@/lib/api-errors";
import { formatCount, formatDateTime } from "@/lib/format";
import styles from "./queue-audit.module.css";
import { checkDraw, type DrawFacts } from "./verify-draw";

// Long lists are summarised on the page; the full lists are one query away for anyone checking.
const SHOWN_ENTRIES = 20;

function EntryList({ entries, label }: { entries: readonly string[]; label: string }) {
  return (
    <>
      <ol className={styles.entries} aria-label={label}>
        {entries.slice(0, SHOWN_ENTRIES).map((entry) => (
          <li key={entry}>
            <code>{entry}</code>
          </li>
        ))}
      </ol>
      {entries.length > SHOWN_ENTRIES ? (
        <p className={layout.muted}>…and {formatCount(entries.length - SHOWN_ENTRIES)} more.</p>
      ) : null}
    </>
  );
}

function BrowserCheck({ facts }: { facts: DrawFacts }) {
  const [check, setCheck] = useState<ReturnType<typeof checkDraw> | "pending">("pending");
  if (check === "pending") {
    return (
      <button type="button" className="button" onClick={() => setCheck(checkDraw(facts))}>
        Check the draw in this browser
      </button>
    );
  }
  if (!check)
    return <p className={layout.muted}>Nothing to check yet: the seed is revealed when the sale opens.</p>;
  return (
    <ul className={styles.checks} data-draw-check>
      <li data-check={check.commitmentMatches ? "pass" : "fail"}>
        {check.commitmentMatches
          ? "✓ The revealed seed hashes to the commitment published before the draw."
          : "✗ The revealed seed does NOT hash to the commitment."}
      </li>
      <li data-check={check.orderMatches ? "pass" : "fail"}>
        {check.orderMatches
          ? `✓ The drawn order is exactly the one the seed gives for these ${formatCount(facts.preQueueEntries.length)} entries.`
          : "✗ The drawn order is NOT the one the seed gives."}
      </li>
    </ul>
  );
}

/** The verifiable draw of an event's pre-queue: what was committed, what was revealed, how to check. */
export function QueueAudit({ eventId, entryId }: { eventId: string; entryId: string | null }) {
  const { data, error, loading, refetch } = useQuery(QueueAuditDocument, {
    variables: { eventId },
    ssr: false,
    fetchPolicy: "network-only",
  });
  const eventHref = `/events/${encodeURIComponent(eventId)}`;
  if (loading && !data) return <p aria-busy="true">Loading the draw…</p>;
  const audit = data?.queueAudit;
  if (!audit) {
    const problem = error
      ? describeApiError(error)
      : { title: "No draw", message: "This event has no draw." };
    return <ProblemNotice problem={problem} onRetry={refetch} />;
  }
  const revealed = audit.seed !== null && audit.revealedAt !== null;
  const drawnAt = entryId && audit.drawnOrder ? audit.drawnOrder.indexOf(entryId) : -1;
  return (
    <div className={styles.audit}>
      <BackLink href={eventHref}>Back to the event</BackLink>
      <h1 className={layout.title}>The waiting-room draw</h1>
      <p>
        Fans who join before the sale opens are put in a random order when it opens, so arriving early gives
        no edge. To prove nobody chose that order, the waiting room <strong>commits</strong> to a secret
        random seed before the draw (publishing its hash), then <strong>reveals</strong> the seed at sale
        start. The order is a fixed function of the seed and the entries: anyone can recompute it.
      </p>
      <dl className={styles.facts}>
        <div>
          <dt>Commitment (published before the draw)</dt>
          <dd>
            <code data-audit-commitment>{audit.commitment ?? "Not published yet"}</code>
          </dd>
        </div>
        <div>
          <dt>Seed</dt>
          <dd>
            <code data-audit-seed>{revealed ? audit.seed : "Revealed when the sale opens"}</code>
          </dd>
        </div>
        {audit.revealedAt ? (
          <div>
            <dt>Revealed at</dt>
            <dd>
              <time dateTime={audit.revealedAt}>
                {data.event
                  ? formatDateTime(audit.revealedAt, data.event.venue.timezone)
                  : new Date(audit.revealedAt).toUTCString()}
              </time>
            </dd>
          </div>
        ) : null}
        <div>
          <dt>Algorithm</dt>
          <dd data-audit-algorithm>{audit.algorithm}</dd>
        </div>
      </dl>
      <section className={styles.section} aria-labelledby="check-heading">
        <h2 id="check-heading">How to check it</h2>
        <ol className={styles.steps}>
          <li>
            Before the sale, note the commitment above (or ask the API for it: <code>queueAudit</code>).
          </li>
          <li>
            After the sale opens, hash the revealed seed as the algorithm says: it must equal the commitment.
          </li>
          <li>
            Apply the algorithm to the seed and the pre-queue entries below: the result must be the drawn
            order, entry for entry.
          </li>
        </ol>
        <BrowserCheck facts={audit} />
        <pre className={styles.query}>
          {`query { queueAudit(eventId: "${eventId}") { commitment seed algorithm preQueueEntries drawnOrder revealedAt } }`}
        </pre>
      </section>
      {entryId ? (
        <p className={styles.yours} data-your-entry={entryId}>
          Your entry is <code>{entryId}</code>
          {drawnAt >= 0
            ? `: drawn number ${formatCount(drawnAt + 1)} of ${formatCount(audit.drawnOrder?.length ?? 0)}.`
            : audit.preQueueEntries.includes(entryId)
              ? ": in the pre-queue, waiting for the draw."
              : ": it joined after the sale opened, so it is served in arrival order, not drawn."}
        </p>
      ) : null}
      <section className={styles.section} aria-labelledby="entries-heading">
        <h2 id="entries-heading">Pre-queue entries ({formatCount(audit.preQueueEntries.length)})</h2>
        {audit.preQueueEntries.length > 0 ? (
          <EntryList entries={audit.preQueueEntries} label="Pre-queue entries" />
        ) : (
          <p className={layout.muted}>No one has joined the pre-queue.</p>
        )}
      </section>
      <section className={styles.section} aria-labelledby="order-heading">
        <h2 id="order-heading">Drawn order</h2>
        {audit.drawnOrder ? (
          <EntryList entries={audit.drawnOrder} label="Drawn order" />
        ) : (
          <p className={layout.muted}>The draw happens when the sale opens.</p>
        )}
      </section>
    </div>
  );
}
