"use client";

import { useApolloClient } from "@apollo/client/react";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import layout from "@/components/layout.module.css";
import { Notice, ProblemNotice } from "@/components/notice";
import { OrganizerEventsDocument, type OrganizerEventsQuery } from "@/gql/graphql";
import { type ApiProblem, describeApiError } from "@/lib/api-errors";
import { formatCount, formatEventDate, formatEventTime } from "@/lib/format";
import styles from "./organizer.module.css";

type OrganizerEvent = OrganizerEventsQuery["events"]["edges"][number]["node"];

const REFRESH_MS = 10_000;

export const organizerEventHref = (eventId: string) => `/organizer/events/${encodeURIComponent(eventId)}`;

/** Every page of the catalog, keeping the events whose queue settings this account may see. */
async function loadOwnEvents(client: ReturnType<typeof useApolloClient>): Promise<OrganizerEvent[]> {
  const own: OrganizerEvent[] = [];
  let after: string | null = null;
  do {
    const result: { data?: OrganizerEventsQuery } = await client.query({
      query: OrganizerEventsDocument,
      variables: { after },
      fetchPolicy: "no-cache",
    });
    const page = result.data?.events;
    if (!page) throw new Error("The API returned no events.");
    own.push(...page.edges.map((edge) => edge.node).filter((event) => event.queueSettings !== null));
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return own;
}

/** The organizer's events, waiting-room events first, with live figures. */
export function OrganizerEvents() {
  const client = useApolloClient();
  const [events, setEvents] = useState<OrganizerEvent[] | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);

  const load = useCallback(
    () =>
      loadOwnEvents(client).then(
        (loaded) => {
          setEvents(loaded);
          setProblem(null);
        },
        (error: unknown) => setProblem(describeApiError(error)),
      ),
    [client],
  );
  useEffect(() => {
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => clearInterval(timer);
  }, [load]);

  if (problem && !events) {
    return <ProblemNotice problem={problem} onRetry={load} />;
  }
  if (!events) return <p aria-busy="true">Loading your events…</p>;
  if (events.length === 0) {
    return (
      <Notice title="No events yet">Events you organize appear here with their waiting-room controls.</Notice>
    );
  }
  const sorted = [...events].sort((a, b) => Number(b.queueEnabled) - Number(a.queueEnabled));
  return (
    <ul className={styles.eventList}>
      {sorted.map((event) => (
        <li key={event.id} className={styles.eventRow} data-organizer-event-id={event.id}>
          <div>
            <Link href={organizerEventHref(event.id)} className={styles.eventName}>
              {event.name}
            </Link>
            <p className={layout.muted}>
              {event.venue.name}, {event.venue.city} · {formatEventDate(event.startsAt, event.venue.timezone)}{" "}
              {formatEventTime(event.startsAt, event.venue.timezone)}
            </p>
          </div>
          {event.queueEnabled && event.queueSettings ? (
            <dl className={styles.miniFigures}>
              <div>
                <dt>Waiting</dt>
                <dd>{formatCount(event.queueSettings.waitingCount)}</dd>
              </div>
              <div>
                <dt>Shopping</dt>
                <dd>{formatCount(event.queueSettings.activeShoppers)}</dd>
              </div>
              <div>
                <dt>Admissions</dt>
                <dd>{event.queueSettings.paused ? "Paused" : "Running"}</dd>
              </div>
            </dl>
          ) : (
            <span className={layout.muted}>No waiting room</span>
          )}
        </li>
      ))}
    </ul>
  );
}
