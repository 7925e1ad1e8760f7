"use client";

import { useMutation } from "@apollo/client/react";
import { useId, useRef, useState } from "react";
import { CancelOrderDocument, type OrderFieldsFragment } from "@/gql/graphql";
import { describeApiError, graphQLErrorDetails } from "@/lib/api-errors";
import { formatMoney } from "@/lib/format";
import styles from "./orders.module.css";

/** "Cancel order", confirmed in a modal dialog; the answer updates the cached order (status, tickets). */
export function CancelOrderButton({
  order,
  onCancelled,
}: {
  order: OrderFieldsFragment;
  /** After the order is cancelled (this button then goes away, and focus needs a new home). */
  onCancelled: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [cancelOrder, { loading }] = useMutation(CancelOrderDocument);
  const [problem, setProblem] = useState<string | null>(null);
  const id = useId();
  const ticketCount = order.tickets.length;

  const open = () => {
    setProblem(null);
    dialog.current?.showModal();
  };

  const confirm = async () => {
    setProblem(null);
    try {
      await cancelOrder({ variables: { orderId: order.id } });
      dialog.current?.close();
      onCancelled();
    } catch (error) {
      const details = graphQLErrorDetails(error);
      setProblem(
        details?.code === "FORBIDDEN"
          ? "This order can no longer be cancelled."
          : describeApiError(error).message,
      );
    }
  };

  return (
    <>
      <button type="button" className="button button-secondary" onClick={open}>
        Cancel order
      </button>
      <dialog
        ref={dialog}
        className={styles.dialog}
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-text`}
        // Escape must not close the dialog while the cancellation is on its way.
        onCancel={(event) => {
          if (loading) event.preventDefault();
        }}
      >
        <h2 id={`${id}-title`}>Cancel this order?</h2>
        <p id={`${id}-text`}>
          {ticketCount === 1 ? "Your ticket" : `All ${ticketCount} tickets`} will stop working and{" "}
          {formatMoney(order.total.amount, order.total.currency)} will be refunded to your card. The seats go
          back on sale. This can't be undone.
        </p>
        <div role="alert">{problem ? <p className={styles.dialogError}>{problem}</p> : null}</div>
        <div className={styles.dialogActions}>
          {/* First in the dialog, so showModal() focuses it: the safe choice has the focus. */}
          <button
            type="button"
            className="button button-secondary"
            disabled={loading}
            onClick={() => dialog.current?.close()}
          >
            Keep my tickets
          </button>
          <button
            type="button"
            className={`button ${styles.dangerButton}`}
            disabled={loading}
            aria-busy={loading}
            onClick={confirm}
          >
            {loading ? "Cancelling…" : "Yes, cancel order"}
          </button>
        </div>
      </dialog>
    </>
  );
}
