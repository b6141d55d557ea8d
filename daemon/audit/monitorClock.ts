/**
 * The wall clock of a policy's time zone, for the monitor's rules: the weekday, the minute of the day and the date of
 * an instant there (Intl, so daylight saving time is the zone's own), and whether it falls in the working hours.
 */
import { WEEKDAYS, type PolicyWorkingHours, type Weekday } from '../protocol';

export interface WallClock {
  day: Weekday;
  /** Minutes since local midnight. */
  minutes: number;
  /** The local date, "YYYY-MM-DD". */
  date: string;
  /** "HH:MM". */
  time: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, format);
  }
  return format;
}

/** The wall clock at `at` in `timeZone` (an IANA name the policy check accepted). */
export function wallClock(at: Date, timeZone: string): WallClock {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(at).map((part) => [part.type, part.value]));
  const day = parts.weekday.toLowerCase().slice(0, 3) as Weekday;
  const time = `${parts.hour}:${parts.minute}`;
  return { day, minutes: Number(parts.hour) * 60 + Number(parts.minute), date: `${parts.year}-${parts.month}-${parts.day}`, time };
}

function minutesOf(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return hours * 60 + minutes;
}

function dayBefore(day: Weekday): Weekday {
  return WEEKDAYS[(WEEKDAYS.indexOf(day) + WEEKDAYS.length - 1) % WEEKDAYS.length];
}

/**
 * Whether `clock` falls in `hours`: from `from` (inclusive) to `to` (exclusive) on one of `days`. Hours whose `to` comes
 * before `from` span midnight and belong to the day they start on: fri 22:00–06:00 covers Saturday 02:00.
 */
export function withinHours(clock: WallClock, hours: PolicyWorkingHours): boolean {
  const from = minutesOf(hours.from);
  const to = minutesOf(hours.to);
  const on = (day: Weekday) => hours.days.includes(day);
  if (from < to) return on(clock.day) && clock.minutes >= from && clock.minutes < to;
  return (on(clock.day) && clock.minutes >= from) || (on(dayBefore(clock.day)) && clock.minutes < to);
}

/** "mon, tue, wed 07:00–19:00 (Europe/Berlin)" */
export function describeHours(hours: PolicyWorkingHours): string {
  return `${hours.days.join(', ')} ${hours.from}–${hours.to} (${hours.timeZone})`;
}
