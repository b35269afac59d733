// For supporters on duty: alerts offered to me with "Jeg tar den" (until
// someone takes one it escalates, so taking it is what stops the clock), and
// who on duty can be reached at all (an open app or working notifications).
import { h } from './dom.js';
import { t } from './i18n.js';
import { api } from './api.js';
import { errorText, messageArea, showMessage, withBusy } from './ui.js';
import { clockTime } from './checkin-ui.js';
import { onPush } from './chat-ui.js';

// A next of kin's "I am worried" is routed like a red check-in (nattlys/next_of_kin).
const ALERT_TEXTS = { red: 'alerts.open.red', worry: 'alerts.open.worry', missed: 'alerts.open.missed' };

function openAlert(alert, status, reload) {
  const take = h('button', { type: 'button', class: 'button-primary', 'data-testid': 'alert-take' }, t('alerts.open.take'));
  take.addEventListener('click', async () => {
    try {
      await withBusy(take, t('common.saving'), () => api('POST', `/api/alerts/${alert.id}/ack`));
      showMessage(status, t('alerts.open.taken', { name: alert.patient_name }));
    } catch (err) {
      showMessage(status, err && err.code === 'already_acknowledged' ? t('alerts.open.gone') : errorText(err));
    }
    reload();
  });
  return h(
    'li',
    { class: ['item', 'open-alert', `open-alert-${alert.reason}`], 'data-testid': 'open-alert', dataset: { alertId: String(alert.id), patientId: String(alert.patient_id) } },
    h('p', { class: 'item-title' }, t(ALERT_TEXTS[alert.reason] || 'alerts.open.missed', { name: alert.patient_name })),
    h('p', { class: 'muted' }, t('alerts.open.at', { time: clockTime(alert.at) })),
    alert.state === 'ceiling' ? h('p', { class: 'open-alert-ceiling' }, t('alerts.open.ceiling')) : null,
    h('p', { class: 'actions' }, take, ' ', h('a', { href: `#/pasient/${alert.patient_id}` }, alert.patient_name)),
  );
}

/** The alerts offered to me now, kept live. */
export function openAlerts() {
  const list = h('ul', { class: 'items open-alerts' });
  const status = messageArea('status');
  const section = h(
    'section',
    { class: 'section open-alerts-section', 'data-testid': 'open-alerts', 'aria-labelledby': 'open-alerts-title', hidden: true },
    h('h2', { id: 'open-alerts-title' }, t('alerts.open.title')),
    status,
    list,
  );
  async function load() {
    let rows = [];
    try {
      rows = await api('GET', '/api/alerts/open');
    } catch {
      return; // the next event or poll tries again
    }
    list.replaceChildren(...rows.map((a) => openAlert(a, status, load)));
    section.hidden = rows.length === 0 && !status.textContent;
  }
  load();
  onPush(section, (name) => {
    if (name === 'connect' || name === 'checkin:alert' || name === 'checkin:alert_gone') load();
  });
  const poll = setInterval(() => {
    if (!section.isConnected) clearInterval(poll);
    else load();
  }, 30000);
  return section;
}

function reachWords(row) {
  const parts = [];
  if (row.app_open) parts.push(t('alerts.reach.app_open'));
  if (row.push_ok) parts.push(t('alerts.reach.push_ok'));
  return parts.length ? parts.join(' · ') : t('alerts.reach.none');
}

/** Everyone on duty now (my teams; all teams for an administrator) and whether they can be reached. */
export function reachList({ headingLevel = 'h2' } = {}) {
  const list = h('ul', { class: 'items reach-list' });
  const section = h('section', { class: 'section', 'data-testid': 'reachability', 'aria-labelledby': 'reach-title' }, h(headingLevel, { id: 'reach-title' }, t('alerts.reach.title')), list);
  api('GET', '/api/duty/reachability')
    .then((rows) => {
      list.replaceChildren(
        ...(rows.length
          ? rows.map((r) =>
              h(
                'li',
                { class: ['item', !(r.app_open || r.push_ok) && 'reach-none'], 'data-testid': 'reach-row', dataset: { reachable: String(r.app_open || r.push_ok) } },
                h('p', { class: 'item-title' }, `${r.display_name} (${r.team_name})`),
                h('p', null, reachWords(r)),
              ),
            )
          : [h('li', { class: 'muted' }, t('alerts.reach.empty'))]),
      );
    })
    .catch(() => {});
  return section;
}

/** On my own screen: I am on duty and nothing can reach me when the app is closed. */
export function myReachWarning() {
  const box = h('p', { class: 'panel panel-problem', role: 'alert', 'data-testid': 'my-reach-warning', hidden: true }, t('alerts.reach.my_warning'));
  api('GET', '/api/duty/me')
    .then((me) => {
      box.hidden = !(me.on_duty && !me.push_ok);
    })
    .catch(() => {});
  return box;
}

/**
 * The care circle's last resort for the administrator's circle editor: the
 * number the patient is shown when nobody answers (for example the DPS
 * on-call phone). Returns {node, value()}; value() is {label, phone} or null.
 */
export function lastResortFields(current) {
  const label = h('input', { id: 'last-resort-label', maxlength: '80', value: current ? current.label : '', autocomplete: 'off' });
  const phone = h('input', { id: 'last-resort-phone', type: 'tel', maxlength: '32', value: current ? current.phone : '', inputmode: 'tel', autocomplete: 'off' });
  const node = h(
    'fieldset',
    { 'data-testid': 'last-resort-fields' },
    h('legend', null, t('alerts.last_resort.legend')),
    h('p', { class: 'hint' }, t('alerts.last_resort.hint')),
    h('div', { class: 'field' }, h('label', { for: 'last-resort-label' }, t('alerts.last_resort.label')), label),
    h('div', { class: 'field' }, h('label', { for: 'last-resort-phone' }, t('alerts.last_resort.phone')), phone),
  );
  const value = () => (label.value.trim() && phone.value.trim() ? { label: label.value.trim(), phone: phone.value.trim() } : null);
  return { node, value };
}
