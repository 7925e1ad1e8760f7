"use client";

import { useMutation, useQuery } from "@apollo/client/react";
import { type FormEvent, useId, useState } from "react";
import layout from "@/components/layout.module.css";
import {
  CancelTransferDocument,
  type OrderFieldsFragment,
  OrderTransfersDocument,
  type TransferFieldsFragment,
  TransferTicketsDocument,
} from "@/gql/graphql";
import { type FormProblem, formProblem } from "@/lib/api-errors";
import { formatDateTime, formatTicketCount } from "@/lib/format";
import { sectionTitle } from "@/seating/seat-layout";
import { FieldError } from "./field-error";
import styles from "./transfers.module.css";

/**
 * "Transfer tickets" on the order page: choose tickets and an email; the transfers sent from this order,
 * pending ones with "Cancel". The tickets stay the fan's until the recipient accepts.
 */
export function TransferSection({ order, timeZone }: { order: OrderFieldsFragment; timeZone: string }) {
  const { data, refetch } = useQuery(OrderTransfersDocument, {
    variables: { id: order.id },
    fetchPolicy: "cache-and-network",
  });
  const transfers = data?.order?.transfers ?? [];
  const pendingTicketIds = new Set(
    transfers.filter((transfer) => transfer.state === "PENDING").flatMap((transfer) => transfer.ticketIds),
  );
  const transferable = order.tickets.filter(
    (ticket) => ticket.status === "VALID" && !ticket.usedAt && !pendingTicketIds.has(ticket.id),
  );
  if (order.status !== "CONFIRMED" && transfers.length === 0) return null;

  return (
    <section className={styles.section} aria-labelledby="transfer-heading" data-transfers>
      <h2 id="transfer-heading">Transfer tickets</h2>
      {order.status === "CONFIRMED" && transferable.length > 0 ? (
        <TransferForm orderId={order.id} tickets={transferable} onSent={() => refetch()} />
      ) : order.status === "CONFIRMED" ? (
        <p className={layout.muted}>No tickets of this order can be transferred right now.</p>
      ) : null}
      {transfers.length > 0 ? <TransferList transfers={transfers} timeZone={timeZone} /> : null}
    </section>
  );
}

type Ticket = OrderFieldsFragment["tickets"][number];

function TransferForm({
  orderId,
  tickets,
  onSent,
}: {
  orderId: string;
  tickets: Ticket[];
  onSent: () => unknown;
}) {
  const id = useId();
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [email, setEmail] = useState("");
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [transferTickets, { loading }] = useMutation(TransferTicketsDocument);
  const problemFor = (field: string | null) => (problem && problem.field === field ? problem.message : null);

  const toggle = (ticketId: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(ticketId);
    else next.delete(ticketId);
    setChosen(next);
  };

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setProblem(null);
    setSentTo(null);
    if (chosen.size === 0) {
      setProblem({ field: "ticketIds", code: "BAD_USER_INPUT", message: "Choose at least one ticket" });
      return;
    }
    try {
      const result = await transferTickets({
        variables: { orderId, ticketIds: [...chosen], toEmail: email },
      });
      setSentTo(result.data?.transferTickets.toEmail ?? email);
      setChosen(new Set());
      setEmail("");
      await onSent();
    } catch (error) {
      setProblem(formProblem(error));
    }
  };

  return (
    <form className={styles.form} onSubmit={submit} noValidate>
      <p className={layout.muted}>
        We email them a link. Once they accept, the tickets are theirs with new codes, and yours stop working.
      </p>
      <fieldset
        className={styles.tickets}
        aria-describedby={problemFor("ticketIds") ? `${id}-tickets-error` : undefined}
      >
        <legend>Tickets to transfer</legend>
        {tickets.map((ticket) => (
          <label key={ticket.id} className={styles.choice}>
            <input
              type="checkbox"
              name="ticketIds"
              value={ticket.id}
              checked={chosen.has(ticket.id)}
              onChange={(event) => toggle(ticket.id, event.target.checked)}
            />
            {sectionTitle(ticket.seat.section)}, row {ticket.seat.row}, seat {ticket.seat.number}
          </label>
        ))}
        <FieldError id={`${id}-tickets-error`} message={problemFor("ticketIds")} />
      </fieldset>
      <div className={styles.field}>
        <label htmlFor={`${id}-email`}>Recipient's email</label>
        <input
          id={`${id}-email`}
          name="toEmail"
          type="email"
          autoComplete="off"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          aria-invalid={problemFor("toEmail") ? true : undefined}
          aria-describedby={problemFor("toEmail") ? `${id}-email-error` : undefined}
        />
        <FieldError id={`${id}-email-error`} message={problemFor("toEmail")} />
      </div>
      {problem && problem.field !== "ticketIds" && problem.field !== "toEmail" ? (
        <p className={`${layout.message} ${layout.error}`} role="alert">
          {problem.message}
        </p>
      ) : null}
      <div aria-live="polite">
        {sentTo ? (
          <p className={`${layout.message} ${layout.success}`}>
            Sent to {sentTo}. Your tickets keep working until they accept.
          </p>
        ) : null}
      </div>
      <div className={styles.actions}>
        <button type="submit" className="button" disabled={loading} aria-busy={loading}>
          {loading ? "Sending…" : "Transfer tickets"}
        </button>
      </div>
    </form>
  );
}

function TransferList({ transfers, timeZone }: { transfers: TransferFieldsFragment[]; timeZone: string }) {
  return (
    <>
      <h3>Transfers from this order</h3>
      <ul className={styles.list}>
        {transfers.map((transfer) => (
          <li
            key={transfer.id}
            className={styles.item}
            data-transfer-id={transfer.id}
            data-state={transfer.state}
          >
            <span>
              {formatTicketCount(transfer.ticketCount)} to <strong>{transfer.toEmail}</strong>
              <br />
              <span className={layout.muted}>{describeState(transfer, timeZone)}</span>
            </span>
            {transfer.state === "PENDING" ? <CancelTransferButton transferId={transfer.id} /> : null}
          </li>
        ))}
      </ul>
    </>
  );
}

function describeState(transfer: TransferFieldsFragment, timeZone: string): string {
  switch (transfer.state) {
    case "PENDING":
      return `Waiting for them to accept (sent ${formatDateTime(transfer.createdAt, timeZone)})`;
    case "ACCEPTED":
      return transfer.acceptedAt ? `Accepted ${formatDateTime(transfer.acceptedAt, timeZone)}` : "Accepted";
    default:
      return transfer.cancelledAt
        ? `Cancelled ${formatDateTime(transfer.cancelledAt, timeZone)}`
        : "Cancelled";
  }
}

function CancelTransferButton({ transferId }: { transferId: string }) {
  const [cancelTransfer, { loading }] = useMutation(CancelTransferDocument);
  const [problem, setProblem] = useState<string | null>(null);
  const cancel = async () => {
    setProblem(null);
    try {
      await cancelTransfer({ variables: { transferId } });
    } catch (error) {
      setProblem(formProblem(error).message);
    }
  };
  return (
    <span className={styles.actions}>
      <button type="button" className="button button-secondary" onClick={cancel} disabled={loading}>
        {loading ? "Cancelling…" : "Cancel transfer"}
      </button>
      {problem ? (
        <span className={styles.fieldError} role="alert">
          {problem}
        </span>
      ) : null}
    </span>
  );
}
