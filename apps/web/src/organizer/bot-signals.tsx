"use client";

import { useMutation, useQuery } from "@apollo/client/react";
import { useState } from "react";
import layout from "@/components/layout.module.css";
import { BlockAccountDocument, EventBotSignalsDocument, UnblockAccountDocument } from "@/gql/graphql";
import { describeApiError } from "@/lib/api-errors";
import { formatCount } from "@/lib/format";
import styles from "./organizer.module.css";

const REFRESH_MS = 10_000;
const KIND_LABELS: Record<string, string> = {
  FAILED_PROOF_OF_WORK: "failed puzzles",
  RATE_LIMITED: "rate limited",
  SIGNUPS_FROM_ONE_IP: "sign-ups from one address",
};

/** Accounts with bot signals around this event, and blocking them (which also takes them out of the line). */
export function BotSignals({ eventId }: { eventId: string }) {
  const { data, error, refetch } = useQuery(EventBotSignalsDocument, {
    variables: { eventId },
    ssr: false,
    fetchPolicy: "network-only",
    pollInterval: REFRESH_MS,
  });
  const [blockAccount] = useMutation(BlockAccountDocument);
  const [unblockAccount] = useMutation(UnblockAccountDocument);
  const [busyUserId, setBusyUserId] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const accounts = data?.accountBotSignals ?? [];

  const toggleBlock = async (userId: string, blocked: boolean) => {
    setBusyUserId(userId);
    setProblem(null);
    try {
      if (blocked) await unblockAccount({ variables: { userId } });
      else await blockAccount({ variables: { userId, reason: `Bot signals around event ${eventId}` } });
      await refetch();
    } catch (caught) {
      setProblem(describeApiError(caught).message);
    } finally {
      setBusyUserId(null);
    }
  };

  return (
    <section aria-labelledby="signals-heading" className={styles.section}>
      <h2 id="signals-heading">Suspicious accounts</h2>
      <p className={layout.muted}>
        Accounts that failed puzzles or hit rate limits around this event. Blocking signs the account out,
        releases its holds and takes it out of the line.
      </p>
      {error && !data ? <p role="alert">{describeApiError(error).message}</p> : null}
      {problem ? <p role="alert">{problem}</p> : null}
      {data && accounts.length === 0 ? <p className={layout.muted}>No bot signals so far.</p> : null}
      {accounts.length > 0 ? (
        <ul className={styles.eventList}>
          {accounts.map((account) => (
            <li key={account.userId} className={styles.eventRow}>
              <div>
                <strong>{account.email}</strong>
                <p className={layout.muted}>
                  {formatCount(account.total)} signals:{" "}
                  {account.kinds
                    .map((kind) => `${formatCount(kind.count)} ${KIND_LABELS[kind.kind] ?? kind.kind}`)
                    .join(", ")}
                </p>
              </div>
              <button
                type="button"
                className={account.blockedAt ? "button button-secondary" : "button"}
                disabled={busyUserId === account.userId}
                onClick={() => void toggleBlock(account.userId, account.blockedAt !== null)}
              >
                {account.blockedAt ? `Unblock ${account.email}` : `Block ${account.email}`}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
