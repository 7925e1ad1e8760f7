import type { Metadata } from "next";
import Link from "next/link";
import layout from "@/components/layout.module.css";
import styles from "@/organizer/organizer.module.css";
import { OrganizerOnly } from "@/organizer/organizer-access";
import { OrganizerEvents } from "@/organizer/organizer-events";

export const metadata: Metadata = { title: "Your events" };

export default function OrganizerPage() {
  return (
    <div className={styles.page}>
      <h1 className={layout.title}>Your events</h1>
      <p className={layout.muted}>
        Open an event with a waiting room to watch its line and change how fast fans are let in. Partner
        integrations: <Link href="/organizer/webhooks">Webhooks</Link>. Venues and seating charts:{" "}
        <Link href="/organizer/venues">Your venues</Link>.
      </p>
      <OrganizerOnly>
        <OrganizerEvents />
      </OrganizerOnly>
    </div>
  );
}
