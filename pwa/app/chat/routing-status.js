// What the patient is told about who will answer. Every sentence here comes
// from the server's routing outcome (an alert's status, the chat's status, or
// who is on duty now): nothing on this side promises that anyone was told.
// When nobody can answer, the numbers to call, the circle's own number and the
// crisis plan are shown at once.
import { h } from '../dom.js';
import { t, has } from '../i18n.js';
import { EMERGENCY_NUMBERS, isFirst } from '../emergency.js';
import { clockTime, osloDate } from '../checkins/checkin-ui.js';
import { supporterLabel } from './chat-ui.js';

/** Codes after which the patient must see the numbers to call. */
const NOBODY = new Set(['no_one_on_duty', 'nobody_on_duty', 'nobody_reachable']);

export function needsHelpNow(code) {
  return NOBODY.has(code);
}

/** Statuses are numbered by the server in the order it decided them; one
 * that arrives after a newer one (from another server process, or a load that
 * left before a live update) is older than what is shown and is not shown. */
export function isCurrent(next, shown) {
  return !shown || (next.version ?? 0) >= (shown.version ?? 0);
}

/** "botilbudet", "kommunen", "DPS-vakta". */
export function kindTo(kind) {
  return kind && has(`routing.to_kind.${kind}`) ? t(`routing.to_kind.${kind}`) : t('routing.to_kind.unknown');
}

function listOf(words) {
  if (words.length <= 1) return words.join('');
  return t('routing.list', { first: words.slice(0, -1).join(', '), last: words[words.length - 1] });
}

/** "kl. 08:00", or "lørdag kl. 08:00" when it is not within the next 20 hours. */
function whenText(iso) {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const soon = at.getTime() - Date.now() < 20 * 3600 * 1000;
  return soon ? t('routing.at_time', { time: clockTime(iso) }) : t('routing.at_day', { day: osloDate(iso, { weekday: 'long' }), time: clockTime(iso) });
}

/** Before writing: which team kinds can answer now, or when someone is next on duty. */
export function reachableText(reach) {
  if (!reach) return '';
  const kinds = reach.reachable_kinds || [];
  if (kinds.length) return t('routing.reachable', { kinds: listOf(kinds.map(kindTo)) });
  if (reach.next_on_duty_at) return t('routing.nobody_next', { when: whenText(reach.next_on_duty_at) });
  return t('routing.nobody');
}

export function reachableLine(reach) {
  const kinds = reach && reach.reachable_kinds ? reach.reachable_kinds : [];
  return h(
    'p',
    { class: ['routing-reachable', !kinds.length && 'routing-nobody'], 'data-testid': 'reachable-now', dataset: { kinds: kinds.join(',') } },
    reachableText(reach),
  );
}

/** A check-in alert's status, as the server routed it. */
export function alertText(alert) {
  if (!alert) return '';
  const where = kindTo(alert.team_kind);
  switch (alert.status) {
    case 'told':
      return t('routing.alert.told', { where });
    case 'passed_on':
      return t('routing.alert.passed_on', { where });
    case 'acknowledged':
      return alert.acknowledged_by
        ? t('routing.alert.acknowledged', { who: supporterLabel(alert.acknowledged_by, alert.acknowledged_team_kind) })
        : t('routing.alert.acknowledged_plain');
    case 'nobody_reachable':
      return t('routing.alert.nobody_reachable');
    case 'no_one_on_duty': {
      const next = alert.reachability && alert.reachability.next_on_duty_at;
      return next ? t('routing.alert.nobody_next', { when: whenText(next) }) : t('routing.alert.nobody');
    }
    default:
      return '';
  }
}

/** A chat's status for the check-in receipt and the home screen. */
export function contactText(status) {
  if (!status) return '';
  switch (status.code) {
    case 'sent':
    case 'delivered':
      return t('routing.contact.offered', { where: kindTo(status.tier_kind) });
    case 'passed_on':
      return t('routing.contact.passed_on', { where: kindTo(status.tier_kind) });
    case 'trying_others':
      return t('routing.contact.trying_others');
    case 'answering':
    case 'read':
      return t('routing.contact.answering', { name: (status.supporter_name || '').split(' ')[0] || t('chat.someone') });
    case 'nobody_reachable':
      return t('routing.contact.nobody_reachable');
    case 'nobody_on_duty': {
      const next = status.reachability && status.reachability.next_on_duty_at;
      return next ? t('routing.contact.nobody_next', { when: whenText(next) }) : t('routing.contact.nobody');
    }
    default:
      return '';
  }
}

/**
 * Tap-to-call: 113, legevakt 116 117, Mental Helse 116 123, the care circle's
 * own number (for example the DPS on-call phone) and the crisis plan.
 */
export function helpNow(reach, { testid = 'help-now', headingLevel = 'h2' } = {}) {
  const resort = reach && reach.last_resort;
  const numbers = EMERGENCY_NUMBERS.map((n) => ({ tel: n.tel, shown: n.shown, name: t(`emergency.${n.key}`), first: isFirst(n) }));
  if (resort) numbers.push({ tel: resort.phone.replace(/\s+/g, ''), shown: resort.phone, name: resort.label, own: true });
  return h(
    'section',
    { class: 'routing-help panel', 'data-testid': testid },
    h(headingLevel, null, t('routing.help.title')),
    h(
      'ul',
      { class: 'checkin-numbers' },
      numbers.map((n) =>
        h(
          'li',
          null,
          h(
            'a',
            { href: `tel:${n.tel}`, class: ['checkin-call', n.first && 'checkin-call-first'], 'data-testid': n.own ? 'last-resort' : 'help-number' },
            h('span', { class: 'visually-hidden' }, t('emergency.call'), ' '),
            h('span', { class: 'checkin-call-number' }, n.shown),
            h('span', { class: 'checkin-call-name' }, n.name),
          ),
        ),
      ),
    ),
    h('p', null, h('a', { href: '#/kriseplan', class: 'button-link' }, t('routing.help.plan'))),
  );
}
