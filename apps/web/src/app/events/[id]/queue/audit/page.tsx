import type { Metadata } from "next";
import { QueueAudit } from "@/queue/queue-audit";

export const metadata: Metadata = { title: "Waiting-room draw" };

export default async function QueueAuditPage({
  params,
  searchParams,
}: PageProps<"/events/[id]/queue/audit">) {
  const { id } = await params;
  // The waiting room links here with the fan's own entry id, to find it in the draw.
  const { entry } = await searchParams;
  return <QueueAudit eventId={id} entryId={typeof entry === "string" ? entry : null} />;
}
