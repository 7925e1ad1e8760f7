/** Words and numbers for the waiting room: pure, so the unit tests can pin them down. */

export interface EtaFigures {
  etaSeconds: number | null;
  etaLowSeconds: number | null;
  etaHighSeconds: number | null;
}

function formatMinutes(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/**
 * "3–7 min", "about 12 min", "under a minute", or null when no rate has been measured yet. The range is
 * widened to whole minutes (down for the low end, up for the high end) so it never claims more precision
 * than the measured admission rate has.
 */
export function formatEtaRange({ etaSeconds, etaLowSeconds, etaHighSeconds }: EtaFigures): string | null {
  const low = etaLowSeconds ?? etaSeconds;
  const high = etaHighSeconds ?? etaSeconds;
  if (low === null || high === null) return null;
  const lowMinutes = Math.floor(Math.max(0, Math.min(low, high)) / 60);
  const highMinutes = Math.ceil(Math.max(low, high) / 60);
  if (highMinutes <= 1) return "under a minute";
  if (lowMinutes >= highMinutes - 1) return `about ${formatMinutes(highMinutes)}`;
  if (lowMinutes === 0) return `under ${formatMinutes(highMinutes)}`;
  return lowMinutes < 60 && highMinutes < 60
    ? `${lowMinutes}–${highMinutes} min`
    : `${formatMinutes(lowMinutes)} – ${formatMinutes(highMinutes)}`;
}

/**
 * How far along the fan is, from 0 to 1: the share of the people ahead of them when they were first placed
 * (`firstPosition`) who have been let in since.
 */
export function queueProgress(position: number, firstPosition: number): number {
  if (firstPosition <= 1) return position <= 1 ? 1 : 0;
  const ahead = Math.max(0, position - 1);
  return Math.min(1, Math.max(0, 1 - ahead / (firstPosition - 1)));
}

/** "1 in 4", "1 in 1,024": the proof-of-work odds shown beside the progress, for the curious. */
export function formatAttempts(attempts: number, expected: number): string {
  const locale = "en-GB";
  return `${attempts.toLocaleString(locale)} of ~${expected.toLocaleString(locale)} expected attempts`;
}

/** "4:05" under an hour, "2 h 05 min" beyond: countdowns to a sale that may be days away. */
export function formatTimeLeft(milliseconds: number): string {
  const seconds = Math.max(0, Math.ceil(milliseconds / 1000));
  if (seconds < 3600) return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
  const minutes = Math.floor(seconds / 60);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = String(minutes % 60).padStart(2, "0");
  return days > 0 ? `${days} d ${hours} h ${rest} min` : `${hours} h ${rest} min`;
}
