import type { Metadata } from "next";
import { AuditLog } from "@/organizer/audit-log";
import { OrganizerOnly } from "@/organizer/organizer-access";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditLogPage({ params }: PageProps<"/organizer/events/[id]/audit">) {
  const { id } = await params;
  return (
    <OrganizerOnly>
      <AuditLog eventId={id} />
    </OrganizerOnly>
  );
}
