import { h } from '../dom.js';
import { t } from '../i18n.js';
import { pageTitle } from '../ui.js';

export default function notFound() {
  return h('div', { class: 'narrow' }, pageTitle(t('not_found.title')), h('p', null, t('not_found.text')), h('p', null, h('a', { href: '#/' }, t('common.back_home'))));
}
