// #/personvern and #/tilgjengelighet: the privacy notice and the accessibility
// statement, public (reachable from the login screen), from the catalogues.
import { h } from '../dom.js';
import { has, t } from '../i18n.js';
import { backLink, pageTitle } from '../ui.js';

// The waiting period before a requested deletion (nattlys/privacy/deletion.py WAITING_DAYS).
const DELETION_WAITING_DAYS = 7;

/** The links under the login form. */
export function statementLinks() {
  return h(
    'nav',
    { class: 'statement-links', 'aria-label': t('statements.privacy_link') },
    h('a', { href: '#/personvern' }, t('statements.privacy_link')),
    ' · ',
    h('a', { href: '#/tilgjengelighet' }, t('statements.accessibility_link')),
    ' · ',
    h('a', { href: '#/innstillinger' }, t('settings.link')),
  );
}

export default function statementView(ctx) {
  const base = `statements.${ctx.params.kind}`;
  const sections = [];
  for (let i = 1; has(`${base}.s${i}_title`); i += 1) {
    sections.push(
      h('section', null, h('h2', null, t(`${base}.s${i}_title`)), h('p', null, t(`${base}.s${i}_text`, { days: DELETION_WAITING_DAYS }))),
    );
  }
  return h(
    'div',
    { class: 'narrow', 'data-testid': `statement-${ctx.params.kind}` },
    ctx.user ? backLink('#/', t('common.back_home')) : backLink('#/logg-inn', t('statements.back_to_login')),
    pageTitle(t(`${base}.title`)),
    h('p', { class: 'lead' }, t(`${base}.intro`)),
    ...sections,
  );
}
