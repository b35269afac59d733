// #/kveldssjekk/innstillinger for patients: when the check-in comes (Oslo
// time), a night check-in, quiet hours, what happens if I do not answer, and
// reminders on this phone (web push).
import { h, uid } from '../dom.js';
import { t, locale } from '../i18n.js';
import * as checkinsApi from './api.js';
import { backLink, errorText, loadFailed, messageArea, pageTitle, pickedEcho, showMessage, withBusy } from '../ui.js';
import { osloDate } from './checkin-ui.js';
import { pushSwitch } from '../settings/push.js';

const DAYS = [0, 1, 2, 3, 4, 5, 6];

function hhmm(value) {
  return value ? String(value).slice(0, 5) : '';
}

function dayName(day, style = 'long') {
  // 2024-01-01 was a Monday.
  return new Intl.DateTimeFormat(locale(), { weekday: style, timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 0, 1 + day)));
}

function timeInput(label, value, attrs = {}) {
  const id = uid('time');
  const input = h('input', { type: 'time', id, value: hhmm(value), step: 300, class: 'input-short', ...attrs });
  return { wrap: h('div', { class: 'field' }, h('label', { for: id }, label), input, pickedEcho(input)), input };
}

function check(label, checked, attrs = {}) {
  const id = uid('check');
  const input = h('input', { type: 'checkbox', id, checked, ...attrs });
  return { wrap: h('div', { class: 'check' }, input, h('label', { for: id }, label)), input };
}

/** Server field errors → our own words. */
function scheduleErrorText(err) {
  const field = err && Array.isArray(err.fields) ? err.fields[0] : null;
  if (field) {
    const name = Array.isArray(field.loc) ? field.loc[field.loc.length - 1] : '';
    if (field.type === 'in_quiet_hours') return t('checkin.schedule.errors.in_quiet_hours');
    if (field.type === 'empty' || name === 'weekdays') return t('checkin.schedule.errors.no_days');
    if (String(field.message || '').includes('quiet_start')) return t('checkin.schedule.errors.quiet_pair');
  }
  return errorText(err);
}

export function scheduleForm(schedule, { patientId, onSaved = () => {} }) {
  const enabled = check(t('checkin.schedule.enabled'), schedule.enabled, { 'data-testid': 'schedule-enabled' });
  const evening = timeInput(t('checkin.schedule.evening_time'), schedule.evening_time, { required: true, 'data-testid': 'schedule-evening' });
  const dayId = uid('days');
  const dayInputs = DAYS.map((d) => h('input', { type: 'checkbox', id: `${dayId}-${d}`, value: String(d), checked: schedule.weekdays.includes(d) }));
  const days = h(
    'fieldset',
    { class: 'days' },
    h('legend', null, t('checkin.schedule.days')),
    h(
      'div',
      { class: 'day-checks' },
      DAYS.map((d) =>
        h('div', { class: 'day-check' }, dayInputs[d], h('label', { for: `${dayId}-${d}`, title: dayName(d) }, h('span', { 'aria-hidden': 'true' }, dayName(d, 'short')), h('span', { class: 'visually-hidden' }, dayName(d)))),
      ),
    ),
  );
  const night = check(t('checkin.schedule.night_on'), Boolean(schedule.night_time), { 'data-testid': 'schedule-night-on' });
  const nightTime = timeInput(t('checkin.schedule.night_time'), schedule.night_time || '23:30', { 'data-testid': 'schedule-night' });
  const quiet = check(t('checkin.schedule.quiet_on'), Boolean(schedule.quiet_start), { 'data-testid': 'schedule-quiet-on' });
  const quietStart = timeInput(t('checkin.schedule.quiet_start'), schedule.quiet_start || '01:00');
  const quietEnd = timeInput(t('checkin.schedule.quiet_end'), schedule.quiet_end || '07:00');
  const nightBox = h('div', { class: 'schedule-sub' }, nightTime.wrap);
  const quietBox = h('div', { class: 'schedule-sub shift-times' }, quietStart.wrap, quietEnd.wrap);
  const sync = () => {
    nightBox.hidden = !night.input.checked;
    quietBox.hidden = !quiet.input.checked;
  };
  night.input.addEventListener('change', sync);
  quiet.input.addEventListener('change', sync);
  sync();

  const missedId = uid('missed');
  const missed = h(
    'fieldset',
    { class: 'schedule-missed' },
    h('legend', null, t('checkin.schedule.missed')),
    h('p', { class: 'hint' }, t('checkin.schedule.missed_hint')),
    ['nothing', 'tell_on_duty'].map((value) =>
      h(
        'div',
        { class: 'check' },
        h('input', { type: 'radio', name: missedId, id: `${missedId}-${value}`, value, checked: schedule.after_missed === value, 'data-testid': `schedule-missed-${value}` }),
        h('label', { for: `${missedId}-${value}` }, t(`checkin.schedule.missed_${value}`)),
      ),
    ),
  );

  const error = messageArea('error');
  const status = messageArea('status');
  const save = h('button', { type: 'submit', class: 'button-primary', 'data-testid': 'schedule-save' }, t('checkin.schedule.save'));
  const form = h(
    'form',
    { class: 'form schedule-form', novalidate: true, 'data-testid': 'schedule-form' },
    enabled.wrap,
    evening.wrap,
    days,
    h('fieldset', null, h('legend', null, t('checkin.schedule.night')), night.wrap, nightBox),
    h('fieldset', null, h('legend', null, t('checkin.schedule.quiet')), h('p', { class: 'hint' }, t('checkin.schedule.quiet_hint')), quiet.wrap, quietBox),
    missed,
    error,
    status,
    h('div', { class: 'actions' }, save),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showMessage(error, '');
    showMessage(status, '');
    if (!evening.input.value) {
      showMessage(error, t('checkin.schedule.errors.no_time'));
      evening.input.focus();
      return;
    }
    const body = {
      enabled: enabled.input.checked,
      evening_time: evening.input.value,
      night_time: night.input.checked && nightTime.input.value ? nightTime.input.value : null,
      weekdays: dayInputs.filter((i) => i.checked).map((i) => Number(i.value)),
      quiet_start: quiet.input.checked ? quietStart.input.value || null : null,
      quiet_end: quiet.input.checked ? quietEnd.input.value || null : null,
      after_missed: form.querySelector(`input[name="${missedId}"]:checked`)?.value || 'nothing',
    };
    if (quiet.input.checked && (!body.quiet_start || !body.quiet_end)) {
      showMessage(error, t('checkin.schedule.errors.quiet_pair'));
      return;
    }
    try {
      const saved = await withBusy(save, t('common.saving'), () => checkinsApi.saveSchedule(patientId, body));
      showMessage(status, t('checkin.schedule.saved', { time: hhmm(saved.evening_time) }));
      onSaved(saved);
    } catch (err) {
      showMessage(error, scheduleErrorText(err));
    }
  });
  return form;
}

/** A one-paragraph summary, for the supporter's patient page. */
export function scheduleSummary(schedule) {
  if (!schedule.enabled) return t('checkin.schedule.summary_off');
  const days = schedule.weekdays.length === 7 ? t('checkin.schedule.every_day') : schedule.weekdays.map((d) => dayName(d, 'short')).join(', ');
  const parts = [t('checkin.schedule.summary_evening', { time: hhmm(schedule.evening_time), days })];
  if (schedule.night_time) parts.push(t('checkin.schedule.summary_night', { time: hhmm(schedule.night_time) }));
  if (schedule.quiet_start) parts.push(t('checkin.schedule.summary_quiet', { from: hhmm(schedule.quiet_start), to: hhmm(schedule.quiet_end) }));
  parts.push(t(`checkin.schedule.summary_missed_${schedule.after_missed}`));
  return parts.join(' ');
}

export default async function checkinScheduleView(ctx) {
  const page = h(
    'div',
    { class: 'narrow checkin-schedule', 'data-testid': 'checkin-schedule' },
    backLink('#/kveldssjekk', t('checkin.links.back_to_checkin')),
    pageTitle(t('checkin.schedule.title')),
    h('p', { class: 'lead' }, t('checkin.schedule.intro')),
  );
  let schedule;
  try {
    schedule = await checkinsApi.schedule(ctx.user.id);
  } catch (err) {
    page.append(loadFailed(err, ctx.retry));
    return page;
  }
  if (schedule.in_discharge_follow_up) {
    page.append(h('p', { class: 'panel checkin-follow-up' }, t('checkin.schedule.follow_up')));
  }
  page.append(
    h('section', { class: 'section', 'aria-labelledby': 'push-title' }, h('h2', { id: 'push-title' }, t('checkin.push.title')), pushSwitch({ who: 'patient' })),
    h('section', { class: 'section', 'aria-labelledby': 'schedule-title' }, h('h2', { id: 'schedule-title' }, t('checkin.schedule.when_title')), scheduleForm(schedule, { patientId: ctx.user.id })),
  );
  if (schedule.updated_at) {
    page.append(h('p', { class: 'muted' }, t('checkin.schedule.updated', { date: osloDate(schedule.updated_at, { day: 'numeric', month: 'long', year: 'numeric' }) })));
  }
  return page;
}
