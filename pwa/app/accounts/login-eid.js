// The strong ways of logging in, shown on the login screen under the password
// form: ID-porten (patients), HelseID (staff) and a passkey on this device.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as accountsApi from './api.js';
import { errorText, messageArea, serverErrorText, showMessage, withBusy } from '../ui.js';
import { passkeysSupported, usePasskey } from './passkeys.js';

const FAILURES = [
  'unknown_login', 'other_browser', 'cancelled', 'code_refused', 'bad_id_token', 'wrong_nonce', 'wrong_acr',
  'not_enrolled', 'invitation_gone', 'invitation_awaiting_approval', 'other_person', 'identity_in_use', 'provider_unavailable',
];

export function eidFailureText(code) {
  return FAILURES.includes(code) ? t(`strong.failed.${code}`) : t('strong.failed_generic');
}

/** A button that sends the browser to the eID provider (`invitation`: bind this link). */
export function eidButton(provider, label, error, { invitation } = {}) {
  const button = h('button', { type: 'button', class: 'button-secondary', 'data-testid': `eid-${provider}` }, label);
  button.addEventListener('click', async () => {
    showMessage(error, '');
    try {
      const started = await withBusy(button, t('strong.busy'), () =>
        accountsApi.startEid(provider, invitation ? { invitation } : {}),
      );
      window.location.assign(started.authorization_url);
    } catch (err) {
      // The server names why (eid_unavailable, eid_wrong_provider). No answer at all, or a
      // gateway's bare 502 (api() calls a 5xx without a code internal_error): the service is away.
      const unnamed = err.code === 'network' || (err.status === 502 && err.code === 'internal_error');
      showMessage(error, unnamed ? t('strong.failed.provider_unavailable') : errorText(err));
    }
  });
  return button;
}

async function loginMethods() {
  try {
    return await accountsApi.loginMethods();
  } catch {
    return null; // offline or an older server: the password form still works
  }
}

/**
 * On the invitation screen: the person's eID instead of a password (this first
 * eID login binds the account to them). Hides the password form when passwords
 * are switched off for their role.
 */
export async function eidEnrolChoice(invitation, token, passwordForm) {
  const methods = await loginMethods();
  if (!methods) return null;
  const provider = invitation.role === 'patient' ? 'patient' : 'staff';
  if (!methods.password_roles.includes(invitation.role)) passwordForm.hidden = true;
  if (!methods[`eid_${provider}`]) return null;
  const error = messageArea('error');
  const label = provider === 'patient' ? t('strong.eid_enrol') : t('strong.eid_staff');
  return h(
    'div',
    { class: 'strong-login', 'data-testid': 'eid-enrol' },
    passwordForm.hidden ? null : h('p', { class: 'hint' }, t('strong.or')),
    h('div', { class: 'actions' }, eidButton(provider, label, error, { invitation: token })),
    h('p', { class: 'hint' }, t('strong.eid_enrol_hint')),
    error,
  );
}

export default async function strongLogin(ctx) {
  const error = messageArea('error');
  if (ctx.params && ctx.params.eidError) showMessage(error, eidFailureText(ctx.params.eidError));
  const methods = (await loginMethods()) || { eid_patient: false, eid_staff: false };
  const buttons = [];
  if (methods.eid_patient) buttons.push(eidButton('patient', t('strong.eid_patient'), error));
  if (methods.eid_staff) buttons.push(eidButton('staff', t('strong.eid_staff'), error));
  if (passkeysSupported()) {
    const passkey = h('button', { type: 'button', class: 'button-secondary', 'data-testid': 'passkey-login' }, t('strong.passkey_login'));
    passkey.addEventListener('click', async () => {
      showMessage(error, '');
      try {
        const session = await withBusy(passkey, t('strong.busy'), async () => {
          const started = await accountsApi.passkeyLoginOptions();
          const credential = await usePasskey(started.options);
          return accountsApi.passkeyLogin({ ceremony: started.ceremony, credential });
        });
        ctx.setSession(session);
        ctx.navigate('/');
      } catch (err) {
        // The server not taking the passkey is what this sentence says; any other
        // refusal (the attempt timed out, no connection) in the server's words.
        const failed = t('strong.passkey_failed');
        showMessage(error, err.code === 'passkey_refused' ? failed : serverErrorText(err, failed));
      }
    });
    // First: on her own phone, a fingerprint is the quickest way in.
    buttons.unshift(h('div', null, passkey, h('p', { class: 'hint' }, t('strong.passkey_hint'))));
  }
  return h(
    'div',
    { class: 'strong-login', 'data-testid': 'strong-login' },
    error,
    buttons.length ? h('p', { class: 'hint' }, t('strong.or')) : null,
    h('div', { class: 'actions actions-stacked' }, ...buttons),
  );
}
