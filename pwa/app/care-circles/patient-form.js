// Creating a patient (supporters and administrators): name, username, team.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as circlesApi from './api.js';
import { teamKind } from '../format.js';
import { errorText, field, invitationPanel, messageArea, selectField, showMessage, withBusy } from '../ui.js';
import { nightGapWarning } from '../alerts/night-gaps.js';

const FOLD = { æ: 'ae', ø: 'o', å: 'a', ä: 'a', ö: 'o', ü: 'u', é: 'e', è: 'e' };

/** A username suggestion from a display name: "Mona Hansen" -> "mona.hansen". */
export function suggestUsername(name) {
  return String(name)
    .toLowerCase()
    .replace(/[æøåäöüéè]/g, (c) => FOLD[c])
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '.')
    .replace(/^[._-]+|[._-]+$/g, '')
    .slice(0, 40);
}

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,38}[a-z0-9]$/;

/** Display name + username inputs; the username follows the name until edited. */
export function nameFields(prefix) {
  const display = field({ id: `${prefix}-display-name`, label: t('fields.display_name'), hint: t('forms.display_name_hint'), required: true, maxlength: 80, autocomplete: 'off' });
  const username = field({
    id: `${prefix}-username`,
    label: t('fields.username'),
    hint: t('forms.username_hint'),
    required: true,
    maxlength: 40,
    autocomplete: 'off',
    autocapitalize: 'none',
    spellcheck: 'false',
  });
  let touched = false;
  username.input.addEventListener('input', () => {
    touched = username.input.value !== '';
  });
  display.input.addEventListener('input', () => {
    if (!touched) username.input.value = suggestUsername(display.input.value);
  });
  return { display, username, reset: () => { touched = false; } };
}

/** Checks done before asking the server; returns an error text or null. */
export function checkNames(names) {
  const displayName = names.display.input.value.trim();
  const username = names.username.input.value.trim().toLowerCase();
  if (!displayName) {
    names.display.input.focus();
    return t('forms.display_name_missing');
  }
  if (!USERNAME_PATTERN.test(username)) {
    names.username.input.focus();
    return t('forms.username_invalid');
  }
  return null;
}

/**
 * The "new patient" form. teams: the teams to choose from; allowNoTeam lets an
 * administrator create a patient without a care circle yet.
 */
export function newPatientForm({ teams, allowNoTeam = false, headingLevel = 2, onCreated }) {
  const names = nameFields('patient');
  const options = teams.map((team) => ({ value: team.id, label: `${team.name} (${teamKind(team.kind)})` }));
  if (allowNoTeam) options.unshift({ value: '', label: t('patients.no_team') });
  const team = selectField({ id: 'patient-team', label: t('fields.team_id'), options, value: allowNoTeam ? '' : options[0]?.value });
  const error = messageArea('error');
  const result = h('div', { class: 'result' });
  const submit = h('button', { type: 'submit', class: 'button-primary' }, t('patients.create'));
  const form = h(
    'form',
    { class: 'form', id: 'new-patient-form', novalidate: true },
    names.display.wrap,
    names.username.wrap,
    team.wrap,
    error,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showMessage(error, '');
    const problem = checkNames(names);
    if (problem) return showMessage(error, problem);
    const body = {
      username: names.username.input.value.trim().toLowerCase(),
      display_name: names.display.input.value.trim(),
    };
    if (team.input.value) body.team_id = Number(team.input.value);
    try {
      const created = await withBusy(submit, t('common.saving'), () => circlesApi.createPatient(body));
      form.reset();
      names.reset();
      result.replaceChildren(
        ...[nightGapWarning(created.night_gaps, { name: created.patient.display_name })].filter(Boolean),
        invitationPanel(created.invitation, { name: created.patient.display_name, headingLevel: headingLevel + 1 }),
      );
      result.querySelector('h3, h4, h5')?.setAttribute('tabindex', '-1');
      result.querySelector('[tabindex="-1"]')?.focus();
      if (onCreated) onCreated(created);
    } catch (err) {
      showMessage(error, errorText(err));
      if (err.code === 'username_taken') names.username.input.focus();
    }
  });
  return h('div', null, form, result);
}
