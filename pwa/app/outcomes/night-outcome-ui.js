// "Hva skjedde etter natten?" on a patient's page for supporters in the care
// circle: after a red evening or night, what happened (nothing more,
// legevakt, admission, police). Only counted in the administrators' outcome
// figures; the patient sees in "Hvem har sett mine data" that it was recorded.
import { h, uid } from '../dom.js';
import { t } from '../i18n.js';
import * as outcomesApi from './api.js';
import { errorText, messageArea, showMessage, withBusy } from '../ui.js';
import { longDate, osloToday } from '../checkins/checkin-ui.js';

const OUTCOMES = ['nothing', 'legevakt', 'admission', 'police'];

function yesterday() {
  const noon = new Date(`${osloToday()}T12:00:00Z`);
  return new Date(noon.getTime() - 86_400_000).toISOString().slice(0, 10);
}

export function nightOutcomeForm(patient) {
  const id = uid('night');
  const night = h('input', { type: 'date', id, value: yesterday(), max: osloToday(), required: true, class: 'input-short-date', 'data-testid': 'night-date' });
  const choice = OUTCOMES.map((value) =>
    h(
      'div',
      { class: 'check' },
      h('input', { type: 'radio', name: `${id}-outcome`, id: `${id}-${value}`, value, checked: value === 'nothing', 'data-testid': `night-outcome-${value}` }),
      h('label', { for: `${id}-${value}` }, t(`outcomes.record.option.${value}`)),
    ),
  );
  const error = messageArea('error');
  const status = messageArea('status');
  const save = h('button', { type: 'submit', class: 'button-secondary', 'data-testid': 'night-save' }, t('outcomes.record.save'));
  const form = h(
    'form',
    { class: 'form', novalidate: true, 'data-testid': 'night-outcome-form' },
    h('p', { class: 'hint' }, t('outcomes.record.hint', { name: patient.display_name })),
    h('div', { class: 'field' }, h('label', { for: id }, t('outcomes.record.night')), night),
    h('fieldset', null, h('legend', null, t('outcomes.record.legend')), choice),
    error,
    status,
    h('div', { class: 'actions' }, save),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showMessage(error, '');
    showMessage(status, '');
    const picked = form.querySelector('input[type=radio]:checked');
    try {
      const saved = await withBusy(save, t('common.saving'), () =>
        outcomesApi.recordNightOutcome(patient.id, { night: night.value, outcome: picked.value }),
      );
      showMessage(status, t('outcomes.record.saved', { date: longDate(saved.night), outcome: t(`outcomes.record.option.${saved.outcome}`) }));
    } catch (err) {
      showMessage(error, errorText(err));
    }
  });
  return h(
    'section',
    { class: 'section', 'aria-labelledby': `${id}-title`, 'data-testid': 'night-outcome' },
    h('h2', { id: `${id}-title` }, t('outcomes.record.title')),
    form,
  );
}
