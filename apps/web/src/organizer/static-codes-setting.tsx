"use client";

import { useMutation, useQuery } from "@apollo/client/react";
import { useId, useState } from "react";
import layout from "@/components/layout.module.css";
import { EventStaticCodesDocument, SetStaticTicketCodesDocument } from "@/gql/graphql";
import { type ApiProblem, describeApiError, graphQLErrorDetails } from "@/lib/api-errors";
import styles from "./organizer.module.css";

function describeError(error: unknown): ApiProblem {
  if (graphQLErrorDetails(error)?.code === "FORBIDDEN")
    return { title: "Not your event", message: "Only the event's organizer or an admin can change this." };
  return describeApiError(error);
}

/** The organizer's switch for the static codes of printed tickets and Wallet passes (docs/orders.md). */
export function StaticCodesSetting({ eventId }: { eventId: string }) {
  const id = useId();
  const { data } = useQuery(EventStaticCodesDocument, {
    variables: { id: eventId },
    ssr: false,
    fetchPolicy: "network-only",
  });
  const [setStaticCodes, { loading }] = useMutation(SetStaticTicketCodesDocument);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const event = data?.event;
  if (!event) return null;

  const change = async (enabled: boolean) => {
    setProblem(null);
    try {
      await setStaticCodes({ variables: { eventId, enabled } });
    } catch (error) {
      setProblem(describeError(error));
    }
  };

  return (
    <section aria-labelledby={`${id}-heading`} className={styles.section}>
      <h2 id={`${id}-heading`}>Printed and Wallet tickets</h2>
      <div className={styles.checkboxField}>
        <input
          id={`${id}-enabled`}
          type="checkbox"
          checked={event.staticCodesEnabled}
          disabled={loading}
          aria-describedby={`${id}-hint${problem ? ` ${id}-error` : ""}`}
          onChange={(input) => void change(input.target.checked)}
        />
        <label htmlFor={`${id}-enabled`}>Printed tickets and Wallet passes admit</label>
      </div>
      <p id={`${id}-hint`} className={styles.hint}>
        Their code never changes, so a copy or a photo of one admits once, like paper. Turn this off for a
        show where you fear shared or resold PDFs: printed codes then scan INVALID at once, and only the live
        code in the Frontrow app admits.
      </p>
      {problem ? (
        <p id={`${id}-error`} role="alert" className={`${layout.message} ${layout.error}`}>
          {problem.title}: {problem.message}
        </p>
      ) : null}
    </section>
  );
}
