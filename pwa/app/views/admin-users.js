// Administrators: users (list with role filter, create, rename, disable/enable, new link),
// and what waits for a second administrator. A patient's account is disabled only
// when a second administrator approves the request; a staff account at once.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { api, query } from '../api.js';
import { formatDateTime, roleName } from '../format.js';
import { checkNames, nameFields } from '../patient-form.js';
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

/** What a pending request says, for the list of requests and for the holder. */
export function approvalText(approval) {
  const by = approval.requested_by_name || t('account.someone');
  return approval.kind === 'disable'
    ? t('account.approve_disable', { name: approval.user_display_name, by, reason: approval.reason || '' })
    : t('account.approve_reset', { name: approval.user_display_name, by });
}

function pendingSection(approvals, reload, notice) {
  if (!approvals.length) return null;
  const item = (approval) => {
    const status = messageArea('error');
    const approve = h('button', { type: 'button', class: 'button-secondary' }, t('account.approve'));
    approve.addEventListener('click', async () => {
      try {
        await withBusy(approve, t('common.saving'), () => api('POST', `/api/account-approvals/${approval.id}/approve`));
        showMessage(notice, t('users.pending_approved'));
        reload();
      } catch (err) {
        showMessage(status, errorText(err));
      }
    });
    return h(
      'li',
      { class: 'item', 'data-testid': 'pending-approval' },
      h('p', null, approvalText(approval)),
      h('p', { class: 'muted' }, formatDateTime(approval.created_at)),
      approval.may_approve ? h('div', { class: 'actions' }, approve) : h('p', { class: 'hint' }, t('users.pending_mine')),
      status,
    );
  };
  return h(
    'section',
    { class: 'section', 'aria-labelledby': 'pending-heading', 'data-testid': 'pending-approvals' },
    h('h2', { id: 'pending-heading' }, t('users.pending_title')),
    h('p', { class: 'hint' }, t('users.pending_intro')),
    h('ul', { class: 'items' }, approvals.map(item)),
  );
}

function disableRequestForm(user, { done, cancel }) {
  const reason = field({
    id: `disable-reason-${user.id}`,
    label: t('users.disable_reason'),
    hint: t('users.disable_reason_hint', { name: user.display_name }),
    tag: 'textarea',
    maxlength: 500,
    required: true,
    rows: 3,
  });
  const error = messageArea('error');
  const send = h('button', { type: 'submit', class: 'button-danger' }, t('users.disable_request_send'));
  const back = h('button', { type: 'button', class: 'button-secondary', onclick: cancel }, t('common.cancel'));
  const form = h('form', { class: 'form inline-form', novalidate: true, 'data-testid': 'disable-request' }, reason.wrap, error, h('div', { class: 'actions' }, send, back));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = reason.input.value.trim();
    if (text.length < 3) {
      showMessage(error, t('users.disable_reason_missing'));
      return reason.input.focus();
    }
    try {
      await withBusy(send, t('common.saving'), () => api('POST', `/api/users/${user.id}/disable-request`, { reason: text }));
      done();
    } catch (err) {
      showMessage(error, errorText(err));
    }
  });
  return { form, focus: () => reason.input.focus() };
}

function userItem(user, ctx, reload, notice, pendingDisable) {
  const status = messageArea('error');
  const extra = h('div', { class: 'item-extra' });
  const badges = h(
    'p',
    { class: 'badges' },
    h('span', { class: 'badge' }, roleName(user.role)),
    user.is_active ? null : h('span', { class: 'badge badge-off' }, t('users.inactive')),
    user.has_password ? null : h('span', { class: 'badge badge-warm' }, t('users.not_enrolled')),
    pendingDisable ? h('span', { class: 'badge badge-warm' }, t('users.pending_badge')) : null,
  );
  const rename = h('button', { type: 'button', class: 'button-secondary' }, t('users.rename'));
  const asksFirst = user.role === 'patient' && user.is_active;
  const toggleLabel = !user.is_active ? t('users.enable') : asksFirst ? t('users.request_disable') : t('users.disable');
  const toggle = h('button', { type: 'button', class: 'button-secondary' }, toggleLabel);
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
        await withBusy(save, t('common.saving'), () => api('PATCH', `/api/users/${user.id}`, { display_name: name }));
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
    if (asksFirst) {
      const request = disableRequestForm(user, {
        done: () => {
          showMessage(notice, t('users.disable_requested', { name: user.display_name }));
          reload();
        },
        cancel: () => {
          extra.replaceChildren();
          toggle.focus();
        },
      });
      extra.replaceChildren(request.form);
      return request.focus();
    }
    const enabling = !user.is_active;
    const step = confirmStep({
      question: enabling ? t('users.confirm_enable', { name: user.display_name }) : t('users.confirm_disable_staff', { name: user.display_name }),
      confirmLabel: enabling ? t('users.enable') : t('users.disable_confirm'),
      onCancel: () => {
        extra.replaceChildren();
        toggle.focus();
      },
      onConfirm: async (button) => {
        try {
          await withBusy(button, t('common.saving'), () => api('PATCH', `/api/users/${user.id}`, { is_active: enabling }));
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
      const invitation = await withBusy(link, t('common.saving'), () => api('POST', `/api/users/${user.id}/invitation`));
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
    h('div', { class: 'actions' }, rename, user.is_active ? link : null, isSelf || pendingDisable ? null : toggle),
    status,
    extra,
  );
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
        api('POST', '/api/users', {
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
      const [users, approvals] = await Promise.all([api('GET', `/api/users${query({ role: filter.input.value })}`), api('GET', '/api/account-approvals')]);
      const disabling = (u) => approvals.find((a) => a.kind === 'disable' && a.user_id === u.id);
      listArea.replaceChildren(
        pendingSection(approvals, load, notice) || '',
        h('p', { class: 'muted' }, t('users.count', { count: users.length })),
        h('ul', { class: 'items', 'data-testid': 'user-list' }, users.map((u) => userItem(u, ctx, load, notice, disabling(u)))),
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
