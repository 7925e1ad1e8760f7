import * as hdr from "hdr-histogram-js";

/** Latencies recorded in whole microseconds, up to 10 minutes, 3 significant digits (HDR). */
export const latencyHistogram = () =>
  hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
  });

export type Histogram = ReturnType<typeof latencyHistogram>;

/** Records `ms` milliseconds (at least 1 µs) into a histogram of microseconds. */
export function recordMs(histogram: Histogram, ms: number): void {
  histogram.recordValue(Math.max(1, Math.round(ms * 1000)));
}

export interface Percentiles {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** Percentiles in milliseconds of a histogram recorded in microseconds; NaN when it is empty. */
export function percentilesMs(histogram: Histogram): Percentiles {
  const empty = histogram.totalCount === 0;
  const at = (percentile: number) => (empty ? Number.NaN : histogram.getValueAtPercentile(percentile) / 1000);
  return {
    count: histogram.totalCount,
    mean: empty ? Number.NaN : histogram.mean / 1000,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: empty ? Number.NaN : histogram.maxValue / 1000,
  };
}
