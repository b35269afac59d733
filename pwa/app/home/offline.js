// Shown when the app opens without a network connection.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { pageTitle, withBusy } from '../ui.js';
import { hasOfflineCopy } from '../plans/plan-store.js';

export default function offlineView(ctx) {
  const retry = h('button', { type: 'button', class: 'button-primary' }, t('common.try_again'));
  retry.addEventListener('click', () => withBusy(retry, t('common.loading'), ctx.recheck));
  return h('div', { class: 'narrow' }, pageTitle(t('offline.title')), h('p', { class: 'lead' }, t('offline.text')), h('p', null, t('offline.urgent')), h('div', { class: 'actions' }, hasOfflineCopy() ? h('a', { href: '#/kriseplan', class: 'button-primary', 'data-testid': 'offline-plan-link' }, t('plan.offline.open')) : null, retry));
}
