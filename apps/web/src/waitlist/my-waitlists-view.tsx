"use client";

import { useQuery } from "@apollo/client/react";
import Link from "next/link";
import { useSignedInViewer } from "@/auth/use-signed-in-viewer";
import layout from "@/components/layout.module.css";
import { Notice, ProblemNotice } from "@/components/notice";
import { MyWaitlistsDocument } from "@/gql/graphql";
import { describeApiError } from "@/lib/api-errors";
import { formatEventDate } from "@/lib/format";
import styles from "@/transfers/transfers.module.css";
import { OfferNotice } from "./offer-notice";
import { useWaitlistOffers } from "./use-waitlist-offers";
import { WaitlistPlace } from "./waitlist-place";

/** "My waitlists": every place, its position or offer, live as offers arrive. */
export function MyWaitlistsView() {
  const { viewer } = useSignedInViewer();
  const { data, error, refetch } = useQuery(MyWaitlistsDocument, {
    skip: !viewer,
    fetchPolicy: "cache-and-network",
  });
  const offer = useWaitlistOffers(Boolean(viewer));
  if (error && !data) return <ProblemNotice problem={describeApiError(error)} onRetry={refetch} />;
  if (!data) {
    return (
      <p className={layout.muted} role="status">
        Loading your waitlists…
      </p>
    );
  }
  const entries = data.myWaitlists;
  return (
    <section className={styles.section} aria-labelledby="waitlists-heading">
      <h1 id="waitlists-heading" className={layout.title}>
        My waitlists
      </h1>
      <OfferNotice offer={offer} />
      {entries.length === 0 ? (
        <Notice
          title="You are on no waitlist"
          action={
            <Link className="button" href="/">
              Find events
            </Link>
          }
        >
          When an event sells out, its page lets you join the waitlist.
        </Notice>
      ) : (
        <ul className={styles.list}>
          {entries.map((entry) => (
            <li key={entry.id}>
              <h2>
                <Link href={`/events/${encodeURIComponent(entry.eventId)}`}>{entry.event.name}</Link>
              </h2>
              <p className={layout.muted}>
                {formatEventDate(entry.event.startsAt, entry.event.venue.timezone)} · {entry.event.venue.name}
                , {entry.event.venue.city}
              </p>
              <WaitlistPlace entry={entry} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
