import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { BackLink } from "@/components/back-link";
import { Notice } from "@/components/notice";
import { SaleBadge } from "@/components/sale-badge";
import { EventPageDocument, type EventPageQuery, EventStandingAreasDocument } from "@/gql/graphql";
import { EventSeating } from "@/holds/event-seating";
import type { SeatingTier } from "@/holds/use-seat-picking";
import { type ApiProblem, describeApiError, isNotFoundError } from "@/lib/api-errors";
import { query } from "@/lib/apollo/server-client";
import { describeSale, isEventOver } from "@/lib/event-sale";
import { formatCount, formatEventDate, formatEventTime, formatMoney } from "@/lib/format";
import { tierColour } from "@/lib/tier-colours";
import { LiveAvailabilityProvider } from "@/seating/live-availability";
import { type WaitlistArea, WaitlistSection } from "@/waitlist/waitlist-section";
import { AvailabilitySummary } from "./availability-summary";
import styles from "./page.module.css";

type EventDetails = NonNullable<EventPageQuery["event"]>;

// Shared by generateMetadata and the page, so one request asks the API once. The standing areas are
// asked for beside the event (a sold-out area has a waitlist): without them the page shows none.
const loadEvent = cache(
  async (
    id: string,
  ): Promise<{ event: EventDetails | null; soldOutAreas: WaitlistArea[] } | { problem: ApiProblem }> => {
    const areas = query({ query: EventStandingAreasDocument, variables: { id } }).then(
      ({ data }) => (data?.seatMap.areas ?? []).filter((area) => area.available === 0),
      () => [],
    );
    try {
      const { data } = await query({ query: EventPageDocument, variables: { id } });
      return { event: data?.event ?? null, soldOutAreas: await areas };
    } catch (error) {
      if (isNotFoundError(error)) return { event: null, soldOutAreas: [] };
      return { problem: describeApiError(error) };
    }
  },
);

export async function generateMetadata({ params }: PageProps<"/events/[id]">): Promise<Metadata> {
  const result = await loadEvent((await params).id);
  if ("problem" in result) return { title: "Event" };
  return result.event
    ? {
        title: result.event.name,
        description: `${result.event.performer.name} at ${result.event.venue.name}`,
      }
    : { title: "Event not found" };
}

function priceRange(event: EventDetails): string | null {
  const amounts = event.priceTiers.map((tier) => tier.price.amount);
  const currency = event.priceTiers[0]?.price.currency;
  if (!currency || amounts.length === 0) return null;
  const lowest = formatMoney(Math.min(...amounts), currency);
  const highest = formatMoney(Math.max(...amounts), currency);
  return lowest === highest ? lowest : `${lowest} – ${highest}`;
}

export default async function EventPage({ params }: PageProps<"/events/[id]">) {
  const { id } = await params;
  const result = await loadEvent(id);
  if ("problem" in result) {
    return (
      <Notice
        tone="error"
        title={result.problem.title}
        action={
          <>
            <a className="button" href={`/events/${encodeURIComponent(id)}`}>
              Try again
            </a>
            <Link className="button button-secondary" href="/">
              All events
            </Link>
          </>
        }
      >
        {result.problem.message}
      </Notice>
    );
  }
  const { event, soldOutAreas } = result;
  // This route has no loading.tsx (and the catalog's lives in the (catalog) group) on purpose: a streamed
  // shell would already have sent HTTP 200, and notFound() could then only render the page, not a 404.
  if (!event) notFound();

  const { venue } = event;
  const sale = describeSale(event, new Date());
  const ticketRules = [
    event.feePerTicket.amount > 0
      ? `plus ${formatMoney(event.feePerTicket.amount, event.feePerTicket.currency)} fee per ticket`
      : null,
    `up to ${event.maxTicketsPerAccount} per fan`,
    `seats held for ${Math.round(event.holdSeconds / 60)} min`,
  ]
    .filter((rule) => rule !== null)
    .join(" · ");
  const over = isEventOver(event.status);
  // Every seat held or sold (a standing-only event has no seats to wait for).
  const { available, held, sold } = event.availability;
  const seatsSoldOut = event.status === "SOLD_OUT" || (available === 0 && held + sold > 0);
  const prices = priceRange(event);
  const tiers: SeatingTier[] = event.priceTiers.map((tier, index) => ({
    id: tier.id,
    name: tier.name,
    colour: tierColour(index),
    price: formatMoney(tier.price.amount, tier.price.currency),
    amount: tier.price.amount,
    currency: tier.price.currency,
  }));

  return (
    <LiveAvailabilityProvider>
      <article className={styles.event}>
        <BackLink href="/">All events</BackLink>
        <header className={styles.hero}>
          <div className={styles.heroTopline}>
            <span className={styles.category}>{event.category}</span>
            <SaleBadge sale={sale} />
            {event.queueEnabled ? <span className={styles.queue}>Waiting room</span> : null}
          </div>
          <h1>{event.name}</h1>
          <p className={styles.performer}>{event.performer.name}</p>
        </header>

        <dl className={styles.facts}>
          <div>
            <dt>When</dt>
            <dd>
              <time dateTime={event.startsAt}>
                <strong>{formatEventDate(event.startsAt, venue.timezone)}</strong>
                <br />
                {formatEventTime(event.startsAt, venue.timezone)}
              </time>
              <span className={styles.note}>Local time at the venue</span>
            </dd>
          </div>
          <div>
            <dt>Where</dt>
            <dd>
              <strong>
                {venue.name}, {venue.city}
              </strong>
              <br />
              {venue.address}
              <span className={styles.note}>{formatCount(venue.capacity)} seats</span>
            </dd>
          </div>
          {over ? (
            <div>
              <dt>Tickets</dt>
              <dd>
                <strong>{sale.label}</strong>
                <br />
                {event.status === "CANCELLED" ? "This event will not take place." : "This event is over."}
              </dd>
            </div>
          ) : (
            <>
              <div>
                <dt>Tickets</dt>
                <dd>
                  <strong>{prices ?? "Prices to be announced"}</strong>
                  <br />
                  {sale.opensAt
                    ? `Sale opens ${formatEventDate(sale.opensAt, venue.timezone)}, ${formatEventTime(sale.opensAt, venue.timezone)}`
                    : sale.label}
                  <span className={`${styles.note} ${styles.capitalised}`}>{ticketRules}</span>
                </dd>
              </div>
              <div>
                <dt>Availability</dt>
                <dd>
                  <AvailabilitySummary initial={event.availability} />
                </dd>
              </div>
            </>
          )}
        </dl>

        {event.description ? (
          <section className={styles.about} aria-labelledby="about-heading">
            <h2 id="about-heading">About this event</h2>
            <p>{event.description}</p>
          </section>
        ) : null}

        {!over && (seatsSoldOut || soldOutAreas.length > 0) ? (
          <WaitlistSection
            eventId={event.id}
            tiers={tiers}
            maxSeats={event.maxTicketsPerAccount}
            seatsSoldOut={seatsSoldOut}
            soldOutAreas={soldOutAreas}
          />
        ) : null}

        {over ? null : (
          <section className={styles.seats} aria-labelledby="seats-heading">
            <h2 id="seats-heading">Seat map</h2>
            <EventSeating
              event={{
                id: event.id,
                status: event.status,
                onSale: event.onSale,
                saleStartsAt: event.saleStartsAt,
                queueEnabled: event.queueEnabled,
                maxTicketsPerAccount: event.maxTicketsPerAccount,
                holdSeconds: event.holdSeconds,
                feePerTicket: event.feePerTicket,
                timeZone: venue.timezone,
              }}
              tiers={tiers}
            />
          </section>
        )}
      </article>
    </LiveAvailabilityProvider>
  );
}
