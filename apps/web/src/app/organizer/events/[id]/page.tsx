import type { Metadata } from "next";
import { OrganizerOnly } from "@/organizer/organizer-access";
import { QueueControls } from "@/organizer/queue-controls";
import { StaticCodesSetting } from "@/organizer/static-codes-setting";

export const metadata: Metadata = { title: "Event controls" };

export default async function OrganizerEventPage({ params }: PageProps<"/organizer/events/[id]">) {
  const { id } = await params;
  return (
    <OrganizerOnly>
      <QueueControls eventId={id} />
      <StaticCodesSetting eventId={id} />
    </OrganizerOnly>
  );
}
