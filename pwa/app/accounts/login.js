// #/logg-inn
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as accountsApi from './api.js';
import { statementLinks } from '../privacy/statement.js';
import { errorText, field, messageArea, pageTitle, passwordField, qrImage, showMessage, withBusy } from '../ui.js';
import strongLogin from './login-eid.js';

export default async function loginView(ctx) {
  const error = messageArea('error');
  const username = field({
    id: 'username',
    label: t('login.username'),
    type: 'text',
    autocomplete: 'username',
    autocapitalize: 'none',
    spellcheck: 'false',
    required: true,
    maxlength: 200,
  });
  const password = passwordField({ id: 'password', label: t('login.password'), autocomplete: 'current-password' });
  const submit = h('button', { type: 'submit', class: 'button-primary' }, t('login.submit'));

  const form = h(
    'form',
    { id: 'login-form', class: 'form', novalidate: true },
    username.wrap,
    password.wrap,
    error,
    h('div', { class: 'actions' }, submit),
  );

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showMessage(error, '');
    const name = username.input.value.trim();
    const secret = password.input.value;
    if (!name || !secret) {
      showMessage(error, t('login.missing'));
      (name ? password.input : username.input).focus();
      return;
    }
    try {
      const session = await withBusy(submit, t('login.busy'), () =>
        accountsApi.login(name, secret),
      );
      if (session.second_factor) {
        holder.replaceChildren(await secondFactorStep(ctx, session.second_factor));
        return;
      }
      ctx.setSession(session);
      ctx.navigate('/');
    } catch (err) {
      showMessage(error, errorText(err));
      if (err.code === 'invalid_credentials') {
        password.input.value = '';
        password.input.focus();
      }
    }
  });

  const holder = h(
    'div',
    { class: 'narrow', 'data-testid': 'login' },
    pageTitle(t('login.title')),
    h('p', { class: 'lead' }, t('login.intro')),
    form,
    await strongLogin(ctx),
    h('p', { class: 'hint' }, t('login.forgot')),
    statementLinks(),
  );
  return holder;
}

/** Staff after the password: set up an authenticator app (first time) or type its code. */
async function secondFactorStep(ctx, step) {
  const error = messageArea('error');
  const code = field({
    id: 'totp-code',
    label: t('account.totp_code'),
    hint: t('account.totp_code_hint'),
    type: 'text',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    required: true,
    maxlength: 20,
  });
  const submit = h('button', { type: 'submit', class: 'button-primary' }, t('account.totp_submit'));
  const form = h('form', { id: 'totp-form', class: 'form', novalidate: true }, code.wrap, error, h('div', { class: 'actions' }, submit));
  const view = h('div', { 'data-testid': 'second-factor' });
  if (step === 'enrol') {
    const enrolment = await accountsApi.enrolSecondFactor();
    view.append(
      pageTitle(t('account.totp_enrol_title')),
      h('p', { class: 'lead' }, t('account.totp_enrol_intro')),
      qrImage(enrolment.qr_svg, t('account.totp_qr_alt')),
      h('p', null, t('account.totp_secret_label'), ' ', h('code', { 'data-testid': 'totp-secret' }, enrolment.secret)),
    );
  } else {
    view.append(pageTitle(t('account.totp_title')), h('p', { class: 'lead' }, t('account.totp_intro')));
  }
  view.append(form);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showMessage(error, '');
    const value = code.input.value.trim();
    if (!value) {
      showMessage(error, t('account.totp_missing'));
      code.input.focus();
      return;
    }
    try {
      const session = await withBusy(submit, t('login.busy'), () =>
        accountsApi.verifySecondFactor(value),
      );
      if (session.recovery_codes) {
        view.replaceChildren(recoveryCodes(ctx, session));
        return;
      }
      ctx.setSession(session);
      ctx.navigate('/');
    } catch (err) {
      showMessage(error, errorText(err));
      code.input.value = '';
      code.input.focus();
    }
  });
  return view;
}

function recoveryCodes(ctx, session) {
  const done = h('button', { type: 'button', class: 'button-primary', 'data-testid': 'recovery-codes-saved' }, t('account.recovery_saved'));
  done.addEventListener('click', () => {
    ctx.setSession(session);
    ctx.navigate('/');
  });
  return h(
    'div',
    { 'data-testid': 'recovery-codes' },
    pageTitle(t('account.recovery_title')),
    h('p', { class: 'lead' }, t('account.recovery_intro')),
    h('ul', { class: 'recovery-codes' }, ...session.recovery_codes.map((c) => h('li', null, h('code', null, c)))),
    h('div', { class: 'actions' }, done),
  );
}
