// #/passnokler: my passkeys — add one on this device, see when each was used, remove one.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as accountsApi from './api.js';
import { formatDateTime } from '../format.js';
import { errorText, loadFailed, messageArea, pageTitle, serverErrorText, showMessage, withBusy } from '../ui.js';
import { createPasskey, passkeysSupported } from './passkeys.js';

export default async function myPasskeysView(ctx) {
  let passkeys;
  try {
    passkeys = await accountsApi.myPasskeys();
  } catch (err) {
    return h('div', { class: 'narrow' }, pageTitle(t('strong.passkeys_title')), loadFailed(err, ctx.retry));
  }
  const status = messageArea('status');
  const error = messageArea('error');

  const rows = passkeys.map((passkey) => {
    const remove = h('button', { type: 'button', class: 'button-secondary' }, t('strong.passkeys_remove', { name: passkey.name }));
    remove.addEventListener('click', async () => {
      try {
        await withBusy(remove, t('strong.busy'), () => accountsApi.removePasskey(passkey.id));
        ctx.flash(t('strong.passkeys_removed'));
        ctx.retry();
      } catch (err) {
        showMessage(error, errorText(err));
      }
    });
    return h(
      'li',
      { class: 'card', 'data-testid': 'passkey' },
      h('p', null, h('strong', null, passkey.name)),
      h('p', { class: 'hint' }, t('strong.passkeys_created', { when: formatDateTime(passkey.created_at) })),
      h(
        'p',
        { class: 'hint' },
        passkey.last_used_at ? t('strong.passkeys_last_used', { when: formatDateTime(passkey.last_used_at) }) : t('strong.passkeys_never_used'),
      ),
      remove,
    );
  });

  let add = h('p', { class: 'hint' }, t('strong.passkeys_unsupported'));
  if (passkeysSupported()) {
    add = h('button', { type: 'button', class: 'button-primary', 'data-testid': 'passkey-add' }, t('strong.passkeys_add'));
    add.addEventListener('click', async () => {
      showMessage(error, '');
      try {
        await withBusy(add, t('strong.busy'), async () => {
          const started = await accountsApi.passkeyOptions();
          const credential = await createPasskey(started.options);
          return accountsApi.addPasskey({ ceremony: started.ceremony, credential, name: t('strong.default_name') });
        });
        ctx.flash(t('strong.passkeys_added'));
        ctx.retry();
      } catch (err) {
        // The phone refuses a second passkey for the same account (the server lists hers as excluded).
        const text = err.name === 'InvalidStateError'
          ? t('errors.passkey_exists')
          : serverErrorText(err, t('strong.passkeys_add_failed'));
        showMessage(error, text);
      }
    });
  }

  return h(
    'div',
    { class: 'narrow', 'data-testid': 'my-passkeys' },
    pageTitle(t('strong.passkeys_title')),
    h('p', { class: 'lead' }, t('strong.passkeys_intro')),
    rows.length ? h('ul', { class: 'plain-list' }, ...rows) : h('p', null, t('strong.passkeys_none')),
    status,
    error,
    h('div', { class: 'actions' }, add),
  );
}
