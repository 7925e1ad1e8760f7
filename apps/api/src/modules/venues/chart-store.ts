import type { DbOrTx } from "../../kernel/transactions.js";

// Seating charts' SQL (docs/database.md, "Venues, seating charts and what events sell").

/**
 * Freezes the chart an event is being published with, in the publishing transaction: from then on an
 * edit of the chart makes its next version, and the published event keeps this one.
 */
export async function freezeChart(tx: DbOrTx, chartId: number): Promise<void> {
  await tx.$executeRaw`UPDATE seating_chart SET frozen_at = now() WHERE id = ${chartId} AND frozen_at IS NULL`;
}
