import type { Metadata } from "next";
import { publicApiUrl } from "@/lib/api-url";
import { OrganizerOnly } from "@/organizer/organizer-access";
import { EventOrders } from "@/sales/event-orders";
import { attendeeExportUrl } from "@/sales/export-url";

export const metadata: Metadata = { title: "Orders" };

export default async function OrganizerEventOrdersPage({
  params,
}: PageProps<"/organizer/events/[id]/orders">) {
  const { id } = await params;
  return (
    <OrganizerOnly>
      <EventOrders eventId={id} exportUrl={attendeeExportUrl(publicApiUrl(), id)} />
    </OrganizerOnly>
  );
}
