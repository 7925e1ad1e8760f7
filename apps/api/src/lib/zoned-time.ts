// Wall-clock times in a venue's IANA time zone, using only Intl (no date library needed).

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClockAt(instant: Date, timeZone: string): WallClock {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const field = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((part) => part.type === type)?.value);
  return {
    year: field("year"),
    month: field("month"),
    day: field("day"),
    hour: field("hour"),
    minute: field("minute"),
    second: field("second"),
  };
}

/** How far the zone's wall clock is ahead of UTC at `instantMs`. */
function utcOffsetMs(instantMs: number, timeZone: string): number {
  const wall = wallClockAt(new Date(instantMs), timeZone);
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return wallAsUtc - Math.floor(instantMs / 1000) * 1000;
}

/**
 * The instant at which the venue's clocks show `time` ("HH:MM") on the local date `dayOffset`
 * days after the local date of `from`. Around a DST change the offset is re-read once, which
 * lands nonexistent times just after the gap.
 */
export function localTimeOnDay(from: Date, dayOffset: number, time: string, timeZone: string): Date {
  const [hour, minute] = time.split(":").map(Number);
  if (hour === undefined || minute === undefined || Number.isNaN(hour) || Number.isNaN(minute)) {
    throw new Error(`invalid time of day "${time}"`);
  }
  const today = wallClockAt(from, timeZone);
  const wallAsUtc = Date.UTC(today.year, today.month - 1, today.day + dayOffset, hour, minute);
  const firstGuess = wallAsUtc - utcOffsetMs(wallAsUtc, timeZone);
  return new Date(wallAsUtc - utcOffsetMs(firstGuess, timeZone));
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * The instant at which clocks in `timeZone` show `local` ("2027-05-01T20:00", as an HTML
 * datetime-local input gives it); null when `local` is not such a date and time.
 */
export function zonedInstant(local: string, timeZone: string): Date | null {
  const match = LOCAL_DATE_TIME.exec(local.trim());
  if (!match) return null;
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  const wallAsUtc = Date.UTC(year as number, (month as number) - 1, day, hour, minute, second || 0);
  const check = new Date(wallAsUtc);
  if (check.getUTCMonth() !== (month as number) - 1 || check.getUTCDate() !== day || (hour as number) > 23) {
    return null;
  }
  const firstGuess = wallAsUtc - utcOffsetMs(wallAsUtc, timeZone);
  return new Date(wallAsUtc - utcOffsetMs(firstGuess, timeZone));
}

/** What clocks in `timeZone` show at `instant`, as "2027-05-01T20:00" (the inverse of zonedInstant). */
export function localDateTime(instant: Date, timeZone: string): string {
  const wall = wallClockAt(instant, timeZone);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${wall.year}-${pad(wall.month)}-${pad(wall.day)}T${pad(wall.hour)}:${pad(wall.minute)}`;
}
