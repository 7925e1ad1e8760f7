import type { Metadata } from "next";
import { OrganizerOnly } from "@/organizer/organizer-access";
import { QueueControls } from "@/organizer/queue-controls";

export const metadata: Metadata = { title: "Waiting room controls" };

export default async function OrganizerEventPage({ params }: PageProps<"/organizer/events/[id]">) {
  const { id } = await params;
  return (
    <OrganizerOnly>
      <QueueControls eventId={id} />
    </OrganizerOnly>
  );
}
