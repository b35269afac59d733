// Next of kin: the choices a patient makes for one of them, and the "I am
// worried" button a next of kin has, which says what the server did with it.
import { h, uid, clear } from '../dom.js';
import { t } from '../i18n.js';
import * as kinApi from './api.js';
import { confirmStep, errorText, messageArea, showMessage, withBusy } from '../ui.js';
import { SECTIONS, sectionTitle } from '../plans/plan-ui.js';
import { teamKind } from '../format.js';
import { clockTime } from '../checkins/checkin-ui.js';

/** Which plan sections this next of kin sees, and the two switches. */
export function consentChoices(consent = {}) {
  const chosen = new Set(consent.sections || []);
  const boxes = SECTIONS.map((key) => {
    const id = uid(`kin-${key}`);
    const box = h('input', { id, type: 'checkbox', checked: chosen.has(key), dataset: { section: key } });
    return { key, box, node: h('div', { class: 'check' }, box, h('label', { for: id }, sectionTitle(key))) };
  });
  const choice = (name) => {
    const id = uid(`kin-${name}`);
    const box = h('input', { id, type: 'checkbox', checked: Boolean(consent[name]), dataset: { choice: name } });
    return { box, node: h('div', { class: 'check' }, box, h('label', { for: id }, t(`next_of_kin.patient.${name}`))) };
  };
  const notify = choice('notify_on_red');
  const worry = choice('may_signal_worry');
  return {
    nodes: [
      h('fieldset', null, h('legend', null, t('next_of_kin.patient.sections_legend')), boxes.map((b) => b.node)),
      h('fieldset', null, h('legend', null, t('next_of_kin.patient.may_legend')), notify.node, worry.node),
    ],
    value: () => ({
      sections: boxes.filter((b) => b.box.checked).map((b) => b.key),
      notify_on_red: notify.box.checked,
      may_signal_worry: worry.box.checked,
    }),
  };
}

/** Where "I am worried" stands, in the words of what the server did. */
export function worryText(status, name) {
  const team = status.acknowledged_team_kind || status.team_kind;
  const words = { name, team: team ? teamKind(team) : t('next_of_kin.kin.worry_team_unknown'), time: clockTime(status.at) };
  return t(`next_of_kin.kin.worry_status.${status.status}`, words);
}

/** "Jeg er bekymret for {name} i kveld", with a calm confirmation first. */
export function worryButton(patient) {
  const box = h('div', { class: 'panel kin-worry', 'data-testid': 'kin-worry' });
  const status = messageArea('status');
  function showStatus(worry) {
    clear(box, h('p', { 'data-testid': 'kin-worry-status', 'data-status': worry.status, role: 'status' }, worryText(worry, patient.patient_name)), status);
  }
  function showButton() {
    const ask = h('button', { type: 'button', class: 'button-primary', 'data-testid': 'kin-worry-button' }, t('next_of_kin.kin.worry_button', { name: patient.patient_name }));
    ask.addEventListener('click', () => {
      const step = confirmStep({
        question: t('next_of_kin.kin.worry_confirm', { name: patient.patient_name }),
        confirmLabel: t('next_of_kin.kin.worry_send'),
        onConfirm: async (yes) => {
          try {
            const sent = await withBusy(yes, t('common.saving'), () => kinApi.sendWorry(patient.patient_id));
            showStatus(sent);
          } catch (err) {
            showButton();
            showMessage(status, errorText(err));
          }
        },
        onCancel: () => showButton(),
      });
      clear(box, step.box, status);
      step.focus();
    });
    clear(box, h('p', null, t('next_of_kin.kin.worry_explain', { name: patient.patient_name })), ask, status);
  }
  if (patient.open_worry) showStatus(patient.open_worry);
  else showButton();
  return box;
}
