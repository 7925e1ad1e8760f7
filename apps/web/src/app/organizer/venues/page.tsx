import type { Metadata } from "next";
import { BackLink } from "@/components/back-link";
import layout from "@/components/layout.module.css";
import styles from "@/organizer/organizer.module.css";
import { OrganizerOnly } from "@/organizer/organizer-access";
import { VenueList } from "@/venues/venue-list";

export const metadata: Metadata = { title: "Your venues" };

export default function VenuesPage() {
  return (
    <div className={styles.page}>
      <BackLink href="/organizer">Your events</BackLink>
      <h1 className={layout.title}>Your venues</h1>
      <p className={layout.muted}>
        Venues and their seating charts. Open one to draw its chart in the builder, or to import a chart drawn
        elsewhere.
      </p>
      <OrganizerOnly>
        <VenueList />
      </OrganizerOnly>
    </div>
  );
}
