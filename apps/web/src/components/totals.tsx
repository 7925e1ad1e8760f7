import { formatMoney, type Money } from "@/lib/format";
import styles from "./totals.module.css";

interface TotalsLine {
  /** "Seats", "2 tickets", "Fees (€1.50 × 2)". */
  label: string;
  money: Money;
}

interface TotalsProps {
  /** What the seats or tickets cost. */
  subtotal: TotalsLine;
  fees: TotalsLine;
  total: Money;
  /** Without a fee the subtotal is the total: show only the total. */
  hideWithoutFees?: boolean;
  /** Smaller, for the cards beside the seat map. */
  compact?: boolean;
  /** The attribute tests read the total from, e.g. "data-hold-total". */
  totalAttribute?: `data-${string}`;
}

/** Seats (or tickets), fees and the total: the same block on the hold card, picked seats, checkout and order. */
export function Totals({
  subtotal,
  fees,
  total,
  hideWithoutFees = false,
  compact = false,
  totalAttribute,
}: TotalsProps) {
  const showLines = !hideWithoutFees || fees.money.amount > 0;
  return (
    <dl className={`${styles.totals} ${compact ? styles.compact : ""}`}>
      {showLines ? (
        <>
          <div>
            <dt>{subtotal.label}</dt>
            <dd>{formatMoney(subtotal.money.amount, subtotal.money.currency)}</dd>
          </div>
          {/* No fee, no fee line: "Fees (€0.00 × 2)" only makes a fan wonder. */}
          {fees.money.amount > 0 ? (
            <div>
              <dt>{fees.label}</dt>
              <dd>{formatMoney(fees.money.amount, fees.money.currency)}</dd>
            </div>
          ) : null}
        </>
      ) : null}
      <div className={styles.grandTotal}>
        <dt>Total</dt>
        <dd {...(totalAttribute ? { [totalAttribute]: true } : {})}>
          {formatMoney(total.amount, total.currency)}
        </dd>
      </div>
    </dl>
  );
}
