import type { Metadata } from "next";
import { EventManager } from "@/organizer/event-manager";
import { OrganizerOnly } from "@/organizer/organizer-access";

export const metadata: Metadata = { title: "Your event" };

export default async function OrganizerEventPage({ params }: PageProps<"/organizer/events/[id]">) {
  const { id } = await params;
  return (
    <OrganizerOnly>
      <EventManager eventId={id} />
    </OrganizerOnly>
  );
}
