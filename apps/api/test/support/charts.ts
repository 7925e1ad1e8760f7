import type { Db } from "../../src/infra/prisma.js";

/**
 * A chart's seats as one digest: every seat's section, row, number, coordinates and flags, in drawing
 * order. Two charts with the same digest have the same seats (an export that imports back, say).
 */
export async function chartSeatDigest(db: Db, chartId: number): Promise<{ seats: number; digest: string }> {
  const [row] = await db.$queryRaw<{ seats: number; digest: string }[]>`
    SELECT count(*)::int AS seats,
           md5(string_agg(concat_ws(',', sec.name, s.row_label, s.number, s.x, s.y, s.accessible,
                                    s.wheelchair, s.companion, s.restricted_view),
                          ';' ORDER BY sec.sort_order, s.row_rank, s.number)) AS digest
    FROM seat s JOIN section sec ON sec.id = s.section_id
    WHERE sec.chart_id = ${chartId}`;
  if (!row) throw new Error(`no digest for chart ${chartId}`);
  return row;
}
