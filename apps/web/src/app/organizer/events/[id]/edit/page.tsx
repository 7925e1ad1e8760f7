import type { Metadata } from "next";
import { EventForm } from "@/organizer/event-form";
import { OrganizerOnly } from "@/organizer/organizer-access";

export const metadata: Metadata = { title: "Edit the event" };

export default async function EditEventPage({ params }: PageProps<"/organizer/events/[id]/edit">) {
  const { id } = await params;
  return (
    <OrganizerOnly>
      <EventForm eventId={id} />
    </OrganizerOnly>
  );
}
