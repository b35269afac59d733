// Administrators: users (list with role filter, create, rename, disable/enable, new link).
// A patient's account is disabled by two administrators: one asks with a reason, another decides.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as accountsApi from './api.js';
import { roleName } from '../format.js';
import { checkNames, nameFields } from '../care-circles/patient-form.js';
import {
  confirmStep,
  errorText,
  field,
  invitationPanel,
  loadFailed,
  messageArea,
  selectField,
  showMessage,
  withBusy,
} from '../ui.js';

const ROLES = ['patient', 'supporter', 'admin'];

function userItem(user, ctx, reload, notice, waiting) {
  const status = messageArea('error');
  const extra = h('div', { class: 'item-extra' });
  const badges = h(
    'p',
    { class: 'badges' },
    h('span', { class: 'badge' }, roleName(user.role)),
    user.is_active ? null : h('span', { class: 'badge badge-off' }, t('users.inactive')),
    user.has_password ? null : h('span', { class: 'badge badge-warm' }, t('users.not_enrolled')),
  );
  const rename = h('button', { type: 'button', class: 'button-secondary' }, t('users.rename'));
  const toggle = h('button', { type: 'button', class: 'button-secondary' }, user.is_active ? t('users.disable') : t('users.enable'));
  const link = h('button', { type: 'button', class: 'button-secondary' }, user.has_password ? t('users.reset_link') : t('users.new_link'));
  const isSelf = ctx.user.id === user.id;

  rename.addEventListener('click', () => {
    const input = field({ id: `rename-user-${user.id}`, label: t('fields.display_name'), value: user.display_name, maxlength: 80, required: true });
    const save = h('button', { type: 'submit', class: 'button-primary' }, t('common.save'));
    const cancel = h('button', { type: 'button', class: 'button-secondary', onclick: () => { extra.replaceChildren(); rename.focus(); } }, t('common.cancel'));
    const form = h('form', { class: 'form inline-form', novalidate: true }, input.wrap, h('div', { class: 'actions' }, save, cancel));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const name = input.input.value.trim();
      if (!name) return showMessage(status, t('forms.display_name_missing'));
      try {
        await withBusy(save, t('common.saving'), () => accountsApi.updateUser(user.id, { display_name: name }));
        showMessage(notice, t('users.saved', { name }));
        reload();
      } catch (err) {
        showMessage(status, errorText(err));
      }
    });
    extra.replaceChildren(form);
    input.input.focus();
  });

  toggle.addEventListener('click', () => {
    if (user.role === 'patient' && user.is_active) {
      extra.replaceChildren(disableRequestForm(user, notice, reload, () => { extra.replaceChildren(); toggle.focus(); }));
      extra.querySelector('textarea').focus();
      return;
    }
    const enabling = !user.is_active;
    const step = confirmStep({
      question: enabling ? t('users.confirm_enable', { name: user.display_name }) : t('users.confirm_disable', { name: user.display_name }),
      confirmLabel: enabling ? t('users.enable') : t('users.disable_confirm'),
      onCancel: () => {
        extra.replaceChildren();
        toggle.focus();
      },
      onConfirm: async (button) => {
        try {
          await withBusy(button, t('common.saving'), () => accountsApi.updateUser(user.id, { is_active: enabling }));
          showMessage(notice, enabling ? t('users.enabled', { name: user.display_name }) : t('users.disabled', { name: user.display_name }));
          reload();
        } catch (err) {
          showMessage(status, errorText(err));
        }
      },
    });
    extra.replaceChildren(step.box);
    step.focus();
  });

  link.addEventListener('click', async () => {
    showMessage(status, '');
    try {
      const invitation = await withBusy(link, t('common.saving'), () => accountsApi.issueInvitation(user.id));
      extra.replaceChildren(invitationPanel(invitation, { name: user.display_name, headingLevel: 3 }));
    } catch (err) {
      showMessage(status, errorText(err));
    }
  });

  return h(
    'li',
    { class: 'item', 'data-testid': 'user-row' },
    h('div', { class: 'item-main' }, h('p', { class: 'item-title' }, user.display_name), h('p', { class: 'muted' }, user.username)),
    badges,
    h('div', { class: 'actions' }, rename, user.is_active ? link : null, isSelf || waiting ? null : toggle),
    waiting ? disableDecision(user, waiting, notice, reload) : null,
    status,
    extra,
  );
}

/** The first administrator's step: why, in a few words. Nothing changes for her yet. */
function disableRequestForm(user, notice, reload, close) {
  const reason = field({
    id: `disable-reason-${user.id}`,
    label: t('users.disable_request_reason'),
    hint: t('users.disable_request_hint', { name: user.display_name }),
    tag: 'textarea',
    maxlength: 300,
    rows: 3,
    required: true,
  });
  const error = messageArea('error');
  const send = h('button', { type: 'submit', class: 'button-primary' }, t('users.disable_request_send'));
  const cancel = h('button', { type: 'button', class: 'button-secondary', onclick: close }, t('common.cancel'));
  const form = h('form', { class: 'form inline-form', novalidate: true, 'data-testid': 'disable-request-form' }, reason.wrap, error, h('div', { class: 'actions' }, send, cancel));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const why = reason.input.value.trim();
    if (why.length < 3) return showMessage(error, t('users.disable_reason_missing'));
    try {
      await withBusy(send, t('common.saving'), () => accountsApi.requestDisable(user.id, why));
      showMessage(notice, t('users.disable_requested', { name: user.display_name }));
      reload();
    } catch (err) {
      showMessage(error, errorText(err));
    }
  });
  return form;
}

/** A request waiting for a second administrator; she, not the one who asked, says yes or no. */
function disableDecision(user, request, notice, reload) {
  const status = messageArea('error');
  const text = h('p', null, t('users.disable_waiting', { by: request.requested_by_name || t('account.someone'), reason: request.reason }));
  const decide = (what, label, done) => {
    const button = h('button', { type: 'button', class: what === 'approve' ? 'button-danger' : 'button-secondary' }, label);
    button.addEventListener('click', async () => {
      try {
        await withBusy(button, t('common.saving'), () => accountsApi.answerDisableRequest(request.id, what));
        showMessage(notice, t(done, { name: user.display_name }));
        reload();
      } catch (err) {
        showMessage(status, errorText(err));
      }
    });
    return button;
  };
  const buttons = request.may_decide
    ? h('div', { class: 'actions' }, decide('approve', t('users.disable_confirm'), 'users.disabled'), decide('decline', t('users.disable_decline'), 'users.disable_declined'))
    : null;
  return h('div', { class: 'confirm', 'data-testid': 'disable-waiting' }, text, buttons, status);
}

function createUserForm(onCreated) {
  const names = nameFields('user');
  const role = selectField({ id: 'user-role', label: t('fields.role'), options: ROLES.map((r) => ({ value: r, label: roleName(r) })), value: 'supporter' });
  const error = messageArea('error');
  const result = h('div', { class: 'result' });
  const submit = h('button', { type: 'submit', class: 'button-primary' }, t('users.create'));
  const form = h('form', { class: 'form', id: 'new-user-form', novalidate: true }, names.display.wrap, names.username.wrap, role.wrap, error, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showMessage(error, '');
    const problem = checkNames(names);
    if (problem) return showMessage(error, problem);
    try {
      const created = await withBusy(submit, t('common.saving'), () =>
        accountsApi.createUser({
          username: names.username.input.value.trim().toLowerCase(),
          display_name: names.display.input.value.trim(),
          role: role.input.value,
        }),
      );
      form.reset();
      names.reset();
      const panel = invitationPanel(created.invitation, { name: created.user.display_name, headingLevel: 3 });
      result.replaceChildren(panel, created.user.role === 'patient' ? h('p', { class: 'hint' }, t('users.patient_circle_hint')) : null);
      const heading = panel.querySelector('h3');
      heading.setAttribute('tabindex', '-1');
      heading.focus();
      onCreated();
    } catch (err) {
      showMessage(error, errorText(err));
      if (err.code === 'username_taken') names.username.input.focus();
    }
  });
  return h('div', null, form, result);
}

export default async function adminUsers(ctx) {
  const wrap = h('div', { class: 'admin-section' });
  const listArea = h('div', { 'aria-busy': 'false' });
  const notice = messageArea('status');
  const filter = selectField({
    id: 'user-filter',
    label: t('users.filter'),
    options: [{ value: '', label: t('users.all_roles') }, ...ROLES.map((r) => ({ value: r, label: t(`roles_plural.${r}`) }))],
    value: '',
  });

  async function load() {
    listArea.setAttribute('aria-busy', 'true');
    try {
      const [users, requests] = await Promise.all([accountsApi.users({ role: filter.input.value }), accountsApi.disableRequests()]);
      const waiting = new Map(requests.map((r) => [r.user_id, r]));
      listArea.replaceChildren(
        h('p', { class: 'muted' }, t('users.count', { count: users.length })),
        h('ul', { class: 'items', 'data-testid': 'user-list' }, users.map((u) => userItem(u, ctx, load, notice, waiting.get(u.id)))),
      );
    } catch (err) {
      listArea.replaceChildren(loadFailed(err, load));
    } finally {
      listArea.setAttribute('aria-busy', 'false');
    }
  }
  filter.input.addEventListener('change', load);
  await load();

  wrap.append(
    h('section', { class: 'section', 'aria-labelledby': 'users-heading' }, h('h2', { id: 'users-heading' }, t('admin.users.title')), h('div', { class: 'filters' }, filter.wrap), notice, listArea),
    h('section', { class: 'section', 'aria-labelledby': 'new-user-heading' }, h('h2', { id: 'new-user-heading' }, t('users.new_title')), h('p', null, t('users.new_intro')), createUserForm(load)),
  );
  return wrap;
}
