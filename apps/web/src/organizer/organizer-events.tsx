"use client";

import { useQuery } from "@apollo/client/react";
import Link from "next/link";
import layout from "@/components/layout.module.css";
import { LoadMore } from "@/components/load-more";
import { Notice, ProblemNotice } from "@/components/notice";
import { MyEventsDocument } from "@/gql/graphql";
import { describeApiError } from "@/lib/api-errors";
import { formatEventDate, formatEventTime } from "@/lib/format";
import { EventStatus } from "./event-status";
import styles from "./organizer.module.css";

export const organizerEventHref = (eventId: string) => `/organizer/events/${encodeURIComponent(eventId)}`;
/** The event's management page (prices, publishing, seats, cancellation, audit). */
export const organizerManageHref = (eventId: string) => `${organizerEventHref(eventId)}/manage`;

/** Every event the organizer owns (admins: all): drafts, on sale, past and cancelled, with its state. */
export function OrganizerEvents() {
  const { data, error, loading, refetch, fetchMore } = useQuery(MyEventsDocument, {
    ssr: false,
    fetchPolicy: "network-only",
  });
  if (loading && !data) return <p aria-busy="true">Loading your events…</p>;
  if (error && !data) return <ProblemNotice problem={describeApiError(error)} onRetry={refetch} />;
  const page = data?.myEvents;
  const events = page?.edges.map((edge) => edge.node) ?? [];
  return (
    <>
      <p>
        <Link className="button" href="/organizer/events/new">
          New event
        </Link>
      </p>
      {events.length === 0 ? (
        <Notice title="No events yet">
          Create an event: it starts as a draft you can price and publish.
        </Notice>
      ) : (
        <ul className={styles.eventList}>
          {events.map((event) => (
            <li key={event.id} className={styles.eventRow} data-organizer-event-id={event.id}>
              <div>
                <Link href={organizerEventHref(event.id)} className={styles.eventName}>
                  {event.name}
                </Link>
                <p className={layout.muted}>
                  {event.venue.name}, {event.venue.city} ·{" "}
                  {formatEventDate(event.startsAt, event.venue.timezone)}{" "}
                  {formatEventTime(event.startsAt, event.venue.timezone)}
                  {event.queueEnabled ? " · waiting room" : ""}
                </p>
              </div>
              <span className={styles.formActions}>
                <EventStatus status={event.status} onSale={event.onSale} startsAt={event.startsAt} />
                <Link href={organizerManageHref(event.id)} aria-label={`Manage ${event.name}`}>
                  Manage
                </Link>
              </span>
            </li>
          ))}
        </ul>
      )}
      <LoadMore pageInfo={page?.pageInfo} fetchMore={fetchMore} label="More events" />
    </>
  );
}
