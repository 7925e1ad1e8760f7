import type { SaleState } from "@/lib/event-sale";
import styles from "./sale-badge.module.css";

export function SaleBadge({ sale }: { sale: SaleState }) {
  return <span className={`${styles.badge} ${styles[sale.tone]}`}>{sale.label}</span>;
}
