// Administrators: teams (create, rename, choose members among supporters).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as accountsApi from '../accounts/api.js';
import * as circlesApi from './api.js';
import { teamKind } from '../format.js';
import { errorText, field, loadFailed, messageArea, selectField, showMessage, withBusy } from '../ui.js';

const KINDS = ['bolig', 'kommune', 'dps'];

function teamItem(team, supporters, reload, notice) {
  const status = messageArea('error');
  const extra = h('div', { class: 'item-extra' });
  const rename = h('button', { type: 'button', class: 'button-secondary' }, t('teams.rename'));
  const members = h('button', { type: 'button', class: 'button-secondary' }, t('teams.choose_members'));

  function close(focus) {
    extra.replaceChildren();
    focus.focus();
  }

  rename.addEventListener('click', () => {
    const input = field({ id: `rename-team-${team.id}`, label: t('fields.name'), value: team.name, maxlength: 120, required: true });
    const save = h('button', { type: 'submit', class: 'button-primary' }, t('common.save'));
    const cancel = h('button', { type: 'button', class: 'button-secondary', onclick: () => close(rename) }, t('common.cancel'));
    const form = h('form', { class: 'form inline-form', novalidate: true }, input.wrap, h('div', { class: 'actions' }, save, cancel));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const name = input.input.value.trim();
      if (name.length < 2) return showMessage(status, t('teams.name_too_short'));
      try {
        await withBusy(save, t('common.saving'), () => circlesApi.updateTeam(team.id, { name }));
        showMessage(notice, t('teams.saved', { name }));
        reload();
      } catch (err) {
        showMessage(status, errorText(err));
      }
    });
    extra.replaceChildren(form);
    input.input.focus();
  });

  members.addEventListener('click', () => {
    const current = new Set(team.members.map((m) => m.id));
    const boxes = supporters.map((s) => {
      const id = `team-${team.id}-member-${s.id}`;
      const box = h('input', { type: 'checkbox', id, value: String(s.id), checked: current.has(s.id) });
      return {
        box,
        row: h('div', { class: 'check' }, box, h('label', { for: id }, s.display_name, ' ', h('span', { class: 'muted' }, `(${s.username}${s.is_active ? '' : `, ${t('users.inactive')}`})`))),
      };
    });
    const save = h('button', { type: 'submit', class: 'button-primary' }, t('common.save'));
    const cancel = h('button', { type: 'button', class: 'button-secondary', onclick: () => close(members) }, t('common.cancel'));
    const form = h(
      'form',
      { class: 'form inline-form', novalidate: true },
      h(
        'fieldset',
        null,
        h('legend', null, t('teams.members_legend', { name: team.name })),
        boxes.length ? boxes.map((b) => b.row) : h('p', null, t('teams.no_supporters')),
      ),
      h('div', { class: 'actions' }, save, cancel),
    );
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const ids = boxes.filter((b) => b.box.checked).map((b) => Number(b.box.value));
      try {
        await withBusy(save, t('common.saving'), () => circlesApi.setTeamMembers(team.id, ids));
        showMessage(notice, t('teams.members_saved', { name: team.name }));
        reload();
      } catch (err) {
        showMessage(status, errorText(err));
      }
    });
    extra.replaceChildren(form);
    boxes[0]?.box.focus();
  });

  return h(
    'li',
    { class: 'item', 'data-testid': 'team-row' },
    h('div', { class: 'item-main' }, h('p', { class: 'item-title' }, team.name), h('p', { class: 'badges' }, h('span', { class: 'badge' }, teamKind(team.kind)))),
    h(
      'p',
      { class: 'muted' },
      team.members.length ? t('teams.members_list', { names: team.members.map((m) => m.display_name).join(', ') }) : t('teams.no_members'),
    ),
    h('div', { class: 'actions' }, rename, members),
    status,
    extra,
  );
}

function createTeamForm(onCreated) {
  const name = field({ id: 'team-name', label: t('fields.name'), required: true, maxlength: 120, autocomplete: 'off' });
  const kind = selectField({ id: 'team-kind', label: t('fields.kind'), options: KINDS.map((k) => ({ value: k, label: t(`kinds_long.${k}`) })), value: 'bolig' });
  const error = messageArea('error');
  const submit = h('button', { type: 'submit', class: 'button-primary' }, t('teams.create'));
  const form = h('form', { class: 'form', id: 'new-team-form', novalidate: true }, name.wrap, kind.wrap, error, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showMessage(error, '');
    const value = name.input.value.trim();
    if (value.length < 2) {
      name.input.focus();
      return showMessage(error, t('teams.name_too_short'));
    }
    try {
      await withBusy(submit, t('common.saving'), () => circlesApi.createTeam({ name: value, kind: kind.input.value }));
      form.reset();
      onCreated(value);
    } catch (err) {
      showMessage(error, errorText(err));
    }
  });
  return form;
}

export default async function adminTeams() {
  const notice = messageArea('status');
  const listArea = h('div');
  async function load() {
    try {
      const [teams, supporters] = await Promise.all([circlesApi.teams(), accountsApi.users({ role: 'supporter' })]);
      listArea.replaceChildren(
        teams.length ? h('ul', { class: 'items', 'data-testid': 'team-list' }, teams.map((team) => teamItem(team, supporters, load, notice))) : h('p', { class: 'panel' }, t('teams.none')),
      );
    } catch (err) {
      listArea.replaceChildren(loadFailed(err, load));
    }
  }
  await load();
  return h(
    'div',
    { class: 'admin-section' },
    h('section', { class: 'section', 'aria-labelledby': 'teams-heading' }, h('h2', { id: 'teams-heading' }, t('admin.teams.title')), notice, listArea),
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'new-team-heading' },
      h('h2', { id: 'new-team-heading' }, t('teams.new_title')),
      createTeamForm((name) => {
        showMessage(notice, t('teams.created', { name }));
        load();
      }),
    ),
  );
}
