import layout from "@/components/layout.module.css";

const LABELS: Record<string, string> = {
  DRAFT: "Draft",
  ON_SALE: "On sale",
  SOLD_OUT: "Sold out",
  CANCELLED: "Cancelled",
  ENDED: "Ended",
};

/** An event's state in words; a published event whose sale has not opened says so. */
export function EventStatus({
  status,
  onSale,
  startsAt,
}: {
  status: string;
  onSale: boolean;
  startsAt: string;
}) {
  const past = new Date(startsAt).getTime() < Date.now();
  let label = LABELS[status] ?? status;
  if (status === "ON_SALE" && !onSale) label = past ? "Past" : "Published, sale not open yet";
  if (status === "SOLD_OUT" && past) label = "Past";
  return (
    <span className={layout.muted} data-event-status={status}>
      {label}
    </span>
  );
}
