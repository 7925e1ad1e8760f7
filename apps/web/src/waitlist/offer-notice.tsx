import Link from "next/link";
import layout from "@/components/layout.module.css";
import type { WaitlistEntryFieldsFragment } from "@/gql/graphql";
import { formatTicketCount } from "@/lib/format";

/** The in-app notice of an offer just pushed: seats are held for the fan, with the way to checkout. */
export function OfferNotice({ offer }: { offer: WaitlistEntryFieldsFragment | null }) {
  return (
    <div aria-live="assertive">
      {offer?.state === "OFFERED" && offer.holdId ? (
        <p className={`${layout.message} ${layout.success}`} data-waitlist-offer={offer.id}>
          Good news: {formatTicketCount(offer.quantity)} for {offer.event.name} are held for you.{" "}
          <Link href={`/checkout/${encodeURIComponent(offer.holdId)}`}>Check out now</Link>
        </p>
      ) : null}
    </div>
  );
}
