"use client";

import { gql } from "@apollo/client";
import { useLazyQuery, useMutation } from "@apollo/client/react";
import { type FormEvent, useEffect, useId, useState } from "react";
import { BackLink } from "@/components/back-link";
import layout from "@/components/layout.module.css";
import { Notice, ProblemNotice } from "@/components/notice";
import { EventOrdersDocument, type EventOrdersQuery } from "@/gql/graphql";
import { describeApiError, graphQLErrorDetails } from "@/lib/api-errors";
import { formatMoney } from "@/lib/format";
import styles from "@/organizer/organizer.module.css";

type OrderNode = EventOrdersQuery["eventOrders"]["edges"][number]["node"];

// refundOrder(orderId, ticketIds) is the events module's (DESIGN.md §10); written here as it is named
// there. It moves to packages/operations once both are on main (codegen checks documents against the schema).
const REFUND_ORDER = gql`
  mutation RefundOrder($orderId: ID!, $ticketIds: [ID!]) {
    refundOrder(orderId: $orderId, ticketIds: $ticketIds) {
      id
      status
    }
  }
`;

/** The event's orders: search by buyer e-mail, order id or seat; refund; export as CSV. */
export function EventOrders({ eventId, exportUrl }: { eventId: string; exportUrl: string }) {
  const id = useId();
  const [search, setSearch] = useState("");
  const [orders, setOrders] = useState<OrderNode[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [load, { loading, error }] = useLazyQuery(EventOrdersDocument, { fetchPolicy: "network-only" });

  const fetchPage = async (text: string, after: string | null) => {
    const result = await load({ variables: { eventId, search: text || null, after } });
    const page = result.data?.eventOrders;
    if (!page) return;
    setOrders((shown) => [...(after ? shown : []), ...page.edges.map((edge) => edge.node)]);
    setNext(page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null);
  };

  // biome-ignore lint/correctness/useExhaustiveDependencies: the first page once; later ones on submit.
  useEffect(() => {
    void fetchPage("", null);
  }, [eventId]);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void fetchPage(search.trim(), null);
  };

  const problem = error ? describeApiError(error) : null;
  const searchError =
    graphQLErrorDetails(error)?.code === "BAD_USER_INPUT" ? graphQLErrorDetails(error)?.message : null;
  return (
    <div className={styles.controlsPage}>
      <header className={styles.header}>
        <BackLink href={`/organizer/events/${encodeURIComponent(eventId)}`}>Sales</BackLink>
        <h1 className={layout.title}>Orders</h1>
        <p>
          <a className="button button-secondary" href={exportUrl} download>
            Export attendees (CSV)
          </a>
        </p>
      </header>
      <form className={styles.form} onSubmit={submit}>
        <div className={styles.field}>
          <label htmlFor={`${id}-search`}>Buyer e-mail, order id or seat (e.g. B-12)</label>
          <input
            id={`${id}-search`}
            type="search"
            value={search}
            aria-invalid={searchError ? true : undefined}
            aria-describedby={searchError ? `${id}-search-error` : undefined}
            onChange={(event) => setSearch(event.target.value)}
          />
          {searchError ? (
            <p id={`${id}-search-error`} className={styles.outcomeError} role="alert">
              {searchError}
            </p>
          ) : null}
        </div>
        <div className={styles.formActions}>
          <button type="submit" className="button" disabled={loading}>
            Search
          </button>
        </div>
      </form>
      {problem && !searchError ? (
        <ProblemNotice problem={problem} onRetry={() => void fetchPage(search, null)} />
      ) : null}
      {!loading && orders.length === 0 && !problem ? (
        <Notice title="No orders">No order matches.</Notice>
      ) : null}
      <ul className={styles.eventList} aria-busy={loading}>
        {orders.map((order) => (
          <OrderRow key={order.id} order={order} />
        ))}
      </ul>
      {next ? (
        <button
          type="button"
          className="button button-secondary"
          disabled={loading}
          onClick={() => void fetchPage(search.trim(), next)}
        >
          More orders
        </button>
      ) : null}
    </div>
  );
}

function OrderRow({ order }: { order: OrderNode }) {
  const [refund, { loading }] = useMutation<{ refundOrder: { id: string; status: string } }>(REFUND_ORDER);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [status, setStatus] = useState(order.status);
  const doRefund = async () => {
    setOutcome(null);
    try {
      const result = await refund({ variables: { orderId: order.id } });
      setStatus((result.data?.refundOrder.status as typeof status | undefined) ?? status);
      setOutcome("Refunded.");
    } catch (error) {
      setOutcome(graphQLErrorDetails(error)?.message ?? describeApiError(error).message);
    }
  };
  return (
    <li className={styles.eventRow} data-order={order.id}>
      <div>
        <strong>{order.buyer?.name ?? order.buyer?.email ?? "?"}</strong>{" "}
        <span className={layout.muted}>{order.buyer?.email}</span>
        <p className={layout.muted}>
          Order {order.id} · {new Date(order.createdAt).toLocaleString()} · {status} ·{" "}
          {formatMoney(order.total.amount, order.total.currency)}
        </p>
        <p>
          {order.tickets
            .map(
              (ticket) =>
                `${ticket.seat ? `${ticket.seat.section} ${ticket.seat.row}-${ticket.seat.number}` : `${ticket.place.section} Standing`}${ticket.status === "VOID" ? " (void)" : ""}`,
            )
            .join(", ")}
        </p>
      </div>
      {status === "CONFIRMED" ? (
        <button
          type="button"
          className="button button-secondary"
          disabled={loading}
          onClick={() => void doRefund()}
        >
          Refund
        </button>
      ) : null}
      {outcome ? <p role="status">{outcome}</p> : null}
    </li>
  );
}
