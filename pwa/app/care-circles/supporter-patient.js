// #/pasient/<id> for supporters: one patient's check-ins over the last weeks,
// their check-in times, and "Registrer utskrivelse" (14 days of daily
// check-ins and follow-up after a discharge), and what happened after a night.
// Check-ins are for whoever is on duty and named primary contacts; anyone else
// in the circle is offered "Nødtilgang" (break-glass) instead.
import { h, uid } from '../dom.js';
import { t } from '../i18n.js';
import * as checkinsApi from '../checkins/api.js';
import * as circlesApi from './api.js';
import { backLink, errorText, loadFailed, messageArea, pageTitle, pickedEcho, showMessage, withBusy } from '../ui.js';
import { alertBanner, longDate, osloToday } from '../checkins/checkin-ui.js';
import { trendPanel } from '../checkins/checkin-trend.js';
import { scheduleSummary } from '../checkins/checkin-schedule.js';
import { breakGlassPanel } from '../break-glass/break-glass-ui.js';
import { formatDateTime } from '../format.js';
import { nightOutcomeForm } from '../outcomes/night-outcome-ui.js';

function dischargeForm(patient, onSaved) {
  const id = uid('discharge');
  const today = osloToday();
  const input = h('input', { type: 'date', id, value: today, max: today, required: true, class: 'input-short-date', 'data-testid': 'discharge-date' });
  const error = messageArea('error');
  const status = messageArea('status');
  const save = h('button', { type: 'submit', class: 'button-primary', 'data-testid': 'discharge-save' }, t('checkin.discharge.save'));
  const form = h(
    'form',
    { class: 'form', novalidate: true, 'data-testid': 'discharge-form' },
    h('div', { class: 'field' }, h('label', { for: id }, t('checkin.discharge.date')), h('p', { class: 'hint' }, t('checkin.discharge.hint', { name: patient.display_name })), input, pickedEcho(input)),
    error,
    status,
    h('div', { class: 'actions' }, save),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showMessage(error, '');
    showMessage(status, '');
    if (!input.value) {
      showMessage(error, t('checkin.discharge.no_date'));
      input.focus();
      return;
    }
    try {
      const saved = await withBusy(save, t('common.saving'), () => checkinsApi.recordDischarge(patient.id, input.value));
      showMessage(status, t('checkin.discharge.saved', { name: patient.display_name, until: longDate(saved.follow_up_until) }));
      onSaved(saved);
    } catch (err) {
      const type = err && Array.isArray(err.fields) && err.fields[0] ? err.fields[0].type : null;
      showMessage(error, type && ['in_future', 'too_old'].includes(type) ? t(`checkin.discharge.errors.${type}`) : errorText(err));
    }
  });
  return form;
}

export default async function supporterPatientView(ctx) {
  const patientId = Number(ctx.params.patientId);
  const page = h('div', { class: 'wide supporter-patient', 'data-testid': 'supporter-patient' }, backLink('#/', t('checkin.links.back_home')));
  let patient;
  let schedule;
  let refused = false;
  try {
    [patient, schedule] = await Promise.all([
      circlesApi.patient(patientId),
      checkinsApi.schedule(patientId).catch((err) => {
        refused = err.code === 'break_glass_available';
        return null;
      }),
    ]);
  } catch (err) {
    page.append(pageTitle(t('checkin.patient.title_unknown')), loadFailed(err, ctx.retry));
    return page;
  }
  const discharge = h(
    'section',
    { class: 'section', 'aria-labelledby': 'patient-discharge-title' },
    h('h2', { id: 'patient-discharge-title' }, t('checkin.discharge.title')),
    dischargeForm(patient, () => {}),
  );
  if (refused) {
    page.append(
      pageTitle(patient.display_name),
      breakGlassPanel(patient, (opened) => {
        ctx.flash(t('break_glass.opened', { until: formatDateTime(opened.expires_at), name: patient.display_name }));
        ctx.retry();
      }),
      discharge,
      nightOutcomeForm(patient),
    );
    return page;
  }
  const scheduleText = h('p', { 'data-testid': 'patient-schedule' }, schedule ? scheduleSummary(schedule) : t('checkin.patient.schedule_unknown'));
  const followUp = h('p', { class: 'panel checkin-follow-up', hidden: !(schedule && schedule.in_discharge_follow_up) }, t('checkin.patient.in_follow_up'));
  page.append(
    pageTitle(patient.display_name),
    alertBanner(),
    h('p', { class: 'lead' }, h('a', { href: '#/i-kveld' }, t('checkin.tonight.link'))),
    h(
      'div',
      { class: 'supporter-patient-facts' },
      h(
        'section',
        { class: 'section', 'aria-labelledby': 'patient-schedule-title' },
        h('h2', { id: 'patient-schedule-title' }, t('checkin.patient.schedule_title')),
        followUp,
        scheduleText,
        h('p', { class: 'hint' }, t('checkin.patient.schedule_hint')),
      ),
      h(
        'section',
        { class: 'section', 'aria-labelledby': 'patient-discharge-title' },
        h('h2', { id: 'patient-discharge-title' }, t('checkin.discharge.title')),
        dischargeForm(patient, (saved) => {
          if (saved.follow_up_until >= osloToday()) followUp.hidden = false;
        }),
      ),
    ),
    trendPanel(patientId, { who: 'supporter' }),
    nightOutcomeForm(patient),
  );
  return page;
}
