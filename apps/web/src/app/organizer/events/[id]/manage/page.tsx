import type { Metadata } from "next";
import { EventManager } from "@/organizer/event-manager";
import { OrganizerOnly } from "@/organizer/organizer-access";

export const metadata: Metadata = { title: "Manage the event" };

export default async function ManageEventPage({ params }: PageProps<"/organizer/events/[id]/manage">) {
  const { id } = await params;
  return (
    <OrganizerOnly>
      <EventManager eventId={id} />
    </OrganizerOnly>
  );
}
