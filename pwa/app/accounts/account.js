// #/min-konto: my account, for every role: links waiting for my confirmation,
// my devices ("Mine enheter"), change password, and what happened to the account.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as accountsApi from './api.js';
import { formatDateTime } from '../format.js';
import { detailsText } from '../audit/audit-text.js';
import { errorText, loadFailed, messageArea, pageTitle, passwordField, showMessage, withBusy } from '../ui.js';

function reenrolmentNotice(ctx, link) {
  const answer = (what) => async () => {
    await accountsApi.answerReenrolment(link.id, what);
    ctx.retry();
  };
  return h(
    'div',
    { class: 'panel panel-problem', role: 'alert', 'data-testid': 'reenrolment-notice' },
    h('p', null, t('account.reenrolment_text', { name: link.issued_by_name || t('account.someone'), when: formatDateTime(link.created_at) })),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'button-secondary', onclick: answer('confirm') }, t('account.reenrolment_confirm')),
      h('button', { type: 'button', class: 'button-primary', onclick: answer('decline') }, t('account.reenrolment_decline')),
    ),
  );
}

function devices(ctx, sessions) {
  return h(
    'section',
    { 'data-testid': 'my-devices' },
    h('h2', null, t('account.devices_title')),
    h(
      'ul',
      { class: 'list' },
      ...sessions.map((s) =>
        h(
          'li',
          { class: 'list-item' },
          h('strong', null, s.device_label || t('account.device_unknown')),
          s.current ? h('span', { class: 'badge' }, ' ', t('account.device_this')) : null,
          h('p', { class: 'hint' }, t('account.device_times', { first: formatDateTime(s.created_at), last: formatDateTime(s.last_seen_at) })),
          s.current
            ? null
            : h(
                'button',
                {
                  type: 'button',
                  class: 'button-secondary',
                  onclick: async () => {
                    await accountsApi.endSession(s.id);
                    ctx.retry();
                  },
                },
                t('account.device_end'),
              ),
        ),
      ),
    ),
  );
}

function passwordForm() {
  const error = messageArea('error');
  const done = messageArea('status');
  const current = passwordField({ id: 'current-password', label: t('account.password_current'), autocomplete: 'current-password' });
  const next = passwordField({ id: 'new-password', label: t('account.password_new'), autocomplete: 'new-password', hint: t('enrol.password_hint') });
  const submit = h('button', { type: 'submit', class: 'button-primary' }, t('account.password_submit'));
  const form = h('form', { id: 'password-form', class: 'form', novalidate: true }, current.wrap, next.wrap, error, done, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showMessage(error, '');
    showMessage(done, '');
    try {
      await withBusy(submit, t('account.password_busy'), () =>
        accountsApi.changePassword({ current_password: current.input.value, new_password: next.input.value }),
      );
      current.input.value = '';
      next.input.value = '';
      showMessage(done, t('account.password_changed'));
    } catch (err) {
      showMessage(error, errorText(err));
    }
  });
  return h('section', null, h('h2', null, t('account.password_title')), form);
}

/** The device or factor, in words (older rows kept the device in `reason`). */
function facts(e) {
  const said = detailsText(e.details) || e.reason;
  return said ? ` · ${said}` : '';
}

function events(rows) {
  return h(
    'section',
    { 'data-testid': 'account-events' },
    h('h2', null, t('account.events_title')),
    rows.length
      ? h(
          'ul',
          { class: 'list' },
          ...rows.map((e) =>
            h(
              'li',
              { class: 'list-item' },
              h('strong', null, t(`account.event.${e.action.replace('.', '_')}`)),
              h('p', { class: 'hint' }, formatDateTime(e.at), facts(e), e.actor_name ? ` · ${e.actor_name}` : ''),
            ),
          ),
        )
      : h('p', null, t('account.events_none')),
  );
}

/** Staff: what waits for a second person's approval (new login links; for administrators, code-app resets). */
function approvals(ctx, links, resets) {
  if (!links.length && !resets.length) return null;
  const approve = (send) => async () => {
    await send();
    ctx.retry();
  };
  const item = (text, send) =>
    h('li', { class: 'list-item' }, h('p', null, text), h('button', { type: 'button', class: 'button-secondary', onclick: approve(send) }, t('account.approve')));
  return h(
    'section',
    { 'data-testid': 'approvals' },
    h('h2', null, t('account.approvals_title')),
    h('p', { class: 'hint' }, t('account.approvals_intro')),
    h(
      'ul',
      { class: 'list' },
      ...links.map((l) => item(t('account.approve_link', { name: l.user_display_name, by: l.issued_by_name || t('account.someone') }), () => accountsApi.approveReenrolment(l.id))),
      ...resets.map((r) => item(t('account.approve_reset', { name: r.user_display_name, by: r.requested_by_name || t('account.someone') }), () => accountsApi.approveSecondFactorReset(r.id))),
    ),
  );
}

export default async function accountView(ctx) {
  const role = ctx.user.role;
  let links;
  let sessions;
  let rows;
  let toApprove = [];
  let resets = [];
  try {
    [links, sessions, rows, toApprove, resets] = await Promise.all([
      accountsApi.myReenrolments(),
      accountsApi.mySessions(),
      accountsApi.myAccountEvents(),
      role === 'patient' ? [] : accountsApi.reenrolments(),
      role === 'admin' ? accountsApi.secondFactorResets() : [],
    ]);
  } catch (err) {
    return h('div', { class: 'narrow' }, pageTitle(t('account.title')), loadFailed(err, ctx.retry));
  }
  return h(
    'div',
    { class: 'narrow', 'data-testid': 'account' },
    pageTitle(t('account.title')),
    ...links.map((link) => reenrolmentNotice(ctx, link)),
    approvals(ctx, toApprove, resets),
    devices(ctx, sessions),
    passwordForm(),
    events(rows),
  );
}
