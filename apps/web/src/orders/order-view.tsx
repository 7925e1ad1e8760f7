"use client";

import { useQuery } from "@apollo/client/react";
import Link from "next/link";
import { useEffect, useRef } from "react";
import { useSignedInViewer } from "@/auth/use-signed-in-viewer";
import { BackLink } from "@/components/back-link";
import layout from "@/components/layout.module.css";
import { Notice, ProblemNotice } from "@/components/notice";
import { Totals } from "@/components/totals";
import { OrderDocument, type OrderFieldsFragment } from "@/gql/graphql";
import { describeApiError, graphQLErrorDetails, isNotFoundError } from "@/lib/api-errors";
import { formatDateTime, formatEventDate, formatEventTime, formatTicketCount } from "@/lib/format";
import { useNow } from "@/lib/use-now";
import { TransferSection } from "@/transfers/transfer-section";
import { CancelOrderButton } from "./cancel-order-button";
import { OrderStatusBadge } from "./order-status";
import styles from "./orders.module.css";
import { TicketCard } from "./ticket-card";
import { useCodeRotation } from "./use-code-rotation";

// While the payment is being confirmed (or recovered after a gateway fault), look again every few seconds.
const PENDING_POLL_MS = 3_000;

/** One order: its status, what was paid, its tickets as rotating QR codes, and "Cancel order". */
export function OrderView({ orderId }: { orderId: string }) {
  const { viewer } = useSignedInViewer();
  const { data, error, refetch, startPolling, stopPolling } = useQuery(OrderDocument, {
    variables: { id: orderId },
    skip: !viewer,
    fetchPolicy: "cache-and-network",
  });
  const order = data?.order;
  const pending = order?.status === "PENDING";
  useEffect(() => {
    if (!pending) return;
    startPolling(PENDING_POLL_MS);
    return () => stopPolling();
  }, [pending, startPolling, stopPolling]);

  if (error && !order) {
    // Someone else's order is "not found" too: whether an order id exists is nobody else's business.
    if (isNotFoundError(error) || graphQLErrorDetails(error)?.code === "FORBIDDEN") return <OrderNotFound />;
    const problem = describeApiError(error);
    return <ProblemNotice problem={problem} onRetry={refetch} />;
  }
  if (!data) {
    return (
      <p className={layout.muted} role="status">
        Loading your order…
      </p>
    );
  }
  if (!order) return <OrderNotFound />;
  return <OrderDetails order={order} refetch={refetch} />;
}

function OrderDetails({ order, refetch }: { order: OrderFieldsFragment; refetch: () => Promise<unknown> }) {
  const codesReceivedAt = useCodeRotation(order.tickets, refetch);
  const statusRef = useRef<HTMLDivElement>(null);
  const pending = order.status === "PENDING";
  const hasValidTickets = order.tickets.some((ticket) => ticket.status === "VALID");
  const now = useNow(hasValidTickets);
  const { event } = order;
  const timeZone = event.venue.timezone;
  const ticketCount = order.tickets.length;

  return (
    <article className={styles.order} data-order-id={order.id} data-order-status={order.status}>
      <BackLink href="/orders">My orders</BackLink>
      <header className={styles.orderHeader}>
        <div className={styles.headline}>
          <h1 className={layout.title}>{event.name}</h1>
          <OrderStatusBadge status={order.status} />
        </div>
        <p className={layout.eventLine}>
          <span>
            {formatEventDate(event.startsAt, timeZone)} · {formatEventTime(event.startsAt, timeZone)}
          </span>
          <span>
            {event.venue.name}, {event.venue.city}
          </span>
          <Link href={`/events/${encodeURIComponent(event.id)}`}>Event page</Link>
        </p>
      </header>

      {/* Focused after a cancellation: the dialog's button is gone, and this says what happened. */}
      <div aria-live="polite" ref={statusRef} tabIndex={-1} className={styles.statusArea}>
        {pending ? (
          <p className={styles.statusNote}>
            We are confirming your payment with the bank. This page updates by itself.
          </p>
        ) : order.status === "FAILED" ? (
          <p className={styles.statusNoteError}>
            The payment did not go through and nothing was charged. Your seats were not sold.
          </p>
        ) : order.status === "CANCELLED" ? (
          <p className={styles.statusNote}>
            Cancelled
            {order.cancelledAt ? ` on ${formatDateTime(order.cancelledAt, timeZone)}` : ""}. The payment was
            refunded and these tickets no longer get you in.
          </p>
        ) : null}
      </div>

      <div className={styles.orderColumns}>
        <section aria-labelledby="tickets-heading" className={styles.tickets}>
          <h2 id="tickets-heading">{ticketCount === 1 ? "Your ticket" : `Your ${ticketCount} tickets`}</h2>
          {hasValidTickets ? (
            <p className={layout.muted}>
              Show the code at the gate. It changes every few seconds, so a screenshot will not work.
            </p>
          ) : null}
          {order.pdfUrl ? (
            <p className={styles.printed}>
              {/* A plain link: the browser sends the session cookie, and the API answers with the file. */}
              <a className="button button-secondary" href={order.pdfUrl} download>
                Download PDF
              </a>
              <span className={layout.muted}>
                For printing or email: each page has the ticket's printed code, which the organizer may turn
                off. The code here always works.
              </span>
            </p>
          ) : null}
          <ul className={styles.ticketList}>
            {order.tickets.map((ticket) => (
              <li key={ticket.id}>
                <TicketCard ticket={ticket} now={now} codesReceivedAt={codesReceivedAt} timeZone={timeZone} />
              </li>
            ))}
          </ul>
        </section>

        <aside className={styles.summary} aria-labelledby="payment-heading">
          <h2 id="payment-heading">Payment</h2>
          <Totals
            subtotal={{ label: formatTicketCount(ticketCount), money: order.subtotal }}
            fees={{ label: "Fees", money: order.fees }}
            total={order.total}
            totalAttribute="data-order-total"
          />
          <p className={layout.muted}>Ordered {formatDateTime(order.createdAt, timeZone)}</p>
          {order.canCancel ? (
            <>
              {order.cancellableUntil ? (
                <p className={layout.muted}>
                  Free cancellation until {formatDateTime(order.cancellableUntil, timeZone)}.
                </p>
              ) : null}
              <CancelOrderButton order={order} onCancelled={() => statusRef.current?.focus()} />
            </>
          ) : order.status === "CONFIRMED" ? (
            <p className={layout.muted}>
              {order.cancellableUntil
                ? `Cancellation closed on ${formatDateTime(order.cancellableUntil, timeZone)}.`
                : "This order can't be cancelled."}
            </p>
          ) : null}
        </aside>
      </div>

      <TransferSection order={order} timeZone={timeZone} />
    </article>
  );
}

function OrderNotFound() {
  return (
    <Notice
      title="Order not found"
      action={
        <Link className="button" href="/orders">
          My orders
        </Link>
      }
    >
      There is no order with this number in your account.
    </Notice>
  );
}
