"use client";

import { useApolloClient, useMutation, useQuery } from "@apollo/client/react";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { type FormEvent, useId, useRef, useState } from "react";
import { loginHref } from "@/auth/return-path";
import { useSignedInViewer } from "@/auth/use-signed-in-viewer";
import { BackLink } from "@/components/back-link";
import layout from "@/components/layout.module.css";
import { Notice } from "@/components/notice";
import { Totals } from "@/components/totals";
import {
  CheckoutDocument,
  CheckoutEventDocument,
  type CheckoutEventQuery,
  type HoldFieldsFragment,
  MyHoldsDocument,
} from "@/gql/graphql";
import { HoldCountdown, type HoldTimeLeft, useHoldTimeLeft } from "@/holds/hold-countdown";
import { describeApiError } from "@/lib/api-errors";
import { formatEventDate, formatEventTime, formatMoney, formatTicketCount } from "@/lib/format";
import { seatLabel } from "@/seating/seat-layout";
import styles from "./checkout.module.css";
import { type CheckoutProblem, describeCheckoutError } from "./checkout-errors";
import {
  attemptAfterFailure,
  newPaymentAttempt,
  type PaymentAttempt,
  TEST_CARDS,
  type TestCardToken,
} from "./payment-attempt";

type CheckoutEvent = NonNullable<CheckoutEventQuery["event"]>;

// Far above a normal checkout (and the gateway timeout the API waits out), short enough not to leave a fan
// staring at "Paying…".
const CHECKOUT_TIMEOUT_MS = 30_000;

const HOLD_ENDED: HoldTimeLeft = { remaining: 0, expired: true, warning: true };

/** The checkout page: the hold's countdown, what the fan pays for, a test card and "Pay". */
export function CheckoutView({ holdId }: { holdId: string }) {
  const { viewer } = useSignedInViewer();
  const holds = useQuery(MyHoldsDocument, { skip: !viewer, fetchPolicy: "cache-and-network" });
  const found = holds.data?.me?.holds.find((hold) => hold.id === holdId) ?? null;
  // Once seen, the hold stays on screen when it leaves the fan's live holds (it ran out or was paid for):
  // the page then says what happened instead of "not found".
  const [seenHold, setSeenHold] = useState<HoldFieldsFragment | null>(null);
  if (found && found !== seenHold) setSeenHold(found);
  const hold = found ?? seenHold;
  const event = useQuery(CheckoutEventDocument, {
    variables: { id: hold?.eventId ?? "" },
    skip: !hold,
  });

  if (holds.error && !hold) {
    const problem = describeApiError(holds.error);
    return (
      <Notice tone="error" title={problem.title} action={<RetryButton onRetry={() => holds.refetch()} />}>
        {problem.message}
      </Notice>
    );
  }
  if (event.error && !event.data) {
    const problem = describeApiError(event.error);
    return (
      <Notice tone="error" title={problem.title} action={<RetryButton onRetry={() => event.refetch()} />}>
        {problem.message}
      </Notice>
    );
  }
  if (!viewer || !holds.data) return <CheckoutSkeleton />;
  if (!hold) {
    return (
      <Notice
        title="This hold is no longer active"
        action={
          <>
            <Link className="button" href="/orders">
              My orders
            </Link>
            <Link className="button button-secondary" href="/">
              All events
            </Link>
          </>
        }
      >
        It may have run out, been released, or already been paid for. Your orders list every purchase.
      </Notice>
    );
  }
  if (!event.data) return <CheckoutSkeleton />;
  if (!event.data.event) {
    return (
      <Notice title="This event is no longer available" action={<AllEventsLink />}>
        The event of this hold can't be found.
      </Notice>
    );
  }
  return <CheckoutForm hold={hold} event={event.data.event} />;
}

function CheckoutForm({ hold, event }: { hold: HoldFieldsFragment; event: CheckoutEvent }) {
  const client = useApolloClient();
  const router = useRouter();
  const pathname = usePathname();
  const [checkout] = useMutation(CheckoutDocument);
  const timeLeft = useHoldTimeLeft(hold.expiresAt, event.holdSeconds);
  const [card, setCard] = useState<TestCardToken>("tok_visa");
  const [paying, setPaying] = useState(false);
  const [problem, setProblem] = useState<CheckoutProblem | null>(null);
  const [paid, setPaid] = useState(false);
  // The attempt whose outcome is not known yet. Refs, not state: a second click that lands before React
  // re-renders must see the first one in flight.
  const attempt = useRef<PaymentAttempt | null>(null);
  const inFlight = useRef(false);
  const id = useId();

  const seatCount = hold.places.length;
  const standing = hold.places.filter((place) => place.kind === "STANDING");
  const fees = event.feePerTicket.amount * seatCount;
  const total = hold.total.amount + fees;
  const currency = hold.total.currency;
  const unconfirmed = problem?.kind === "unconfirmed";
  // After an unknown outcome the order may exist even though the hold's time is up: "Try again" stays,
  // and the API answers with that order or with HOLD_EXPIRED.
  const ended: { title: string; message: string } | null =
    problem?.kind === "holdEnded"
      ? problem
      : timeLeft.expired && !paid && !unconfirmed
        ? {
            title: "Your hold ran out",
            message: `${seatCount === 1 ? "The seat was" : `The ${seatCount} seats were`} released for other fans and nothing was charged. Go back to the event to pick seats again.`,
          }
        : null;

  const pay = async (formEvent: FormEvent<HTMLFormElement>) => {
    formEvent.preventDefault();
    if (inFlight.current || ended || paid) return;
    inFlight.current = true;
    const current = attempt.current ?? newPaymentAttempt(card);
    attempt.current = current;
    const { idempotencyKey, paymentToken } = current;
    setPaying(true);
    setProblem(null);
    try {
      const result = await checkout({
        variables: { holdId: hold.id, paymentToken, idempotencyKey },
        // A checkout that hangs becomes an unknown outcome the fan can retry with the same key.
        context: { fetchOptions: { signal: AbortSignal.timeout(CHECKOUT_TIMEOUT_MS) } },
      });
      const order = result.data?.checkout;
      if (!order) throw new Error("The API did not return the order.");
      setPaid(true);
      // The hold became this order: it leaves the fan's holds, and the orders list must show the new order.
      client.cache.evict({ id: client.cache.identify({ __typename: "Hold", id: hold.id }) });
      client.cache.evict({ fieldName: "myOrders" });
      client.cache.gc();
      router.push(`/orders/${encodeURIComponent(order.id)}`);
    } catch (error) {
      const described = describeCheckoutError(error);
      if (described.kind === "signIn") {
        router.push(loginHref(pathname));
        return;
      }
      attempt.current = attemptAfterFailure(current, described);
      setProblem(described);
    } finally {
      inFlight.current = false;
      setPaying(false);
    }
  };

  return (
    <div className={styles.checkout}>
      <BackLink href={`/events/${encodeURIComponent(event.id)}`}>Back to the event</BackLink>
      <header className={styles.header}>
        <h1 className={layout.title}>Checkout</h1>
        <p className={layout.eventLine}>
          <strong>{event.name}</strong>
          <span>
            {formatEventDate(event.startsAt, event.venue.timezone)} ·{" "}
            {formatEventTime(event.startsAt, event.venue.timezone)}
          </span>
          <span>
            {event.venue.name}, {event.venue.city}
          </span>
        </p>
      </header>

      <div className={styles.columns}>
        <section className={styles.card} aria-labelledby={`${id}-summary`}>
          <h2 id={`${id}-summary`}>Order summary</h2>
          <ul className={styles.seatList} data-checkout-seats>
            {hold.seats.map((seat) => (
              <li key={seat.id}>
                <span>{seatLabel(seat.section, seat.row, seat.number)}</span>
                <span className={styles.amount}>{formatMoney(seat.price.amount, seat.price.currency)}</span>
              </li>
            ))}
            {standing.map((place, index) => (
              // Standing places are alike: their position is all that tells them apart.
              // biome-ignore lint/suspicious/noArrayIndexKey: identical places, never reordered.
              <li key={`standing-${index}`}>
                <span>{place.section}, Standing</span>
                <span className={styles.amount}>{formatMoney(place.price.amount, place.price.currency)}</span>
              </li>
            ))}
          </ul>
          <Totals
            subtotal={{ label: formatTicketCount(seatCount), money: { amount: hold.total.amount, currency } }}
            fees={{
              label: `Fees (${formatMoney(event.feePerTicket.amount, event.feePerTicket.currency)} × ${seatCount})`,
              money: { amount: fees, currency: event.feePerTicket.currency },
            }}
            total={{ amount: total, currency }}
            totalAttribute="data-checkout-total"
          />
        </section>

        <section
          className={`${styles.card} ${styles.payCard}`}
          aria-labelledby={`${id}-pay`}
          data-checkout-state={paid ? "paid" : ended ? "ended" : paying ? "paying" : "ready"}
        >
          <h2 id={`${id}-pay`} className="visually-hidden">
            Payment
          </h2>
          {/* When the API says the hold ended first (its clock decides), the countdown stops at zero too. */}
          <HoldCountdown timeLeft={ended ? HOLD_ENDED : timeLeft} />
          {/* Assertive: the fan may be filling in the form when the hold runs out. */}
          <div aria-live="assertive">
            {ended ? (
              <div className={styles.problem} data-checkout-ended>
                <strong>{ended.title}</strong>
                <p>{ended.message}</p>
                <Link className="button" href={`/events/${encodeURIComponent(event.id)}`}>
                  Pick seats again
                </Link>
              </div>
            ) : null}
          </div>
          <form className={styles.payForm} onSubmit={pay} aria-describedby={`${id}-problem`}>
            {/* After an unknown outcome the retry must send the same card: switching would be a new purchase. */}
            <fieldset className={styles.cards} disabled={paying || unconfirmed || ended !== null || paid}>
              <legend>Test card</legend>
              {TEST_CARDS.map((testCard) => (
                <label key={testCard.token} className={styles.cardOption}>
                  <input
                    type="radio"
                    name="paymentToken"
                    value={testCard.token}
                    checked={card === testCard.token}
                    onChange={() => setCard(testCard.token)}
                  />
                  <span>
                    <strong>{testCard.label}</strong>
                    <span className={styles.hint}>{testCard.hint}</span>
                  </span>
                </label>
              ))}
            </fieldset>
            <div id={`${id}-problem`} role="alert">
              {problem && problem.kind !== "holdEnded" && problem.kind !== "signIn" ? (
                <div className={styles.problem} data-checkout-problem={problem.kind}>
                  <strong>{problem.title}</strong>
                  <p>{problem.message}</p>
                </div>
              ) : null}
            </div>
            <button
              type="submit"
              className={`button ${styles.payButton}`}
              disabled={paying || ended !== null || paid}
              aria-busy={paying}
            >
              {paid
                ? "Paid"
                : paying
                  ? "Paying…"
                  : unconfirmed
                    ? "Try again"
                    : `Pay ${formatMoney(total, currency)}`}
            </button>
            <p className={styles.hint}>
              Test mode: no real card is charged. Paying turns your hold into tickets straight away.
            </p>
          </form>
        </section>
      </div>
    </div>
  );
}

function RetryButton({ onRetry }: { onRetry: () => void }) {
  return (
    <button type="button" className="button" onClick={onRetry}>
      Try again
    </button>
  );
}

function AllEventsLink() {
  return (
    <Link className="button button-secondary" href="/">
      All events
    </Link>
  );
}

function CheckoutSkeleton() {
  return (
    <div className={styles.checkout} aria-busy="true">
      <h1>Checkout</h1>
      <p className={styles.loading} role="status">
        Loading your hold…
      </p>
    </div>
  );
}
