import type { Metadata } from "next";
import { EventForm } from "@/organizer/event-form";
import { OrganizerOnly } from "@/organizer/organizer-access";

export const metadata: Metadata = { title: "New event" };

export default function NewEventPage() {
  return (
    <OrganizerOnly>
      <EventForm />
    </OrganizerOnly>
  );
}
