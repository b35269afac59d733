// Administrators: patients, and each patient's care circle editor
// (#/admin/pasienter and #/admin/pasienter/<id>).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as accountsApi from '../accounts/api.js';
import * as circlesApi from './api.js';
import { teamKind } from '../format.js';
import { newPatientForm } from './patient-form.js';
import { backLink, errorText, invitationPanel, loadFailed, messageArea, showMessage, withBusy } from '../ui.js';
import { lastResortFields } from '../alerts/alerts-ui.js';

const MAX_TIERS = 6;
const MAX_TEAMS_PER_TIER = 10;
const MAX_CONTACTS = 10;
const DEFAULT_MINUTES = 3;

function patientItem(patient) {
  const status = messageArea('error');
  const extra = h('div', { class: 'item-extra' });
  const actions = h('div', { class: 'actions' }, h('a', { class: 'button-link', href: `#/admin/pasienter/${patient.id}` }, t('patients.edit_circle'), h('span', { class: 'visually-hidden' }, ` – ${patient.display_name}`)));
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
    actions.append(button);
  }
  return h(
    'li',
    { class: 'item', 'data-testid': 'patient-row' },
    h('div', { class: 'item-main' }, h('p', { class: 'item-title' }, patient.display_name), h('p', { class: 'muted' }, patient.username)),
    h(
      'p',
      { class: 'badges' },
      patient.is_active ? null : h('span', { class: 'badge badge-off' }, t('users.inactive')),
      patient.has_password ? null : h('span', { class: 'badge badge-warm' }, t('users.not_enrolled')),
    ),
    actions,
    status,
    extra,
  );
}

async function patientList(ctx) {
  const listArea = h('div');
  async function load() {
    try {
      const patients = await circlesApi.patients();
      listArea.replaceChildren(
        patients.length ? h('ul', { class: 'items', 'data-testid': 'patient-list' }, patients.map(patientItem)) : h('p', { class: 'panel' }, t('patients.none')),
      );
    } catch (err) {
      listArea.replaceChildren(loadFailed(err, load));
    }
  }
  let teams = [];
  try {
    [teams] = await Promise.all([circlesApi.teams(), load()]);
  } catch (err) {
    if (err.code === 'unauthorized') throw err;
  }
  return h(
    'div',
    { class: 'admin-section' },
    h('section', { class: 'section', 'aria-labelledby': 'patients-heading' }, h('h2', { id: 'patients-heading' }, t('admin.patients.title')), listArea),
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'new-patient-heading' },
      h('h2', { id: 'new-patient-heading' }, t('patients.new_title')),
      newPatientForm({ teams, allowNoTeam: true, onCreated: load }),
    ),
  );
}

/** The editor works on a copy: tiers [{teamIds: Set, minutes}], contacts Set. */
function circleEditor(ctx, patient, circle, teams, supporters) {
  const tiers = circle.tiers.map((tier) => ({ teamIds: new Set(tier.teams.map((team) => team.id)), minutes: tier.escalate_after_minutes }));
  if (!tiers.length) tiers.push({ teamIds: new Set(), minutes: DEFAULT_MINUTES });
  const contacts = new Set(circle.primary_contacts.map((c) => c.id));
  // A contact who is no longer in the supporter list still shows, so saving keeps them visible.
  const people = [...supporters];
  for (const contact of circle.primary_contacts) {
    if (!people.some((p) => p.id === contact.id)) people.push({ ...contact, is_active: true });
  }

  const tierList = h('ol', { class: 'tiers' });
  const lastResort = lastResortFields(circle.last_resort);
  const error = messageArea('error');
  const status = messageArea('status');

  function tierOf(teamId) {
    return tiers.findIndex((tier) => tier.teamIds.has(teamId));
  }

  function renderTiers(focusSelector) {
    tierList.replaceChildren(...tiers.map((tier, index) => tierItem(tier, index)));
    if (focusSelector) tierList.querySelector(focusSelector)?.focus();
  }

  function tierItem(tier, index) {
    const legendId = `tier-${index}-legend`;
    const minutesId = `tier-${index}-minutes`;
    const checks = teams.map((team) => {
      const id = `tier-${index}-team-${team.id}`;
      const elsewhere = tierOf(team.id);
      const takenByOther = elsewhere !== -1 && elsewhere !== index;
      const box = h('input', { type: 'checkbox', id, checked: tier.teamIds.has(team.id), disabled: takenByOther });
      box.addEventListener('change', () => {
        if (box.checked) tier.teamIds.add(team.id);
        else tier.teamIds.delete(team.id);
        renderTiers(`#${id}`);
      });
      return h(
        'div',
        { class: 'check' },
        box,
        h('label', { for: id }, team.name, ' ', h('span', { class: 'muted' }, `(${teamKind(team.kind)})`), takenByOther ? h('span', { class: 'muted' }, ` – ${t('circle_editor.in_tier', { n: elsewhere + 1 })}`) : null),
      );
    });
    const minutes = h('input', { type: 'number', id: minutesId, min: '1', max: '120', step: '1', inputmode: 'numeric', value: String(tier.minutes), class: 'input-short', 'aria-describedby': `${minutesId}-hint` });
    minutes.addEventListener('input', () => {
      tier.minutes = minutes.value === '' ? NaN : Number(minutes.value);
    });
    const move = (delta) => {
      const target = index + delta;
      [tiers[index], tiers[target]] = [tiers[target], tiers[index]];
      renderTiers(`[data-tier="${target}"][data-action="${delta < 0 ? 'up' : 'down'}"]`);
      showMessage(status, t('circle_editor.moved', { n: target + 1 }));
    };
    const up = h('button', { type: 'button', class: 'button-secondary', 'data-tier': String(index), 'data-action': 'up', disabled: index === 0, onclick: () => move(-1) }, t('circle_editor.move_up'), h('span', { class: 'visually-hidden' }, ` – ${t('circle_editor.tier', { n: index + 1 })}`));
    const down = h('button', { type: 'button', class: 'button-secondary', 'data-tier': String(index), 'data-action': 'down', disabled: index === tiers.length - 1, onclick: () => move(1) }, t('circle_editor.move_down'), h('span', { class: 'visually-hidden' }, ` – ${t('circle_editor.tier', { n: index + 1 })}`));
    const remove = h(
      'button',
      {
        type: 'button',
        class: 'button-secondary',
        disabled: tiers.length === 1,
        onclick: () => {
          tiers.splice(index, 1);
          renderTiers(`#tier-${Math.max(0, index - 1)}-legend`);
          showMessage(status, t('circle_editor.removed', { n: index + 1 }));
        },
      },
      t('circle_editor.remove_tier'),
      h('span', { class: 'visually-hidden' }, ` – ${t('circle_editor.tier', { n: index + 1 })}`),
    );
    return h(
      'li',
      { class: 'tier', 'data-testid': 'tier' },
      h(
        'fieldset',
        { 'aria-labelledby': legendId },
        h('legend', { id: legendId, tabindex: '-1' }, t('circle_editor.tier', { n: index + 1 })),
        h('p', { class: 'hint' }, index === 0 ? t('circle_editor.tier_first_hint') : t('circle_editor.tier_next_hint')),
        teams.length ? checks : h('p', null, t('teams.none')),
        h('div', { class: 'field' }, h('label', { for: minutesId }, t('circle_editor.minutes')), h('p', { class: 'hint', id: `${minutesId}-hint` }, t('circle_editor.minutes_hint')), minutes),
        h('div', { class: 'actions' }, up, down, remove),
      ),
    );
  }

  const add = h('button', { type: 'button', class: 'button-secondary' }, t('circle_editor.add_tier'));
  add.addEventListener('click', () => {
    if (tiers.length >= MAX_TIERS) return showMessage(error, t('circle_editor.too_many_tiers', { count: MAX_TIERS }));
    tiers.push({ teamIds: new Set(), minutes: DEFAULT_MINUTES });
    renderTiers(`#tier-${tiers.length - 1}-legend`);
  });

  const contactChecks = people.map((person) => {
    const id = `contact-${person.id}`;
    const box = h('input', { type: 'checkbox', id, checked: contacts.has(person.id) });
    box.addEventListener('change', () => {
      if (box.checked) contacts.add(person.id);
      else contacts.delete(person.id);
    });
    return h('div', { class: 'check' }, box, h('label', { for: id }, person.display_name, ' ', h('span', { class: 'muted' }, `(${person.username}${person.is_active ? '' : `, ${t('users.inactive')}`})`)));
  });

  const save = h('button', { type: 'submit', class: 'button-primary' }, t('circle_editor.save'));
  const form = h(
    'form',
    { class: 'form circle-editor', id: 'care-circle-form', novalidate: true },
    h('h3', null, t('circle_editor.tiers_heading')),
    h('p', null, t('circle_editor.tiers_intro')),
    tierList,
    h('div', { class: 'actions' }, add),
    h('fieldset', null, h('legend', null, t('circle_editor.contacts')), h('p', { class: 'hint' }, t('circle_editor.contacts_hint')), people.length ? contactChecks : h('p', null, t('teams.no_supporters'))),
    lastResort.node,
    error,
    status,
    h('div', { class: 'actions' }, save),
  );

  function validate() {
    for (const [index, tier] of tiers.entries()) {
      if (!tier.teamIds.size) return [t('circle_editor.tier_needs_team', { n: index + 1 }), `#tier-${index}-legend`];
      if (tier.teamIds.size > MAX_TEAMS_PER_TIER) return [t('circle_editor.too_many_teams', { n: index + 1, count: MAX_TEAMS_PER_TIER }), `#tier-${index}-legend`];
      if (!Number.isInteger(tier.minutes) || tier.minutes < 1 || tier.minutes > 120) return [t('circle_editor.minutes_invalid', { n: index + 1 }), `#tier-${index}-minutes`];
    }
    if (contacts.size > MAX_CONTACTS) return [t('circle_editor.too_many_contacts', { count: MAX_CONTACTS }), null];
    return null;
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showMessage(error, '');
    showMessage(status, '');
    const problem = validate();
    if (problem) {
      showMessage(error, problem[0]);
      if (problem[1]) form.querySelector(problem[1])?.focus();
      return;
    }
    const body = {
      tiers: tiers.map((tier) => ({ team_ids: [...tier.teamIds], escalate_after_minutes: tier.minutes })),
      primary_contact_ids: [...contacts],
      last_resort: lastResort.value(),
    };
    try {
      const saved = await withBusy(save, t('common.saving'), () => circlesApi.saveCareCircle(patient.id, body));
      tiers.splice(0, tiers.length, ...saved.tiers.map((tier) => ({ teamIds: new Set(tier.teams.map((team) => team.id)), minutes: tier.escalate_after_minutes })));
      renderTiers();
      showMessage(status, t('circle_editor.saved', { name: patient.display_name }));
    } catch (err) {
      showMessage(error, errorText(err));
    }
  });

  renderTiers();
  return form;
}

async function patientCircle(ctx, patientId) {
  const wrap = h('div', { class: 'admin-section' }, backLink('#/admin/pasienter', t('patients.back_to_list')));
  try {
    const [patient, circle, teams, supporters] = await Promise.all([
      circlesApi.patient(patientId),
      circlesApi.careCircle(patientId),
      circlesApi.teams(),
      accountsApi.users({ role: 'supporter' }),
    ]);
    wrap.append(
      h('h2', { class: 'subject' }, t('circle_editor.title', { name: patient.display_name })),
      h('p', { class: 'muted' }, patient.username),
      circleEditor(ctx, patient, circle, teams, supporters),
    );
  } catch (err) {
    if (err.code === 'unauthorized') throw err;
    wrap.append(loadFailed(err, ctx.retry));
  }
  return wrap;
}

export default function adminPatients(ctx) {
  return ctx.params.patientId ? patientCircle(ctx, Number(ctx.params.patientId)) : patientList(ctx);
}
