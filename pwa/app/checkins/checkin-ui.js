// Pieces shared by the check-in screens: levels in words and shapes (never
// colour alone), Oslo dates, the big emergency numbers and the live
// "someone needs you" alerts for supporters.
import { h } from '../dom.js';
import { t, has, locale } from '../i18n.js';
import { TIME_ZONE } from '../format.js';
import { EMERGENCY_NUMBERS, isFirst } from '../emergency.js';
import * as realtime from '../realtime.js';
import * as checkinsApi from './api.js';

export const LEVELS = ['green', 'yellow', 'red'];

/** "Grønn", "Gul", "Rød" (or the key itself for an unknown level). */
export function levelWord(level) {
  return has(`checkin.level.${level}`) ? t(`checkin.level.${level}`) : String(level || '');
}

/** A small shape in the level's colour: circle (green), triangle (yellow), square (red). */
export function levelMark(level) {
  return h('span', { class: ['level-mark', `level-mark-${LEVELS.includes(level) ? level : 'unknown'}`], 'aria-hidden': 'true' });
}

/** The shape and the word together, as a badge. */
export function levelBadge(level) {
  return h('span', { class: ['level-badge', `level-badge-${level}`], 'data-level': level }, levelMark(level), levelWord(level));
}

/** Words for the rule codes the server gives as reasons ("red.suicidal_strong"). */
export function reasonText(code) {
  const key = `checkin.reason.${code}`;
  return has(key) ? t(key) : '';
}

export function osloDate(iso, options) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(locale(), { timeZone: TIME_ZONE, ...options }).format(date);
}

/** "man. 23. nov., 21:32" in Oslo time. */
export function shortDateTime(iso) {
  return osloDate(iso, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
}

export function clockTime(iso) {
  return osloDate(iso, { hour: '2-digit', minute: '2-digit' });
}

/** "YYYY-MM-DD" of today in Oslo (for date inputs). */
export function osloToday(date = new Date()) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(date);
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** "2026-11-23" → "23. november 2026" without time zone shifts. */
export function longDate(isoDate) {
  const [y, m, d] = String(isoDate).split('-').map(Number);
  if (!y || !m || !d) return String(isoDate || '');
  return new Intl.DateTimeFormat(locale(), { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(Date.UTC(y, m - 1, d)));
}

/**
 * Big tap-to-call numbers. `numbers` are the server's [{name, phone}]; the
 * names are shown in the chosen language when the number is a known one.
 */
export function bigNumbers(numbers) {
  const list = numbers && numbers.length ? numbers : EMERGENCY_NUMBERS.map((n) => ({ phone: n.shown, name: null }));
  return h(
    'ul',
    { class: 'checkin-numbers', 'data-testid': 'checkin-numbers' },
    list.map((n) => {
      const tel = String(n.phone).replace(/\s+/g, '');
      const known = EMERGENCY_NUMBERS.find((e) => e.tel === tel);
      const name = known ? t(`emergency.${known.key}`) : n.name;
      return h(
        'li',
        null,
        h(
          'a',
          { href: `tel:${tel}`, class: ['checkin-call', known && isFirst(known) && 'checkin-call-first'] },
          h('span', { class: 'visually-hidden' }, t('emergency.call'), ' '),
          h('span', { class: 'checkin-call-number' }, n.phone),
          h('span', { class: 'checkin-call-name' }, name),
        ),
      );
    }),
  );
}

// --- live alerts for supporters ---------------------------------------------------------

const ALERT_EVENT = 'checkin:alert';
const KEEP_MS = 3 * 60 * 60 * 1000;
const alerts = []; // newest first: {patient_id, patient_name, reason, level, checkin_id, at, seen}
const alertEvents = new EventTarget();

realtime.events.addEventListener('message', (event) => {
  const { name, args } = event.detail || {};
  if (name !== ALERT_EVENT) return;
  const data = args && args[0];
  if (!data || typeof data.patient_id !== 'number') return;
  const cutoff = Date.now() - KEEP_MS;
  for (let i = alerts.length - 1; i >= 0; i -= 1) {
    if (alerts[i].received < cutoff || (alerts[i].patient_id === data.patient_id && alerts[i].reason === data.reason)) alerts.splice(i, 1);
  }
  alerts.unshift({ ...data, received: Date.now(), dismissed: false });
  alertEvents.dispatchEvent(new CustomEvent('alert', { detail: data }));
});

/** Call `handler(alert)` on each new check-in alert while `node` is on the page. */
export function onCheckinAlert(node, handler) {
  const listener = (event) => {
    if (!node.isConnected) {
      alertEvents.removeEventListener('alert', listener);
      return;
    }
    handler(event.detail);
  };
  alertEvents.addEventListener('alert', listener);
}

function alertText(alert) {
  const name = alert.patient_name || t('checkin.alerts.someone');
  if (alert.reason === 'missed') return t('checkin.alerts.missed', { name });
  return t('checkin.alerts.red', { name, level: levelWord(alert.level || 'red').toLowerCase() });
}

/**
 * "Noen trenger deg: Mona (rød)": a live banner for supporters, kept while
 * the app is open (until dismissed), with links to tonight's list, the
 * patient and the inbox.
 */
export function alertBanner({ showTonightLink = true } = {}) {
  const box = h('div', { class: 'checkin-alerts', 'data-testid': 'checkin-alerts', role: 'alert', 'aria-live': 'assertive' });
  function draw() {
    const live = alerts.filter((a) => !a.dismissed);
    box.replaceChildren(
      ...live.map((a) => {
        const close = h('button', { type: 'button', class: 'button-secondary button-small' }, t('checkin.alerts.dismiss'));
        close.addEventListener('click', () => {
          a.dismissed = true;
          draw();
        });
        return h(
          'div',
          { class: ['checkin-alert', `checkin-alert-${a.reason === 'red' ? 'red' : 'missed'}`], 'data-testid': 'checkin-alert', dataset: { patientId: String(a.patient_id) } },
          h('span', { class: 'checkin-alert-icon', 'aria-hidden': 'true' }),
          h(
            'div',
            { class: 'checkin-alert-body' },
            h('p', { class: 'checkin-alert-title' }, alertText(a)),
            h('p', { class: 'muted' }, t('checkin.alerts.at', { time: clockTime(a.at) })),
            h(
              'p',
              { class: 'checkin-alert-links' },
              showTonightLink ? h('a', { href: '#/i-kveld' }, t('checkin.alerts.open_tonight')) : null,
              h('a', { href: `#/pasient/${a.patient_id}` }, t('checkin.alerts.open_patient', { name: a.patient_name || '' })),
              h('a', { href: '#/innboks' }, t('checkin.alerts.open_inbox')),
            ),
            close,
          ),
        );
      }),
    );
    box.hidden = live.length === 0;
  }
  draw();
  onCheckinAlert(box, draw);
  return box;
}

// --- the reminder in the app ------------------------------------------------------------

/**
 * "Tid for kveldssjekk" on the patient home while a check-in is due and not
 * done: the reminder for when push is off, blocked or did not arrive.
 */
/** The banner, and when its first answer has been drawn (it never rejects). */
export function pendingReminderBanner() {
  const box = h('div', { class: 'checkin-pending', 'data-testid': 'checkin-pending', hidden: true });
  const loaded = checkinsApi.checkinState()
    .then((state) => {
      const pending = state && state.pending_reminder;
      if (!pending) return;
      box.dataset.kind = pending.kind;
      box.replaceChildren(
        h('span', { class: 'checkin-pending-icon', 'aria-hidden': 'true' }),
        h(
          'div',
          null,
          h('p', { class: 'checkin-pending-title' }, t(`checkin.home.pending_${pending.kind === 'night' ? 'night' : 'evening'}`)),
          h('p', null, t('checkin.home.pending_text')),
          h('p', null, h('a', { href: '#/kveldssjekk', class: 'button-primary', 'data-testid': 'checkin-pending-link' }, t('checkin.home.pending_link'))),
        ),
      );
      box.hidden = false;
    })
    .catch(() => {
      /* the tile is still there */
    });
  return { node: box, loaded };
}
