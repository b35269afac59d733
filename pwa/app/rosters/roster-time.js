// Oslo wall-clock helpers for the roster screens. Instants come from the
// server as UTC; days are Oslo calendar days ("YYYY-MM-DD" keys), which have
// 23 or 25 hours on the daylight-saving nights.
import { locale } from '../i18n.js';
import { TIME_ZONE } from '../format.js';

const PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  weekday: 'short',
  hourCycle: 'h23',
});
const WEEKDAY = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

const pad = (n) => String(n).padStart(2, '0');

export function toDate(value) {
  return value instanceof Date ? value : new Date(value);
}

/** {year, month, day, hour, minute, weekday (0 = Monday), key: "YYYY-MM-DD"} in Oslo time. */
export function osloParts(value) {
  const out = {};
  for (const part of PARTS.formatToParts(toDate(value))) out[part.type] = part.value;
  const year = Number(out.year);
  const month = Number(out.month);
  const day = Number(out.day);
  return {
    year,
    month,
    day,
    hour: Number(out.hour) % 24,
    minute: Number(out.minute),
    weekday: WEEKDAY[out.weekday] ?? 0,
    key: `${year}-${pad(month)}-${pad(day)}`,
  };
}

export function dayKey(value) {
  return osloParts(value).key;
}

/** "2026-11-23" + n days, as a calendar day key (no time zone involved). */
export function addDays(key, n) {
  const [y, m, d] = key.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d + n));
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** Monday (Oslo) of the week that `key` is in. */
export function mondayOf(key) {
  const [y, m, d] = key.split('-').map(Number);
  const weekday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
  return addDays(key, -weekday);
}

/** The UTC instant of Oslo wall-clock `key` `hh:mm` (midnight by default). */
export function osloInstant(key, hour = 0, minute = 0) {
  const [y, m, d] = key.split('-').map(Number);
  const wanted = Date.UTC(y, m - 1, d, hour, minute);
  let guess = wanted;
  for (let i = 0; i < 3; i += 1) {
    const p = osloParts(new Date(guess));
    const seen = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    if (seen === wanted) break;
    guess += wanted - seen;
  }
  return new Date(guess);
}

/** "21:30" */
export function clockTime(value) {
  const p = osloParts(value);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

// Making an Intl formatter costs far more than formatting with one, and a
// coverage week names its days some two thousand times: keep one per language and shape.
const formatters = new Map();

function formatter(kind, options) {
  const key = `${kind} ${locale()} ${JSON.stringify(options)}`;
  if (!formatters.has(key)) formatters.set(key, kind === 'list' ? new Intl.ListFormat(locale(), options) : new Intl.DateTimeFormat(locale(), options));
  return formatters.get(key);
}

function noonOf(key) {
  const [y, m, d] = key.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d, 12));
}

/** "mandag 23. november" for a day key or an instant. */
export function dayName(keyOrInstant, { year = false, short = false } = {}) {
  const key = typeof keyOrInstant === 'string' && keyOrInstant.length === 10 ? keyOrInstant : dayKey(keyOrInstant);
  return formatter('date', {
    timeZone: 'UTC',
    weekday: short ? 'short' : 'long',
    day: 'numeric',
    month: short ? 'numeric' : 'long',
    year: year ? 'numeric' : undefined,
  }).format(noonOf(key));
}

/** "mandag" */
export function weekdayName(key) {
  return formatter('date', { timeZone: 'UTC', weekday: 'long' }).format(noonOf(key));
}

/** "november 2026" for a day key of that month. */
export function monthName(key) {
  return formatter('date', { timeZone: 'UTC', month: 'long', year: 'numeric' }).format(noonOf(key));
}

/** ISO 8601 week number of a day key. */
export function isoWeek(key) {
  const [y, m, d] = key.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  date.setUTCDate(date.getUTCDate() + 3 - ((date.getUTCDay() + 6) % 7)); // the Thursday of that week
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  return Math.floor((date.getTime() - yearStart) / 86400000 / 7) + 1;
}

/** "YYYY-MM-DDTHH:MM" in Oslo time, for <input type="datetime-local">. */
export function localInputValue(value) {
  const p = osloParts(value);
  return `${p.key}T${pad(p.hour)}:${pad(p.minute)}`;
}

/**
 * A period in words: "onsdag 25. november 18:00–22:00", or across midnight
 * "mandag 23. november 22:00 – tirsdag 24. november 08:00". Ending at local
 * midnight of the next day reads "…–24:00".
 */
export function periodText(startsAt, endsAt) {
  const s = osloParts(startsAt);
  const e = osloParts(endsAt);
  if (s.key === e.key) return `${dayName(s.key)} ${clockTime(startsAt)}–${clockTime(endsAt)}`;
  if (e.hour === 0 && e.minute === 0 && addDays(s.key, 1) === e.key) return `${dayName(s.key)} ${clockTime(startsAt)}–24:00`;
  return `${dayName(s.key)} ${clockTime(startsAt)} – ${dayName(e.key)} ${clockTime(endsAt)}`;
}

/** "Anne, Per og Mona" */
export function listText(items) {
  try {
    return formatter('list', { type: 'conjunction' }).format(items);
  } catch {
    return items.join(', ');
  }
}
