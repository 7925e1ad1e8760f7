import type { Metadata } from "next";
import { publicApiUrl } from "@/lib/api-url";
import { OrganizerOnly } from "@/organizer/organizer-access";
import { StaticCodesSetting } from "@/organizer/static-codes-setting";
import { attendeeExportUrl } from "@/sales/export-url";
import { SalesDashboard } from "@/sales/sales-dashboard";

export const metadata: Metadata = { title: "Live sales" };

export default async function OrganizerEventPage({ params }: PageProps<"/organizer/events/[id]">) {
  const { id } = await params;
  return (
    <OrganizerOnly>
      <SalesDashboard eventId={id} exportUrl={attendeeExportUrl(publicApiUrl(), id)} />
      <StaticCodesSetting eventId={id} />
    </OrganizerOnly>
  );
}
