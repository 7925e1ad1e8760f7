import type { Metadata } from "next";
import { DoorScanner } from "@/door/door-scanner";

export const metadata: Metadata = { title: "Check-in" };

/** For the event's organizer and the door staff it invited (the API refuses anyone else). */
export default async function DoorPage({ params }: PageProps<"/door/[eventId]">) {
  const { eventId } = await params;
  return <DoorScanner eventId={eventId} />;
}
