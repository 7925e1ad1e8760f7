"use client";

import { useMutation, useQuery } from "@apollo/client/react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState } from "react";
import { signUpHref } from "@/auth/return-path";
import { useSignedInViewer } from "@/auth/use-signed-in-viewer";
import layout from "@/components/layout.module.css";
import { Notice, ProblemNotice } from "@/components/notice";
import { AcceptTransferDocument, TransferDocument } from "@/gql/graphql";
import { describeApiError, formProblem, isNotFoundError } from "@/lib/api-errors";
import { formatEventDate, formatEventTime, formatTicketCount } from "@/lib/format";
import styles from "./transfers.module.css";

/**
 * The link a transfer's email points at. Signed out, the visitor goes to log in (with a link to sign up)
 * and comes back here; signed in with the email the transfer names, "Accept tickets" re-issues them.
 */
export function AcceptTransferView({ transferId }: { transferId: string }) {
  const { viewer } = useSignedInViewer();
  const pathname = usePathname();
  const { data, error, refetch } = useQuery(TransferDocument, {
    variables: { id: transferId },
    skip: !viewer,
    fetchPolicy: "cache-and-network",
  });
  const [acceptTransfer, { loading }] = useMutation(AcceptTransferDocument);
  const [problem, setProblem] = useState<string | null>(null);

  if (!viewer) {
    return (
      <p className={layout.muted} role="status">
        Checking who you are… New to Frontrow? <Link href={signUpHref(pathname)}>Sign up</Link> with the email
        the tickets were sent to.
      </p>
    );
  }
  if (error && !data) {
    if (isNotFoundError(error)) {
      return (
        <Notice title="Transfer not found">
          There is no transfer with this link for {viewer.email}. If the tickets were sent to another email,
          log in with that account.
        </Notice>
      );
    }
    return <ProblemNotice problem={describeApiError(error)} onRetry={refetch} />;
  }
  const transfer = data?.transfer;
  if (!transfer) {
    return (
      <p className={layout.muted} role="status">
        Loading the transfer…
      </p>
    );
  }
  const { event } = transfer;
  const accept = async () => {
    setProblem(null);
    try {
      await acceptTransfer({ variables: { transferId } });
    } catch (failure) {
      setProblem(formProblem(failure).message);
    }
  };

  return (
    <article className={styles.section} data-transfer-id={transfer.id} data-state={transfer.state}>
      <h1 className={layout.title}>
        {formatTicketCount(transfer.ticketCount)} for {event.name}
      </h1>
      <p className={layout.eventLine}>
        <span>
          {formatEventDate(event.startsAt, event.venue.timezone)} ·{" "}
          {formatEventTime(event.startsAt, event.venue.timezone)}
        </span>
        <span>
          {event.venue.name}, {event.venue.city}
        </span>
      </p>
      <p>
        {transfer.fromName ?? "A Frontrow fan"} sent{" "}
        {transfer.ticketCount === 1 ? "this ticket" : "these tickets"} to {transfer.toEmail}.
      </p>
      <div aria-live="polite">
        {transfer.state === "ACCEPTED" ? (
          <p className={`${layout.message} ${layout.success}`}>
            The tickets are yours.{" "}
            {transfer.newOrderId ? (
              <Link href={`/orders/${encodeURIComponent(transfer.newOrderId)}`}>See your tickets</Link>
            ) : null}
          </p>
        ) : transfer.state === "CANCELLED" ? (
          <p className={`${layout.message} ${layout.info}`}>The sender cancelled this transfer.</p>
        ) : null}
        {problem ? (
          <p className={`${layout.message} ${layout.error}`} role="alert">
            {problem}
          </p>
        ) : null}
      </div>
      {transfer.state === "PENDING" ? (
        <div className={styles.actions}>
          <button type="button" className="button" onClick={accept} disabled={loading} aria-busy={loading}>
            {loading ? "Accepting…" : "Accept tickets"}
          </button>
        </div>
      ) : null}
    </article>
  );
}
