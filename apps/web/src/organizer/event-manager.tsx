"use client";

import { useMutation, useQuery } from "@apollo/client/react";
import Link from "next/link";
import { type FormEvent, type ReactNode, useEffect, useId, useState } from "react";
import { BackLink } from "@/components/back-link";
import layout from "@/components/layout.module.css";
import { Notice, ProblemNotice } from "@/components/notice";
import {
  CancelEventDocument,
  CreateHouseHoldDocument,
  DuplicateEventDocument,
  EventSettingsDocument,
  IssueComplimentaryTicketsDocument,
  ManagedEventDocument,
  type ManagedEventQuery,
  PublishEventDocument,
  ReleaseHouseHoldDocument,
  SetPricesDocument,
  SetSeatsOffSaleDocument,
  SetSeatsOnSaleDocument,
} from "@/gql/graphql";
import { describeApiError } from "@/lib/api-errors";
import { formatEventDate, formatEventTime, formatMoney } from "@/lib/format";
import { EventStatus } from "./event-status";
import { type FieldProblems, fieldProblems } from "./field-problems";
import styles from "./organizer.module.css";
import { PriceMap } from "./price-map";
import { QueueControls } from "./queue-controls";

// One event, as its organizer runs it (docs/organizers.md): state and publishing (with every problem
// listed), prices, seats off sale and house seats, a tour of copies, cancellation with its refund
// progress, and the audit log.

type Managed = ManagedEventQuery;

const REFUND_PROGRESS_POLL_MS = 2_000;

/** Seat ids typed as "12, 13 14": the API names the seats it refuses in the same ids. */
const seatIdsOf = (text: string) => text.split(/[\s,]+/).filter(Boolean);

function Problems({ problems, field }: { problems: FieldProblems; field?: string }) {
  const messages = field ? problems[field] : Object.values(problems).flat();
  if (!messages?.length) return null;
  return (
    <ul className={`${styles.outcomeError} ${styles.problemList}`} role="alert">
      {messages.map((message) => (
        <li key={message}>{message}</li>
      ))}
    </ul>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section aria-labelledby={id} className={styles.section}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/** Runs a mutation, then refetches the page; the problems of a refusal are kept for the form. */
function useAction(refetch: () => unknown) {
  const [problems, setProblems] = useState<FieldProblems>({});
  const [done, setDone] = useState<string | null>(null);
  /** True when the action succeeded. */
  const run = async (action: () => Promise<unknown>, message: string): Promise<boolean> => {
    setProblems({});
    setDone(null);
    try {
      await action();
      setDone(message);
      await refetch();
      return true;
    } catch (error) {
      setProblems(fieldProblems(error));
      return false;
    }
  };
  return { problems, done, run };
}

export function EventManager({ eventId }: { eventId: string }) {
  const { data, error, loading, refetch } = useQuery(ManagedEventDocument, {
    variables: { eventId },
    fetchPolicy: "network-only",
    ssr: false,
  });
  if (loading && !data) return <p aria-busy="true">Loading the event…</p>;
  if (error && !data) return <ProblemNotice problem={describeApiError(error)} onRetry={refetch} />;
  const event = data?.managedEvent;
  if (!data || !event) {
    return (
      <Notice title="Event not found" action={<Link href="/organizer">Your events</Link>}>
        There is no event with this id.
      </Notice>
    );
  }
  const live = event.status === "ON_SALE" || event.status === "SOLD_OUT";
  return (
    <div className={styles.controlsPage}>
      <header className={styles.header}>
        <BackLink href="/organizer">Your events</BackLink>
        <h1 className={layout.title}>{event.name}</h1>
        <p className={layout.muted}>
          {event.venue.name}, {event.venue.city} · {formatEventDate(event.startsAt, event.venue.timezone)}{" "}
          {formatEventTime(event.startsAt, event.venue.timezone)} ·{" "}
          <EventStatus status={event.status} onSale={event.onSale} startsAt={event.startsAt} />
        </p>
        <p className={styles.formActions}>
          {event.status !== "CANCELLED" ? (
            <Link
              className="button button-secondary"
              href={`/organizer/events/${encodeURIComponent(eventId)}/edit`}
            >
              Edit
            </Link>
          ) : null}
          <Link
            className="button button-secondary"
            href={`/organizer/events/${encodeURIComponent(eventId)}/audit`}
          >
            Audit log
          </Link>
          {event.status !== "DRAFT" ? (
            <Link href={`/events/${encodeURIComponent(eventId)}`}>Fan page</Link>
          ) : null}
        </p>
      </header>
      {event.status === "DRAFT" ? <Publish eventId={eventId} refetch={refetch} /> : null}
      {event.status !== "CANCELLED" ? <Prices eventId={eventId} data={data} refetch={refetch} /> : null}
      {live ? <Inventory eventId={eventId} data={data} refetch={refetch} /> : null}
      <Duplicate eventId={eventId} />
      <Cancel eventId={eventId} data={data} refetch={refetch} />
      {live && event.queueEnabled ? <QueueControls eventId={eventId} embedded /> : null}
    </div>
  );
}

function Publish({ eventId, refetch }: { eventId: string; refetch: () => unknown }) {
  const [publish, { loading }] = useMutation(PublishEventDocument);
  const { problems, done, run } = useAction(refetch);
  return (
    <Section title="Publish">
      <p className={layout.muted}>
        Publishing checks the dates and that every seat of a section on sale has a price, then puts the event
        on sale: sales open by themselves at the sale start.
      </p>
      <Problems problems={problems} />
      {done ? (
        <p className={styles.outcome} role="status">
          {done}
        </p>
      ) : null}
      <div className={styles.formActions}>
        <button
          type="button"
          className="button"
          disabled={loading}
          onClick={() => void run(() => publish({ variables: { eventId } }), "Published.")}
        >
          Publish
        </button>
      </div>
    </Section>
  );
}

function Prices({ eventId, data, refetch }: { eventId: string; data: Managed; refetch: () => unknown }) {
  const id = useId();
  const settings = useQuery(EventSettingsDocument, {
    variables: { eventId },
    fetchPolicy: "network-only",
    ssr: false,
  });
  const sections = settings.data?.eventSettings.sections ?? [];
  const [setPrices, { loading }] = useMutation(SetPricesDocument);
  const { problems, done, run } = useAction(refetch);
  const [tier, setTier] = useState({ name: "", price: "" });
  const [assignment, setAssignment] = useState({ tier: "", sectionId: "", row: "", seats: "" });
  const currency = data.eventPriceTiers[0]?.price.currency ?? "EUR";

  const saveTier = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const existing = data.eventPriceTiers.find((t) => t.name === tier.name.trim());
    const priceMinor = Math.round(Number(tier.price) * 100);
    void run(
      () =>
        setPrices({
          variables: {
            eventId,
            input: { tiers: [{ id: existing?.id ?? null, name: tier.name, priceMinor }] },
          },
        }),
      existing ? "Price changed: free seats sell at it now; held and sold seats keep theirs." : "Tier added.",
    );
  };
  const assign = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const seatIds = seatIdsOf(assignment.seats);
    void run(
      () =>
        setPrices({
          variables: {
            eventId,
            input: {
              assignments: [
                {
                  tier: assignment.tier,
                  sectionId: assignment.sectionId,
                  row: assignment.row || null,
                  seatIds: seatIds.length ? seatIds : null,
                },
              ],
            },
          },
        }),
      "Assigned.",
    );
  };
  return (
    <Section title="Prices">
      {data.eventPriceTiers.length ? (
        <ul>
          {data.eventPriceTiers.map((t) => (
            <li key={t.id}>
              {t.name}: {formatMoney(t.price.amount, t.price.currency)}
            </li>
          ))}
        </ul>
      ) : (
        <p className={layout.muted}>No tiers yet.</p>
      )}
      <Problems problems={problems} />
      {done ? (
        <p className={styles.outcome} role="status">
          {done}
        </p>
      ) : null}
      <form className={styles.form} onSubmit={saveTier}>
        <div className={styles.fields}>
          <div className={styles.field}>
            <label htmlFor={`${id}-tier`}>Tier name</label>
            <input
              id={`${id}-tier`}
              required
              value={tier.name}
              onChange={(e) => setTier({ ...tier, name: e.target.value })}
              aria-describedby={`${id}-tier-hint`}
            />
            <span id={`${id}-tier-hint`} className={styles.hint}>
              An existing name changes that tier's price.
            </span>
          </div>
          <div className={styles.field}>
            <label htmlFor={`${id}-price`}>Price ({currency})</label>
            <input
              id={`${id}-price`}
              type="number"
              inputMode="decimal"
              min={0}
              step="0.01"
              required
              value={tier.price}
              onChange={(e) => setTier({ ...tier, price: e.target.value })}
            />
          </div>
        </div>
        <div className={styles.formActions}>
          <button type="submit" className="button" disabled={loading}>
            Save tier
          </button>
        </div>
      </form>
      <PriceMap
        eventId={eventId}
        tiers={data.eventPriceTiers}
        busy={loading}
        onPrice={(assignments, seats) =>
          run(() => setPrices({ variables: { eventId, input: { assignments } } }), `Priced ${seats} seats.`)
        }
      />
      <form className={styles.form} onSubmit={assign}>
        <div className={styles.fields}>
          <div className={styles.field}>
            <label htmlFor={`${id}-assign-tier`}>Tier</label>
            <select
              id={`${id}-assign-tier`}
              required
              value={assignment.tier}
              onChange={(e) => setAssignment({ ...assignment, tier: e.target.value })}
            >
              <option value="">Choose a tier</option>
              {data.eventPriceTiers.map((t) => (
                <option key={t.id} value={t.name}>
                  {t.name}
                </option>
              ))}
            </select>
          </div>
          <div className={styles.field}>
            <label htmlFor={`${id}-section`}>Section</label>
            <select
              id={`${id}-section`}
              required
              value={assignment.sectionId}
              onChange={(e) => setAssignment({ ...assignment, sectionId: e.target.value })}
            >
              <option value="">Choose a section</option>
              {sections.map((section) => (
                <option key={section.id} value={section.id}>
                  {section.name}
                  {section.kind === "STANDING" ? " (standing)" : ""}
                </option>
              ))}
            </select>
          </div>
          <div className={styles.field}>
            <label htmlFor={`${id}-row`}>Row (optional)</label>
            <input
              id={`${id}-row`}
              value={assignment.row}
              onChange={(e) => setAssignment({ ...assignment, row: e.target.value })}
            />
          </div>
          <div className={styles.field}>
            <label htmlFor={`${id}-seats`}>Seat ids (optional)</label>
            <input
              id={`${id}-seats`}
              value={assignment.seats}
              onChange={(e) => setAssignment({ ...assignment, seats: e.target.value })}
              aria-describedby={`${id}-seats-hint`}
            />
            <span id={`${id}-seats-hint`} className={styles.hint}>
              Empty row and seats: the whole section.
            </span>
          </div>
        </div>
        <div className={styles.formActions}>
          <button type="submit" className="button" disabled={loading}>
            Assign
          </button>
        </div>
      </form>
    </Section>
  );
}

function Inventory({ eventId, data, refetch }: { eventId: string; data: Managed; refetch: () => unknown }) {
  const id = useId();
  const [seats, setSeats] = useState("");
  const [label, setLabel] = useState("");
  const [guest, setGuest] = useState("");
  const [offSale] = useMutation(SetSeatsOffSaleDocument);
  const [onSale] = useMutation(SetSeatsOnSaleDocument);
  const [house] = useMutation(CreateHouseHoldDocument);
  const [release] = useMutation(ReleaseHouseHoldDocument);
  const [comps] = useMutation(IssueComplimentaryTicketsDocument);
  const { problems, done, run } = useAction(refetch);
  const seatIds = seatIdsOf(seats);
  return (
    <Section title="Seats off sale and house seats">
      <p className={layout.muted}>
        Off sale now: {data.offSaleSeats.length ? data.offSaleSeats.join(", ") : "none"}. Seats held or sold
        by fans are never touched: the API names them.
      </p>
      <Problems problems={problems} />
      {done ? (
        <p className={styles.outcome} role="status">
          {done}
        </p>
      ) : null}
      <div className={styles.fields}>
        <div className={styles.field}>
          <label htmlFor={`${id}-seats`}>Seat ids</label>
          <input
            id={`${id}-seats`}
            value={seats}
            onChange={(e) => setSeats(e.target.value)}
            placeholder="12, 13, 14"
          />
        </div>
        <div className={styles.field}>
          <label htmlFor={`${id}-label`}>House hold label</label>
          <input
            id={`${id}-label`}
            value={label}
            onChange={(e) => setLabel(e.target.value)}
            placeholder="Press"
          />
        </div>
      </div>
      <div className={styles.formActions}>
        <button
          type="button"
          className="button"
          onClick={() => void run(() => offSale({ variables: { eventId, seatIds } }), "Taken off sale.")}
        >
          Take off sale
        </button>
        <button
          type="button"
          className="button button-secondary"
          onClick={() => void run(() => onSale({ variables: { eventId, seatIds } }), "Back on sale.")}
        >
          Put back on sale
        </button>
        <button
          type="button"
          className="button button-secondary"
          onClick={() =>
            void run(
              () => house({ variables: { eventId, seatIds, label: label || null } }),
              "House seats held.",
            )
          }
        >
          Hold as house seats
        </button>
      </div>
      {data.houseHolds.length ? (
        <>
          <div className={styles.field}>
            <label htmlFor={`${id}-guest`}>Guest's account e-mail (complimentary tickets)</label>
            <input
              id={`${id}-guest`}
              type="email"
              value={guest}
              onChange={(e) => setGuest(e.target.value)}
              placeholder="Empty: your own account"
            />
          </div>
          <ul className={styles.eventList}>
            {data.houseHolds.map((hold) => (
              <li key={hold.id} className={styles.eventRow}>
                <span>
                  {hold.label ?? "House seats"}: {hold.seatIds.join(", ")}
                </span>
                <span className={styles.formActions}>
                  <button
                    type="button"
                    className="button button-secondary"
                    onClick={() =>
                      void run(() => release({ variables: { holdId: hold.id } }), "Released to sale.")
                    }
                  >
                    Release to sale
                  </button>
                  <button
                    type="button"
                    className="button button-secondary"
                    onClick={() =>
                      void run(
                        () => comps({ variables: { holdId: hold.id, email: guest || null } }),
                        "Complimentary tickets issued.",
                      )
                    }
                  >
                    Issue as complimentary tickets
                  </button>
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </Section>
  );
}

function Duplicate({ eventId }: { eventId: string }) {
  const id = useId();
  const [dates, setDates] = useState<{ key: number; value: string }[]>([{ key: 0, value: "" }]);
  const [duplicate, { loading }] = useMutation(DuplicateEventDocument);
  const { problems, done, run } = useAction(() => undefined);
  const given = dates.map((date) => date.value).filter(Boolean);
  return (
    <Section title="Tour: copy to more dates">
      <p className={layout.muted}>
        Each date becomes a draft with the same settings and prices (times in the venue's zone).
      </p>
      <Problems problems={problems} />
      {done ? (
        <p className={styles.outcome} role="status">
          {done} <Link href="/organizer">Your events</Link>
        </p>
      ) : null}
      <div className={styles.fields}>
        {dates.map((date, i) => (
          <div key={date.key} className={styles.field}>
            <label htmlFor={`${id}-${date.key}`}>Date {i + 1}</label>
            <input
              id={`${id}-${date.key}`}
              type="datetime-local"
              value={date.value}
              aria-invalid={problems[`dates.${i}`] ? true : undefined}
              onChange={(e) =>
                setDates(dates.map((d) => (d.key === date.key ? { ...d, value: e.target.value } : d)))
              }
            />
          </div>
        ))}
      </div>
      <div className={styles.formActions}>
        <button
          type="button"
          className="button button-secondary"
          onClick={() => setDates([...dates, { key: (dates.at(-1)?.key ?? 0) + 1, value: "" }])}
        >
          Add a date
        </button>
        <button
          type="button"
          className="button"
          disabled={loading}
          onClick={() =>
            void run(
              () => duplicate({ variables: { eventId, dates: given } }),
              `${given.length} drafts made.`,
            )
          }
        >
          Make the copies
        </button>
      </div>
    </Section>
  );
}

function Cancel({ eventId, data, refetch }: { eventId: string; data: Managed; refetch: () => unknown }) {
  const id = useId();
  const [reason, setReason] = useState("");
  const [cancel, { loading }] = useMutation(CancelEventDocument);
  const { problems, run } = useAction(refetch);
  const progress = data.eventCancellation;
  const refunding = Boolean(progress && !progress.finishedAt);
  // The refund job runs in the background: its progress is read again until it is done.
  useEffect(() => {
    if (!refunding) return;
    const timer = setInterval(() => void refetch(), REFUND_PROGRESS_POLL_MS);
    return () => clearInterval(timer);
  }, [refunding, refetch]);
  if (progress) {
    return (
      <Section title="Cancelled">
        <p>Reason: {progress.reason}</p>
        <p role="status" data-refund-progress>
          Refunds: {progress.refundedOrders} of {progress.totalOrders} orders
          {progress.finishedAt ? " (done)" : " (in progress)"}
        </p>
      </Section>
    );
  }
  return (
    <Section title="Cancel the event">
      <p className={layout.muted}>
        Sales stop at once, holds end, and every paid order is refunded in the background.
      </p>
      <Problems problems={problems} field="form" />
      <div className={styles.field}>
        <label htmlFor={`${id}-reason`}>Reason (fans are told)</label>
        <textarea
          id={`${id}-reason`}
          rows={2}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          aria-invalid={problems.reason ? true : undefined}
          aria-describedby={problems.reason ? `${id}-reason-error` : undefined}
        />
        {problems.reason ? (
          <span id={`${id}-reason-error`} className={styles.fieldError} role="alert">
            {problems.reason.join(" ")}
          </span>
        ) : null}
      </div>
      <div className={styles.formActions}>
        <button
          type="button"
          className="button"
          disabled={loading}
          onClick={() => {
            if (window.confirm("Cancel this event and refund every order?"))
              void run(() => cancel({ variables: { eventId, reason } }), "Cancelled.");
          }}
        >
          Cancel the event
        </button>
      </div>
    </Section>
  );
}
