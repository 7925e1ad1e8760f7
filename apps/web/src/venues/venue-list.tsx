"use client";

import { useQuery } from "@apollo/client/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { ProblemNotice } from "@/components/notice";
import { MyVenuesDocument } from "@/gql/graphql";
import { describeApiError } from "@/lib/api-errors";
import formStyles from "@/organizer/organizer.module.css";
import { VenueForm } from "./venue-form";
import styles from "./venues.module.css";

/** The organizer's venues (every venue for admins) with their charts, and a form for a new one. */
export function VenueList() {
  const router = useRouter();
  const { data, error, loading, refetch } = useQuery(MyVenuesDocument);
  if (loading && !data) return <p aria-busy="true">Loading your venues…</p>;
  if (error && !data) return <ProblemNotice problem={describeApiError(error)} onRetry={() => refetch()} />;
  const venues = data?.myVenues ?? [];
  return (
    <>
      {venues.length === 0 ? <p>No venues yet: create your first one below.</p> : null}
      <ul className={formStyles.eventList} aria-label="Your venues">
        {venues.map((venue) => (
          <li key={venue.id} className={formStyles.eventRow}>
            <div>
              <Link className={formStyles.eventName} href={`/organizer/venues/${venue.id}`}>
                {venue.name}
              </Link>
              <p className={styles.hint}>
                {venue.city} · {venue.timezone}
              </p>
            </div>
            <ul className={styles.chartList} aria-label={`Charts of ${venue.name}`}>
              {venue.charts.map((chart) => (
                <li key={chart.id}>
                  {chart.name} v{chart.version}: {chart.seats.toLocaleString("en-US")} seats
                  {chart.standingCapacity > 0
                    ? ` + ${chart.standingCapacity.toLocaleString("en-US")} standing`
                    : ""}
                  {chart.frozenAt ? " (frozen)" : ""}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
      <section className={formStyles.section} aria-labelledby="new-venue">
        <h2 id="new-venue">New venue</h2>
        <VenueForm onSaved={(venue) => router.push(`/organizer/venues/${venue.id}`)} />
      </section>
    </>
  );
}
