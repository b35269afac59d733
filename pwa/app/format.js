// Times are shown in Norwegian local time whatever the phone's time zone.
import { locale, t } from './i18n.js';

export const TIME_ZONE = 'Europe/Oslo';

export function formatDateTime(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(locale(), {
    timeZone: TIME_ZONE,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(date);
}

export function osloHour(date = new Date()) {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: TIME_ZONE, hour: 'numeric', hourCycle: 'h23' }).formatToParts(date);
  const hour = parts.find((part) => part.type === 'hour');
  return hour ? Number.parseInt(hour.value, 10) % 24 : date.getHours();
}

/** "morning" | "day" | "evening" | "night" in Oslo time. */
export function partOfDay(date = new Date()) {
  const hour = osloHour(date);
  if (hour >= 5 && hour < 10) return 'morning';
  if (hour >= 10 && hour < 17) return 'day';
  if (hour >= 17 && hour < 23) return 'evening';
  return 'night';
}

export function firstName(displayName) {
  return String(displayName || '').trim().split(/\s+/)[0] || '';
}

export function teamKind(kind) {
  const key = `kinds.${kind}`;
  const text = t(key);
  return text === key ? String(kind) : text;
}

export function roleName(role) {
  const key = `roles.${role}`;
  const text = t(key);
  return text === key ? String(role) : text;
}
