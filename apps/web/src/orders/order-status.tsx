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
