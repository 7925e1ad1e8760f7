"use client";

import { useMutation, useQuery, useSubscription } from "@apollo/client/react";
import Link from "next/link";
import { type FormEvent, useId, useMemo, useState } from "react";
import layout from "@/components/layout.module.css";
import { ProblemNotice } from "@/components/notice";
import {
  DoorStaffDocument,
  EventSalesChangedDocument,
  EventSalesDocument,
  type EventSalesFieldsFragment,
  InviteDoorStaffDocument,
} from "@/gql/graphql";
import { describeApiError, graphQLErrorDetails } from "@/lib/api-errors";
import { formatCount, formatMoney } from "@/lib/format";
import { tierColour } from "@/lib/tier-colours";
import styles from "@/organizer/organizer.module.css";
import { QueueControls } from "@/organizer/queue-controls";
import type { SeatMapTier } from "@/seating/seat-layout";
import { SeatMapError, SeatMapLoading, SeatMapView } from "@/seating/seat-map";
import { useSeatMapData } from "@/seating/use-seat-map-data";
import { SalesChart } from "./sales-chart";

const NONE: ReadonlySet<string> = new Set();

/** An event's live sales: figures pushed by eventSalesChanged (at most once a second), chart, map, queue. */
export function SalesDashboard({ eventId, exportUrl }: { eventId: string; exportUrl: string }) {
  const { data, error, refetch } = useQuery(EventSalesDocument, {
    variables: { eventId },
    ssr: false,
    fetchPolicy: "network-only",
  });
  const { data: pushed } = useSubscription(EventSalesChangedDocument, { variables: { eventId } });
  const sales = pushed?.eventSalesChanged ?? data?.eventSales;

  if (error && !sales) return <ProblemNotice problem={describeApiError(error)} onRetry={refetch} />;
  if (!sales) return <p aria-busy="true">Loading the sales…</p>;
  return (
    <div className={styles.controlsPage}>
      <header className={styles.header}>
        <h1 className={layout.title}>{sales.name}</h1>
        <p className={layout.muted}>
          <Link href={`/organizer/events/${encodeURIComponent(eventId)}/orders`}>Orders</Link> ·{" "}
          <a href={exportUrl} download>
            Export attendees (CSV)
          </a>{" "}
          · <Link href={`/door/${encodeURIComponent(eventId)}`}>Door check-in</Link>
        </p>
      </header>
      <Figures sales={sales} />
      <section aria-labelledby="chart-heading" className={styles.section}>
        <h2 id="chart-heading">Sales per minute</h2>
        <SalesChart minutes={sales.salesPerMinute} />
      </section>
      <Breakdown sales={sales} />
      <section aria-labelledby="map-heading" className={styles.section}>
        <h2 id="map-heading">Seat map</h2>
        <LiveMap eventId={eventId} sales={sales} />
      </section>
      <DoorStaff eventId={eventId} />
      <QueueControls eventId={eventId} />
    </div>
  );
}

function Figures({ sales }: { sales: EventSalesFieldsFragment }) {
  const money = (value: { amount: number; currency: string }) => formatMoney(value.amount, value.currency);
  const figures: [string, string, string][] = [
    ["sold", "Sold", formatCount(sales.seats.sold)],
    ["held", "Held", formatCount(sales.seats.held)],
    ["available", "Available", formatCount(sales.seats.available)],
    ["killed", "Off sale", formatCount(sales.seats.killed)],
    ["house", "House seats", formatCount(sales.seats.houseSeats)],
    ["gross", "Gross", money(sales.gross)],
    ["fees", "Fees", money(sales.fees)],
    ["refunds", "Refunds", money(sales.refunds)],
    ["net", "Net", money(sales.net)],
    ["orders", "Orders", formatCount(sales.ordersConfirmed)],
    ["checked-in", "Checked in", formatCount(sales.checkedIn)],
  ];
  return (
    <section aria-labelledby="figures-heading" className={styles.section}>
      <h2 id="figures-heading">Right now</h2>
      <dl className={styles.figures} data-sales-figures>
        {figures.map(([key, label, value]) => (
          <div key={key}>
            <dt>{label}</dt>
            <dd data-figure={key}>{value}</dd>
          </div>
        ))}
      </dl>
      <p className={layout.muted}>
        Updated live (at most once a second) · {new Date(sales.at).toLocaleTimeString()}
      </p>
    </section>
  );
}

function Breakdown({ sales }: { sales: EventSalesFieldsFragment }) {
  return (
    <section aria-labelledby="breakdown-heading" className={styles.section}>
      <h2 id="breakdown-heading">By tier and section</h2>
      <table>
        <caption className={layout.muted}>Price tiers</caption>
        <thead>
          <tr>
            <th scope="col">Tier</th>
            <th scope="col">Price</th>
            <th scope="col">Sold</th>
            <th scope="col">Held</th>
            <th scope="col">Available</th>
            <th scope="col">Seats</th>
          </tr>
        </thead>
        <tbody>
          {sales.tiers.map((tier) => (
            <tr key={tier.tierId}>
              <th scope="row">{tier.name}</th>
              <td>{formatMoney(tier.price.amount, tier.price.currency)}</td>
              <td>{formatCount(tier.sold)}</td>
              <td>{formatCount(tier.held)}</td>
              <td>{formatCount(tier.available)}</td>
              <td>{formatCount(tier.total)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table>
        <caption className={layout.muted}>Sections</caption>
        <thead>
          <tr>
            <th scope="col">Section</th>
            <th scope="col">Sold</th>
            <th scope="col">Held</th>
            <th scope="col">Available</th>
            <th scope="col">Off sale</th>
            <th scope="col">Seats</th>
          </tr>
        </thead>
        <tbody>
          {sales.sections.map((section) => (
            <tr key={section.sectionId}>
              <th scope="row">{section.name}</th>
              <td>{formatCount(section.sold)}</td>
              <td>{formatCount(section.held)}</td>
              <td>{formatCount(section.available)}</td>
              <td>{formatCount(section.killed)}</td>
              <td>{formatCount(section.total)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** The fans' live seat map, read only: seats coloured by state (and tier while available). */
function LiveMap({ eventId, sales }: { eventId: string; sales: EventSalesFieldsFragment }) {
  const { state, connection, retry } = useSeatMapData(eventId);
  const tiers: SeatMapTier[] = useMemo(
    () =>
      sales.tiers.map((tier, index) => ({
        id: String(tier.tierId),
        name: tier.name,
        colour: tierColour(index),
        price: formatMoney(tier.price.amount, tier.price.currency),
      })),
    [sales.tiers],
  );
  if (state.phase === "loading") return <SeatMapLoading />;
  if (state.phase === "error") return <SeatMapError problem={state.problem} onRetry={retry} />;
  return (
    <SeatMapView
      data={state.data}
      tiers={tiers}
      connection={connection}
      selectedSeatIds={NONE}
      heldByYouSeatIds={NONE}
      flaggedSeatIds={NONE}
    />
  );
}

/** Door staff: accounts invited to scan this event's tickets (and nothing else). */
function DoorStaff({ eventId }: { eventId: string }) {
  const id = useId();
  const { data } = useQuery(DoorStaffDocument, { variables: { eventId }, ssr: false });
  const [invite, { loading }] = useMutation(InviteDoorStaffDocument);
  const [email, setEmail] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [staff, setStaff] = useState<{ email: string; signedUp: boolean }[] | null>(null);
  const shown = staff ?? data?.doorStaff ?? [];

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setProblem(null);
    try {
      const result = await invite({ variables: { eventId, email } });
      setStaff(result.data?.inviteDoorStaff ?? null);
      setEmail("");
    } catch (error) {
      setProblem(graphQLErrorDetails(error)?.message ?? describeApiError(error).message);
    }
  };

  return (
    <section aria-labelledby={`${id}-heading`} className={styles.section}>
      <h2 id={`${id}-heading`}>Door staff</h2>
      <ul>
        {shown.map((member) => (
          <li key={member.email}>
            {member.email}
            {member.signedUp ? "" : " (can scan once they sign up with this address)"}
          </li>
        ))}
      </ul>
      <form className={styles.form} onSubmit={submit}>
        <div className={styles.field}>
          <label htmlFor={`${id}-email`}>E-mail of the person to invite</label>
          <input
            id={`${id}-email`}
            type="email"
            required
            value={email}
            aria-invalid={problem ? true : undefined}
            aria-describedby={problem ? `${id}-error` : undefined}
            onChange={(event) => setEmail(event.target.value)}
          />
          {problem ? (
            <p id={`${id}-error`} className={styles.outcomeError} role="alert">
              {problem}
            </p>
          ) : null}
        </div>
        <div className={styles.formActions}>
          <button type="submit" className="button" disabled={loading}>
            Invite to scan
          </button>
        </div>
      </form>
    </section>
  );
}
