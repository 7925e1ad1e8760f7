"use client";

import { useMutation, useQuery } from "@apollo/client/react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { type FormEvent, useId, useState } from "react";
import { loginHref } from "@/auth/return-path";
import { useViewer } from "@/auth/use-viewer";
import layout from "@/components/layout.module.css";
import { EventWaitlistDocument, JoinWaitlistDocument, MyWaitlistsDocument } from "@/gql/graphql";
import { type FormProblem, formProblem } from "@/lib/api-errors";
import { formatDuration } from "@/lib/format";
import { FieldError } from "@/transfers/field-error";
import styles from "@/transfers/transfers.module.css";
import { OfferNotice } from "./offer-notice";
import { useWaitlistOffers } from "./use-waitlist-offers";
import { WaitlistPlace } from "./waitlist-place";

export interface WaitlistTier {
  id: string;
  name: string;
  /** Already formatted. */
  price: string;
}

const ANY_TIER = "";

/** On a sold-out event's page: "Join the waitlist" (seats, tier), or the fan's place and offer. */
export function WaitlistSection({
  eventId,
  tiers,
  maxSeats,
}: {
  eventId: string;
  tiers: readonly WaitlistTier[];
  maxSeats: number;
}) {
  const { viewer, loading: viewerLoading } = useViewer();
  const pathname = usePathname();
  const { data: info } = useQuery(EventWaitlistDocument, {
    variables: { id: eventId },
    fetchPolicy: "cache-and-network",
  });
  const { data: mine } = useQuery(MyWaitlistsDocument, { skip: !viewer, fetchPolicy: "cache-and-network" });
  const offer = useWaitlistOffers(Boolean(viewer));
  const waitlist = info?.event?.waitlist;
  const place = mine?.myWaitlists.find(
    (entry) => entry.eventId === eventId && (entry.state === "WAITING" || entry.state === "OFFERED"),
  );

  return (
    <section className={styles.section} aria-labelledby="waitlist-heading" data-waitlist>
      <h2 id="waitlist-heading">Sold out: join the waitlist</h2>
      <p className={layout.muted}>
        When seats come back, we hold them for the fans in line, first come, first served
        {waitlist ? `, for ${formatDuration(waitlist.offerSeconds)} each` : ""}. You get an email and a notice
        here.
        {waitlist ? ` ${waitlist.waiting} ${waitlist.waiting === 1 ? "fan is" : "fans are"} waiting.` : ""}
      </p>
      <OfferNotice offer={offer} />
      {place ? (
        <WaitlistPlace entry={place} />
      ) : viewerLoading ? null : !viewer ? (
        <p>
          <Link className="button" href={loginHref(pathname)}>
            Log in to join the waitlist
          </Link>
        </p>
      ) : waitlist && !waitlist.open ? (
        <p className={layout.muted}>This event has no waitlist.</p>
      ) : (
        <JoinForm eventId={eventId} tiers={tiers} maxSeats={maxSeats} />
      )}
    </section>
  );
}

function JoinForm({
  eventId,
  tiers,
  maxSeats,
}: {
  eventId: string;
  tiers: readonly WaitlistTier[];
  maxSeats: number;
}) {
  const id = useId();
  const [quantity, setQuantity] = useState(Math.min(2, maxSeats));
  const [tierId, setTierId] = useState(ANY_TIER);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [joinWaitlist, { loading }] = useMutation(JoinWaitlistDocument, {
    refetchQueries: [MyWaitlistsDocument, EventWaitlistDocument],
  });
  const problemFor = (field: string) => (problem?.field === field ? problem.message : null);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setProblem(null);
    try {
      await joinWaitlist({
        variables: { eventId, quantity, priceTierId: tierId === ANY_TIER ? null : tierId },
      });
    } catch (error) {
      setProblem(formProblem(error));
    }
  };

  return (
    <form className={styles.form} onSubmit={submit}>
      <div className={styles.field}>
        <label htmlFor={`${id}-quantity`}>Seats</label>
        <select
          id={`${id}-quantity`}
          value={quantity}
          onChange={(event) => setQuantity(Number(event.target.value))}
          aria-invalid={problemFor("quantity") ? true : undefined}
          aria-describedby={problemFor("quantity") ? `${id}-quantity-error` : undefined}
        >
          {Array.from({ length: maxSeats }, (_, index) => index + 1).map((count) => (
            <option key={count} value={count}>
              {count}
            </option>
          ))}
        </select>
        <FieldError id={`${id}-quantity-error`} message={problemFor("quantity")} />
      </div>
      <div className={styles.field}>
        <label htmlFor={`${id}-tier`}>Tier</label>
        <select
          id={`${id}-tier`}
          value={tierId}
          onChange={(event) => setTierId(event.target.value)}
          aria-invalid={problemFor("priceTierId") ? true : undefined}
          aria-describedby={problemFor("priceTierId") ? `${id}-tier-error` : undefined}
        >
          <option value={ANY_TIER}>Any tier</option>
          {tiers.map((tier) => (
            <option key={tier.id} value={tier.id}>
              {tier.name} · {tier.price}
            </option>
          ))}
        </select>
        <FieldError id={`${id}-tier-error`} message={problemFor("priceTierId")} />
      </div>
      {problem && problem.field !== "quantity" && problem.field !== "priceTierId" ? (
        <p className={`${layout.message} ${layout.error}`} role="alert">
          {problem.message}
        </p>
      ) : null}
      <div className={styles.actions}>
        <button type="submit" className="button" disabled={loading} aria-busy={loading}>
          {loading ? "Joining…" : "Join the waitlist"}
        </button>
      </div>
    </form>
  );
}
