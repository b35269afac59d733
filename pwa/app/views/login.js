// #/logg-inn
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import { errorText, field, messageArea, pageTitle, passwordField, showMessage, withBusy } from '../ui.js';
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
        api('POST', '/api/auth/login', { username: name, password: secret }),
      );
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

  return h(
    'div',
    { class: 'narrow', 'data-testid': 'login' },
    pageTitle(t('login.title')),
    h('p', { class: 'lead' }, t('login.intro')),
    form,
    await strongLogin(ctx),
    h('p', { class: 'hint' }, t('login.forgot')),
  );
}
