import type { OrderStatus } from "@/gql/graphql";
import styles from "./orders.module.css";

const STATUS_BADGES: Record<OrderStatus, { label: string; className: string | undefined }> = {
  PENDING: { label: "Confirming payment", className: styles.statusPending },
  CONFIRMED: { label: "Confirmed", className: styles.statusConfirmed },
  FAILED: { label: "Payment failed", className: styles.statusFailed },
  CANCELLED: { label: "Cancelled", className: styles.statusCancelled },
};

export function OrderStatusBadge({ status }: { status: OrderStatus }) {
  const badge = STATUS_BADGES[status];
  return (
    <span className={badge.className} data-status={status}>
      {badge.label}
    </span>
  );
}

/** "Tue 24 Nov 2026, 21:14 CET" in the fan's own time zone: when they did something, not the venue's. */
export function formatOrderTime(isoDate: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  }).format(new Date(isoDate));
}
