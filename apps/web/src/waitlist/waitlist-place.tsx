"use client";

import { useMutation } from "@apollo/client/react";
import Link from "next/link";
import { useState } from "react";
import layout from "@/components/layout.module.css";
import { LeaveWaitlistDocument, MyWaitlistsDocument, type WaitlistEntryFieldsFragment } from "@/gql/graphql";
import { placeCount } from "@/holds/hold-card";
import { formProblem } from "@/lib/api-errors";
import { formatDateTime, formatTicketCount } from "@/lib/format";
import styles from "@/transfers/transfers.module.css";

/** One waitlist place: the fan's position, or the offer with its link to checkout, and "Leave". */
export function WaitlistPlace({ entry }: { entry: WaitlistEntryFieldsFragment }) {
  const [leaveWaitlist, { loading }] = useMutation(LeaveWaitlistDocument, {
    refetchQueries: [MyWaitlistsDocument],
  });
  const [problem, setProblem] = useState<string | null>(null);
  const timeZone = entry.event.venue.timezone;
  const live = entry.state === "WAITING" || entry.state === "OFFERED";
  const leave = async () => {
    setProblem(null);
    try {
      await leaveWaitlist({ variables: { eventId: entry.eventId } });
    } catch (error) {
      setProblem(formProblem(error).message);
    }
  };

  return (
    <div className={styles.item} data-waitlist-entry={entry.id} data-state={entry.state}>
      <span>
        <strong>{entry.areaId ? placeCount(0, entry.quantity) : formatTicketCount(entry.quantity)}</strong>
        <br />
        <span aria-live="polite">{describePlace(entry, timeZone)}</span>
      </span>
      <span className={styles.actions}>
        {entry.state === "OFFERED" && entry.holdId ? (
          <Link className="button" href={`/checkout/${encodeURIComponent(entry.holdId)}`}>
            {entry.areaId ? "Check out your places" : "Check out your seats"}
          </Link>
        ) : null}
        {live ? (
          <button type="button" className="button button-secondary" onClick={leave} disabled={loading}>
            {loading ? "Leaving…" : "Leave the waitlist"}
          </button>
        ) : null}
        {problem ? (
          <span className={`${layout.message} ${layout.error}`} role="alert">
            {problem}
          </span>
        ) : null}
      </span>
    </div>
  );
}

function describePlace(entry: WaitlistEntryFieldsFragment, timeZone: string): string {
  const what = entry.areaId ? "standing places" : "seats";
  switch (entry.state) {
    case "WAITING":
      return entry.position === 1 ? "You are next in line" : `You are number ${entry.position} in line`;
    case "OFFERED":
      return `The ${what} are held for you until ${entry.offerExpiresAt ? formatDateTime(entry.offerExpiresAt, timeZone) : "soon"}`;
    case "CLAIMED":
      return `You bought the ${what} offered to you`;
    case "LAPSED":
      return "The offer ran out and passed to the next fan";
    default:
      return "You left the waitlist";
  }
}
