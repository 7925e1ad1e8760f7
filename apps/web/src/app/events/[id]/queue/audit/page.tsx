import type { Metadata } from "next";
import { QueueAudit } from "@/queue/queue-audit";

export const metadata: Metadata = { title: "Waiting-room draw" };

export default async function QueueAuditPage({ params }: PageProps<"/events/[id]/queue/audit">) {
  const { id } = await params;
  return <QueueAudit eventId={id} />;
}
