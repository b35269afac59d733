// #/i-kveld for supporters: tonight's check-ins of the patients I am on duty
// for (red first), the recently discharged who still need contact, and the
// live "someone needs you" banner. Push taps for alerts open this screen.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as checkinsApi from './api.js';
import * as rostersApi from '../rosters/api.js';
import { errorText, loadFailed, messageArea, pageTitle, showMessage, withBusy } from '../ui.js';
import { alertBanner, clockTime, levelBadge, longDate, onCheckinAlert, reasonText, shortDateTime } from './checkin-ui.js';
import { pushSwitch } from '../settings/push.js';
import { myReachWarning, openAlerts, reachList } from '../alerts/alerts-ui.js';

const POLL_MS = 60000;

function tonightItem(item) {
  const c = item.checkin;
  const reasons = c.reasons.map(reasonText).filter(Boolean);
  return h(
    'li',
    { class: ['item', 'tonight-item', `tonight-${c.level}`], 'data-testid': 'tonight-item', 'data-level': c.level, dataset: { patientId: String(item.patient_id) } },
    h(
      'div',
      { class: 'tonight-head' },
      h('p', { class: 'item-title' }, h('a', { href: `#/pasient/${item.patient_id}` }, item.patient_name)),
      levelBadge(c.level),
    ),
    h('p', { class: 'tonight-meta' }, t('checkin.tonight.meta', { time: clockTime(c.created_at), pressure: c.pressure })),
    reasons.length ? h('p', { class: 'tonight-reasons' }, t('checkin.tonight.reasons', { reasons: reasons.join(', ') })) : null,
    c.wants_contact
      ? h('p', { class: 'badges' }, h('span', { class: 'badge badge-warm' }, t('checkin.tonight.wants_contact')), ' ', h('a', { href: '#/innboks' }, t('checkin.alerts.open_inbox')))
      : null,
  );
}

function dischargedItem(item, onDone) {
  const status = messageArea('error');
  const button = h('button', { type: 'button', class: 'button-secondary', 'data-testid': 'discharge-contact' }, t('checkin.discharge.record_contact'));
  button.addEventListener('click', async () => {
    showMessage(status, '');
    try {
      await withBusy(button, t('common.saving'), () => checkinsApi.dischargeContacted(item.patient_id));
      onDone(item);
    } catch (err) {
      showMessage(status, errorText(err));
    }
  });
  return h(
    'li',
    { class: 'item', 'data-testid': 'discharged-item', dataset: { patientId: String(item.patient_id) } },
    h('p', { class: 'item-title' }, h('a', { href: `#/pasient/${item.patient_id}` }, item.patient_name)),
    h('p', null, t('checkin.discharge.day', { day: item.day, date: longDate(item.discharge_date) })),
    h(
      'p',
      { class: 'muted' },
      item.last_checkin_at ? [t('checkin.discharge.last', { when: shortDateTime(item.last_checkin_at) }), ' ', levelBadge(item.last_level)] : t('checkin.discharge.no_checkin'),
    ),
    h('div', { class: 'actions' }, button),
    status,
  );
}

/** Why the list is empty: no check-ins yet, or I am not on duty now (then
 * nothing comes here until my next shift). */
async function emptyText() {
  let shifts;
  try {
    shifts = await rostersApi.myShifts({ days: 7 });
  } catch {
    return t('checkin.tonight.empty');
  }
  if (shifts.some((s) => s.on_duty_now)) return t('checkin.tonight.empty');
  const next = shifts[0];
  return next ? t('checkin.tonight.off_duty_next', { when: shortDateTime(next.starts_at) }) : t('checkin.tonight.off_duty');
}

export default async function tonightView() {
  const list = h('ul', { class: 'items tonight-list', 'data-testid': 'tonight-list' });
  const empty = h('p', { class: 'panel', 'data-testid': 'tonight-empty', hidden: true }, t('checkin.tonight.empty'));
  const discharged = h('ul', { class: 'items', 'data-testid': 'discharged-list' });
  const dischargedEmpty = h('p', { class: 'panel', 'data-testid': 'discharged-empty', hidden: true }, t('checkin.discharge.empty'));
  const doneStatus = messageArea('status');
  const problem = h('div');
  const page = h(
    'div',
    { class: 'wide tonight', 'data-testid': 'tonight' },
    pageTitle(t('checkin.tonight.title')),
    h('p', { class: 'lead' }, t('checkin.tonight.intro')),
    myReachWarning(),
    alertBanner({ showTonightLink: false }),
    openAlerts(),
    problem,
    h('section', { class: 'section', 'aria-labelledby': 'tonight-checkins' }, h('h2', { id: 'tonight-checkins' }, t('checkin.tonight.checkins_title')), empty, list),
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'tonight-discharged' },
      h('h2', { id: 'tonight-discharged' }, t('checkin.discharge.list_title')),
      h('p', { class: 'hint' }, t('checkin.discharge.list_intro')),
      doneStatus,
      dischargedEmpty,
      discharged,
    ),
    h('section', { class: 'section', 'aria-labelledby': 'tonight-push' }, h('h2', { id: 'tonight-push' }, t('checkin.push.title_supporter')), pushSwitch({ who: 'supporter' })),
    reachList(),
  );

  function drawDischarged(rows) {
    discharged.replaceChildren(
      ...rows.map((row) =>
        dischargedItem(row, (done) => {
          showMessage(doneStatus, t('checkin.discharge.contact_saved', { name: done.patient_name }));
          load();
        }),
      ),
    );
    dischargedEmpty.hidden = rows.length > 0;
  }

  let running = false;
  async function load() {
    if (running) return;
    running = true;
    try {
      const [tonight, recent] = await Promise.all([checkinsApi.tonight(), checkinsApi.recentlyDischarged()]);
      problem.replaceChildren();
      list.replaceChildren(...tonight.map(tonightItem));
      empty.hidden = tonight.length > 0;
      if (!tonight.length) empty.textContent = await emptyText();
      drawDischarged(recent);
    } catch (err) {
      problem.replaceChildren(loadFailed(err, load));
    } finally {
      running = false;
    }
  }
  await load();
  onCheckinAlert(page, () => load());
  const poll = setInterval(() => {
    if (!page.isConnected) clearInterval(poll);
    else load();
  }, POLL_MS);
  return page;
}

/** A link to tonight's list, for the supporter home. */
export function tonightLink() {
  return h(
    'div',
    { class: 'inbox-link-wrap' },
    h(
      'a',
      { href: '#/i-kveld', class: 'tile-link', 'data-testid': 'tonight-link' },
      h('span', { class: 'tile-icon tile-icon-checkin', 'aria-hidden': 'true' }),
      h('span', { class: 'tile-text' }, h('span', { class: 'tile-title' }, t('checkin.tonight.link')), h('span', { class: 'tile-desc' }, t('checkin.tonight.link_text'))),
    ),
  );
}
