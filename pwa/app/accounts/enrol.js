// #/invitasjon/<token>: choose a password with a one-time invitation link.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as accountsApi from './api.js';
import { firstName, formatDateTime } from '../format.js';
import { errorText, loadFailed, messageArea, pageTitle, passwordField, showMessage, withBusy } from '../ui.js';
import { eidEnrolChoice } from './login-eid.js';

const MIN = 8;
const MAX = 128;
const LINK_PROBLEMS = ['not_found', 'invitation_used', 'invitation_expired', 'invitation_replaced', 'invitation_awaiting_approval'];

function problem(code) {
  const known = LINK_PROBLEMS.includes(code) ? code : 'not_found';
  return h(
    'div',
    { class: 'narrow' },
    pageTitle(t('enrol.problem_title')),
    h(
      'div',
      { class: 'panel panel-problem', 'data-testid': 'invitation-problem', role: 'alert' },
      h('p', null, t(`enrol.problem.${known}`)),
      h('p', null, t('enrol.problem_what_now')),
    ),
    h('p', null, h('a', { href: '#/logg-inn' }, t('enrol.go_to_login'))),
  );
}

export default async function enrolView(ctx) {
  const { token } = ctx.params;
  let invitation;
  try {
    invitation = await accountsApi.lookUpInvitation(token);
  } catch (err) {
    if (err.status === 404 || err.status === 410 || err.code === 'invitation_awaiting_approval') return problem(err.code);
    return h('div', { class: 'narrow' }, pageTitle(t('enrol.title_plain')), loadFailed(err, ctx.retry));
  }

  const error = messageArea('error');
  const first = passwordField({
    id: 'new-password',
    label: t('enrol.password'),
    autocomplete: 'new-password',
    hint: t('enrol.password_hint'),
  });
  const again = passwordField({ id: 'new-password-again', label: t('enrol.password_again'), autocomplete: 'new-password' });
  first.input.setAttribute('maxlength', String(MAX * 2));
  again.input.setAttribute('maxlength', String(MAX * 2));
  const submit = h('button', { type: 'submit', class: 'button-primary' }, t('enrol.submit'));

  const holder = h('div', { class: 'narrow', 'data-testid': 'enrol' });

  function fail(text, input) {
    showMessage(error, text);
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
  }

  const form = h(
    'form',
    { id: 'enrol-form', class: 'form', novalidate: true },
    first.wrap,
    again.wrap,
    error,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showMessage(error, '');
    first.input.removeAttribute('aria-invalid');
    again.input.removeAttribute('aria-invalid');
    const password = first.input.value;
    const length = [...password].length;
    if (length < MIN) return fail(t('errors.password_too_short'), first.input);
    if (length > MAX) return fail(t('errors.password_too_long'), first.input);
    if (password !== again.input.value) return fail(t('enrol.mismatch'), again.input);
    try {
      const session = await withBusy(submit, t('enrol.busy'), () =>
        accountsApi.acceptInvitation(token, password),
      );
      ctx.setSession(session);
      ctx.flash(t('enrol.done', { username: session.user.username }));
      ctx.navigate('/', { replace: true });
    } catch (err) {
      if (err.status === 410 || err.status === 404) {
        holder.replaceWith(problem(err.code));
        return;
      }
      const passwordProblem = err.code && err.code.startsWith('password_');
      fail(errorText(err), passwordProblem ? first.input : null);
    }
  });

  const name = firstName(invitation.display_name);
  holder.append(
    pageTitle(t('enrol.title', { name })),
    h('p', { class: 'lead' }, t(invitation.role === 'patient' ? 'enrol.intro_patient' : 'enrol.intro_staff')),
    form,
    await eidEnrolChoice(invitation, token, form),
    h('p', { class: 'hint' }, t('enrol.valid_until', { time: formatDateTime(invitation.expires_at) })),
  );
  return holder;
}
