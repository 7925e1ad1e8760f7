"use client";

import { useQuery } from "@apollo/client/react";
import Link from "next/link";
import type { ReactNode } from "react";
import { useSignedInViewer } from "@/auth/use-signed-in-viewer";
import layout from "@/components/layout.module.css";
import { LoadMore } from "@/components/load-more";
import { Notice, ProblemNotice } from "@/components/notice";
import { MyOrdersDocument, type OrderSummaryFieldsFragment } from "@/gql/graphql";
import { describeApiError } from "@/lib/api-errors";
import {
  eventDateParts,
  formatEventDate,
  formatEventTime,
  formatMoney,
  formatTicketCount,
} from "@/lib/format";
import { OrderStatusBadge } from "./order-status";
import styles from "./orders.module.css";

const PAGE_SIZE = 10;

/** The fan's orders, newest first, with "Load more" following the connection's cursor. */
export function OrdersList() {
  const { viewer } = useSignedInViewer();
  const { data, error, refetch, fetchMore } = useQuery(MyOrdersDocument, {
    variables: { first: PAGE_SIZE },
    skip: !viewer,
    fetchPolicy: "cache-and-network",
  });
  const connection = data?.myOrders;

  let content: ReactNode;
  if (error && !connection) {
    const problem = describeApiError(error);
    content = <ProblemNotice problem={problem} onRetry={refetch} />;
  } else if (!connection) {
    content = (
      <p className={layout.muted} role="status">
        Loading your orders…
      </p>
    );
  } else if (connection.edges.length === 0) {
    content = (
      <Notice
        title="No orders yet"
        action={
          <Link className="button" href="/">
            Find events
          </Link>
        }
      >
        Tickets you buy show up here, with the codes that get you in.
      </Notice>
    );
  } else {
    const shown = connection.edges.length;
    content = (
      <>
        <p className={layout.muted} aria-live="polite">
          Showing {shown} of {connection.totalCount} {connection.totalCount === 1 ? "order" : "orders"}
        </p>
        <ul className={styles.orderList} data-orders>
          {connection.edges.map(({ node }) => (
            <li key={node.id}>
              <OrderRow order={node} />
            </li>
          ))}
        </ul>
        <LoadMore pageInfo={connection.pageInfo} fetchMore={fetchMore} label="Load more" />
      </>
    );
  }

  return (
    <section className={styles.orders} aria-labelledby="orders-heading">
      <h1 id="orders-heading" className={layout.title}>
        My orders
      </h1>
      <p className={layout.muted}>
        Waiting for a sold-out event? See <Link href="/waitlists">my waitlists</Link>.
      </p>
      {content}
    </section>
  );
}

function OrderRow({ order }: { order: OrderSummaryFieldsFragment }) {
  const { event } = order;
  const timeZone = event.venue.timezone;
  const { day, month } = eventDateParts(event.startsAt, timeZone);
  const valid = order.tickets.filter((ticket) => ticket.status === "VALID").length;
  const count = order.tickets.length;
  return (
    <article className={styles.orderRow} data-order-id={order.id}>
      <div className={styles.stub} aria-hidden="true">
        <span className={styles.stubMonth}>{month}</span>
        <span className={styles.stubDay}>{day}</span>
      </div>
      <div className={styles.orderRowBody}>
        <h2>
          <Link href={`/orders/${encodeURIComponent(order.id)}`} className={styles.orderLink}>
            {event.name}
          </Link>
        </h2>
        <p className={layout.muted}>
          {formatEventDate(event.startsAt, timeZone)} · {formatEventTime(event.startsAt, timeZone)} ·{" "}
          {event.venue.name}, {event.venue.city}
        </p>
        <p className={styles.orderFacts}>
          <OrderStatusBadge status={order.status} />
          <span>
            {formatTicketCount(count)}
            {order.status === "CONFIRMED" && valid < count ? ` (${valid} valid)` : ""}
          </span>
          <strong>{formatMoney(order.total.amount, order.total.currency)}</strong>
        </p>
      </div>
    </article>
  );
}
