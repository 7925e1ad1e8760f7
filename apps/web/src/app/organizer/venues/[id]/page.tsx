import type { Metadata } from "next";
import { OrganizerOnly } from "@/organizer/organizer-access";
import { VenueBuilder } from "@/venues/venue-builder";

export const metadata: Metadata = { title: "Venue builder" };

export default async function VenueBuilderPage({ params }: PageProps<"/organizer/venues/[id]">) {
  const { id } = await params;
  return (
    <OrganizerOnly>
      <VenueBuilder venueId={id} />
    </OrganizerOnly>
  );
}
