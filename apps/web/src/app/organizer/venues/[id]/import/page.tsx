import type { Metadata } from "next";
import { publicApiUrl } from "@/lib/api-url";
import { OrganizerOnly } from "@/organizer/organizer-access";
import { ChartImport } from "@/venues/chart-import";
import { chartUploadUrl } from "@/venues/chart-upload";

export const metadata: Metadata = { title: "Import a seating chart" };

export default async function ChartImportPage({ params }: PageProps<"/organizer/venues/[id]/import">) {
  const { id } = await params;
  return (
    <OrganizerOnly>
      <ChartImport venueId={id} uploadUrl={chartUploadUrl(publicApiUrl(), id)} />
    </OrganizerOnly>
  );
}
