// One fixed locale keeps server-rendered and browser-rendered text identical (no hydration mismatch).
const LOCALE = "en-GB";

/** "Sat 14 Mar 2026" in the venue's time zone: fans care about the local date of the show. */
export function formatEventDate(isoDate: string, timeZone: string): string {
  return new Intl.DateTimeFormat(LOCALE, {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone,
  }).format(new Date(isoDate));
}

/** "20:00 CET" in the venue's time zone. */
export function formatEventTime(isoDate: string, timeZone: string): string {
  return new Intl.DateTimeFormat(LOCALE, {
    hour: "2-digit",
    minute: "2-digit",
    timeZone,
    timeZoneName: "short",
  }).format(new Date(isoDate));
}

/** "Tue 24 Nov 2026, 21:14 CET": a moment (an order, a refund, a draw) in the venue's time zone, labelled. */
export function formatDateTime(isoDate: string, timeZone: string): string {
  return new Intl.DateTimeFormat(LOCALE, {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZone,
    timeZoneName: "short",
  }).format(new Date(isoDate));
}

/** Day and short month for the date stub on event cards. */
export function eventDateParts(isoDate: string, timeZone: string): { day: string; month: string } {
  const parts = new Intl.DateTimeFormat(LOCALE, { day: "numeric", month: "short", timeZone }).formatToParts(
    new Date(isoDate),
  );
  return {
    day: parts.find((part) => part.type === "day")?.value ?? "",
    month: parts.find((part) => part.type === "month")?.value ?? "",
  };
}

/** The API's Money: an amount in minor units (cents) and its currency. */
export interface Money {
  amount: number;
  currency: string;
}

/** Money arrives in minor units (cents); the currency says how many decimals it has. */
export function formatMoney(amountMinor: number, currency: string): string {
  const formatter = new Intl.NumberFormat(LOCALE, { style: "currency", currency });
  const decimals = formatter.resolvedOptions().maximumFractionDigits ?? 2;
  return formatter.format(amountMinor / 10 ** decimals);
}

/** "9:58": a countdown, rounded up so it shows 0:00 only when the time is really up. */
export function formatCountdown(milliseconds: number): string {
  const seconds = Math.max(0, Math.ceil(milliseconds / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

/** "10 minutes", "1 minute", "45 seconds": how long something lasts, in its largest whole unit. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? "1 second" : `${seconds} seconds`;
  const minutes = Math.round(seconds / 60);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

/** "1 ticket", "3 tickets". */
export function formatTicketCount(count: number): string {
  return count === 1 ? "1 ticket" : `${count} tickets`;
}

export function formatCount(count: number): string {
  return count.toLocaleString(LOCALE);
}
