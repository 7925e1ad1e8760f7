import Link from "next/link";
import type { EventCardFieldsFragment } from "@/gql/graphql";
import { describeSale, isEventOver } from "@/lib/event-sale";
import { eventDateParts, formatEventDate, formatEventTime, formatMoney } from "@/lib/format";
import styles from "./event-card.module.css";
import { SaleBadge } from "./sale-badge";

function cheapestPrice(event: EventCardFieldsFragment): string | null {
  const cheapest = event.priceTiers.reduce<EventCardFieldsFragment["priceTiers"][number] | null>(
    (lowest, tier) => (lowest === null || tier.price.amount < lowest.price.amount ? tier : lowest),
    null,
  );
  return cheapest ? formatMoney(cheapest.price.amount, cheapest.price.currency) : null;
}

export function EventCard({ event }: { event: EventCardFieldsFragment }) {
  const { timezone } = event.venue;
  const stub = eventDateParts(event.startsAt, timezone);
  const price = cheapestPrice(event);
  return (
    <article className={styles.card}>
      <div className={styles.stub} aria-hidden="true">
        <span className={styles.stubMonth}>{stub.month}</span>
        <span className={styles.stubDay}>{stub.day}</span>
      </div>
      <div className={styles.body}>
        <div className={styles.topline}>
          <span className={styles.category}>{event.category}</span>
          <SaleBadge sale={describeSale(event, new Date())} />
        </div>
        <h3 className={styles.title}>
          {/* No viewport prefetch: each one asks the API for that event, which during an on-sale rush
              would multiply catalog traffic by the page size. The event page has its own loading state. */}
          <Link href={`/events/${event.id}`} className={styles.link} prefetch={false}>
            {event.name}
          </Link>
        </h3>
        <p className={styles.performer}>{event.performer.name}</p>
        <p className={styles.meta}>
          {event.venue.name} · {event.venue.city}
        </p>
        <p className={styles.meta}>
          <time dateTime={event.startsAt}>
            {formatEventDate(event.startsAt, timezone)} · {formatEventTime(event.startsAt, timezone)}
          </time>
        </p>
        {isEventOver(event.status) ? null : (
          <p className={styles.price}>{price ? <>From {price}</> : "Prices to be announced"}</p>
        )}
      </div>
    </article>
  );
}
