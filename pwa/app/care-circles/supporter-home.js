// #/ for supporters: my patients, and a form for a new patient.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as accountsApi from '../accounts/api.js';
import * as circlesApi from './api.js';
import * as rostersApi from '../rosters/api.js';
import { firstName, teamKind } from '../format.js';
import { newPatientForm } from './patient-form.js';
import { inboxLink } from '../chat/inbox.js';
import { myShiftsLink, shiftNotice } from '../rosters/my-shifts.js';
import { tonightLink } from '../checkins/tonight.js';
import { alertBanner } from '../checkins/checkin-ui.js';
import { myReachWarning } from '../alerts/alerts-ui.js';
import { errorText, invitationPanel, loadFailed, messageArea, pageTitle, showMessage, withBusy } from '../ui.js';

/** "På vakt nå: Kari (botilbudet), Ingrid (kommunen)" or "Ingen på vakt for Mona nå", by the server's clock. */
function dutyLine(patient, duty) {
  if (!duty) return null;
  const people = duty.tiers.flatMap((tier) => tier.on_duty.map((d) => `${d.display_name} (${teamKind(d.team_kind)})`));
  const unique = [...new Set(people)];
  return h(
    'p',
    { class: ['item-duty', !unique.length && 'item-duty-nobody'], 'data-testid': 'patient-on-duty' },
    unique.length ? t('supporter.on_duty_now', { names: unique.join(', ') }) : t('supporter.on_duty_nobody', { name: patient.display_name }),
  );
}

function patientItem(patient, duty) {
  const extra = h('div', { class: 'item-extra' });
  const status = messageArea('error');
  const item = h(
    'li',
    { class: 'item', 'data-testid': 'patient-row' },
    h(
      'div',
      { class: 'item-main' },
      h('p', { class: 'item-title' }, h('a', { href: `#/pasient/${patient.id}`, 'data-testid': 'patient-link' }, patient.display_name)),
      h('p', { class: 'muted' }, patient.username),
      dutyLine(patient, duty),
    ),
  );
  item.append(
    h('p', { class: 'item-links' }, h('a', { href: `#/pasient/${patient.id}/kriseplan`, class: 'button-link button-small', 'data-testid': 'patient-plan-link', 'aria-label': t('plan.supporter.open_plan_for', { name: patient.display_name }) }, t('plan.supporter.open_plan'))),
  );
  const badges = h('p', { class: 'badges' });
  if (!patient.is_active) badges.append(h('span', { class: 'badge' }, t('users.inactive')));
  if (!patient.has_password) badges.append(h('span', { class: 'badge badge-warm' }, t('users.not_enrolled')));
  item.append(badges);
  if (!patient.has_password && patient.is_active) {
    const button = h('button', { type: 'button', class: 'button-secondary' }, t('patients.new_link'));
    button.addEventListener('click', async () => {
      showMessage(status, '');
      try {
        const invitation = await withBusy(button, t('common.saving'), () => accountsApi.issueInvitation(patient.id));
        extra.replaceChildren(invitationPanel(invitation, { name: patient.display_name, headingLevel: 3 }));
      } catch (err) {
        showMessage(status, errorText(err));
      }
    });
    item.append(h('div', { class: 'actions' }, button), status);
  }
  item.append(extra);
  return item;
}

export default async function supporterHome(ctx) {
  const page = h('div', { class: 'wide', 'data-testid': 'supporter-home' }, pageTitle(t('supporter.title', { name: firstName(ctx.user.display_name) })), myReachWarning(), alertBanner(), shiftNotice(), inboxLink(), tonightLink(), myShiftsLink());
  let patients;
  let teams;
  // Who is on duty is extra: the list shows without it if it cannot be had.
  const onDuty = () => rostersApi.patientsOnDuty().catch(() => []);
  let duties;
  try {
    [patients, teams, duties] = await Promise.all([circlesApi.patients(), circlesApi.teams(), onDuty()]);
  } catch (err) {
    page.append(loadFailed(err, ctx.retry));
    return page;
  }

  const list = h('ul', { class: 'items', 'data-testid': 'patient-list' });
  function fill(rows) {
    const dutyOf = new Map(duties.map((d) => [d.patient_id, d]));
    list.replaceChildren(...rows.map((patient) => patientItem(patient, dutyOf.get(patient.id))));
    empty.hidden = rows.length > 0;
  }
  const empty = h('p', { class: 'panel' }, t('supporter.no_patients'));
  fill(patients);

  const newSection = h('section', { class: 'section', 'aria-labelledby': 'new-patient-heading' }, h('h2', { id: 'new-patient-heading' }, t('patients.new_title')));
  if (teams.length) {
    newSection.append(
      h('p', null, t('supporter.new_intro')),
      newPatientForm({
        teams,
        onCreated: async () => {
          try {
            duties = await onDuty();
            fill(await circlesApi.patients());
          } catch {
            /* the list refreshes next time */
          }
        },
      }),
    );
  } else {
    newSection.append(h('p', { class: 'panel' }, t('supporter.no_teams')));
  }

  page.append(
    h('section', { class: 'section', 'aria-labelledby': 'my-patients-heading' }, h('h2', { id: 'my-patients-heading' }, t('supporter.patients_title')), empty, list),
    newSection,
  );
  return page;
}
