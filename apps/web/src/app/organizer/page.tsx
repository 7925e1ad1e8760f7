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
        Every event you organize: drafts, on sale, past and cancelled. Open one to price it, publish it,
        manage its seats, watch its waiting room or cancel it. Partner integrations:{" "}
        <Link href="/organizer/webhooks">Webhooks</Link>.
      </p>
      <OrganizerOnly>
        <OrganizerEvents />
      </OrganizerOnly>
    </div>
  );
}
