import type { Metadata } from "next";
import { BackLink } from "@/components/back-link";
import layout from "@/components/layout.module.css";
import styles from "@/organizer/organizer.module.css";
import { OrganizerOnly } from "@/organizer/organizer-access";
import { WebhookEndpoints } from "@/webhooks/webhook-endpoints";

export const metadata: Metadata = { title: "Webhooks" };

export default function WebhooksPage() {
  return (
    <div className={styles.page}>
      <BackLink href="/organizer">Your events</BackLink>
      <h1 className={layout.title}>Webhooks</h1>
      <p className={layout.muted}>
        Frontrow sends signed order events to your servers. Register an endpoint, keep its secret to verify
        the <code>webhook-signature</code> header, and follow every delivery here.
      </p>
      <OrganizerOnly>
        <WebhookEndpoints />
      </OrganizerOnly>
    </div>
  );
}
