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

/** A sold-out standing area: fans may wait for its places. */
export interface WaitlistArea {
  id: string;
  name: string;
}

/** What a place waits for, as the form's one choice: any seat, a tier's seats, or an area's places. */
type Wanted = { priceTierId: string | null; areaId: string | null };
const ANY_SEAT = "any";
const TIER = "tier:";
const AREA = "area:";
const wantedOf = (value: string): Wanted =>
  value.startsWith(AREA)
    ? { priceTierId: null, areaId: value.slice(AREA.length) }
    : { priceTierId: value.startsWith(TIER) ? value.slice(TIER.length) : null, areaId: null };

/**
 * On an event's page when its seats or one of its standing areas are sold out: "Join the waitlist" (for
 * seats of a tier or any, or for an area's places), or the fan's place and offer.
 */
export function WaitlistSection({
  eventId,
  tiers,
  maxSeats,
  seatsSoldOut,
  soldOutAreas,
}: {
  eventId: string;
  tiers: readonly WaitlistTier[];
  maxSeats: number;
  /** Whether every seat is sold (else only the sold-out standing areas take places). */
  seatsSoldOut: boolean;
  soldOutAreas: readonly WaitlistArea[];
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
        When seats or standing places come back, we hold them for the fans in line, first come, first served
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
        <JoinForm
          eventId={eventId}
          tiers={tiers}
          areas={soldOutAreas}
          seatsSoldOut={seatsSoldOut}
          maxSeats={maxSeats}
        />
      )}
    </section>
  );
}

function JoinForm({
  eventId,
  tiers,
  areas,
  seatsSoldOut,
  maxSeats,
}: {
  eventId: string;
  tiers: readonly WaitlistTier[];
  areas: readonly WaitlistArea[];
  seatsSoldOut: boolean;
  maxSeats: number;
}) {
  const id = useId();
  const [quantity, setQuantity] = useState(Math.min(2, maxSeats));
  const [wanted, setWanted] = useState(seatsSoldOut ? ANY_SEAT : `${AREA}${areas[0]?.id ?? ""}`);
  const [problem, setProblem] = useState<FormProblem | null>(null);
  const [joinWaitlist, { loading }] = useMutation(JoinWaitlistDocument, {
    refetchQueries: [MyWaitlistsDocument, EventWaitlistDocument],
  });
  const problemFor = (field: string) => (problem?.field === field ? problem.message : null);
  const choiceProblem = problemFor("priceTierId") ?? problemFor("areaId");
  const standing = wantedOf(wanted).areaId !== null;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setProblem(null);
    try {
      await joinWaitlist({ variables: { eventId, quantity, ...wantedOf(wanted) } });
    } catch (error) {
      setProblem(formProblem(error));
    }
  };

  return (
    <form className={styles.form} onSubmit={submit}>
      <div className={styles.field}>
        <label htmlFor={`${id}-wanted`}>Wait for</label>
        <select
          id={`${id}-wanted`}
          value={wanted}
          onChange={(event) => setWanted(event.target.value)}
          aria-invalid={choiceProblem ? true : undefined}
          aria-describedby={choiceProblem ? `${id}-wanted-error` : undefined}
        >
          {seatsSoldOut ? (
            <optgroup label="Seats">
              <option value={ANY_SEAT}>Any seat</option>
              {tiers.map((tier) => (
                <option key={tier.id} value={`${TIER}${tier.id}`}>
                  {tier.name} · {tier.price}
                </option>
              ))}
            </optgroup>
          ) : null}
          {areas.length ? (
            <optgroup label="Standing">
              {areas.map((area) => (
                <option key={area.id} value={`${AREA}${area.id}`}>
                  {area.name} (standing)
                </option>
              ))}
            </optgroup>
          ) : null}
        </select>
        <FieldError id={`${id}-wanted-error`} message={choiceProblem} />
      </div>
      <div className={styles.field}>
        <label htmlFor={`${id}-quantity`}>{standing ? "Places" : "Seats"}</label>
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
      {problem && !["quantity", "priceTierId", "areaId"].includes(problem.field ?? "") ? (
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
