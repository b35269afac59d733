// #/ and #/admin/<section> for administrators.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { pageTitle } from '../ui.js';

const SECTIONS = [
  { slug: 'brukere', key: 'users', module: '../accounts/admin-users.js' },
  { slug: 'team', key: 'teams', module: '../care-circles/admin-teams.js' },
  { slug: 'pasienter', key: 'patients', module: '../care-circles/admin-patients.js' },
  { slug: 'vaktplan', title: 'roster.tab', module: '../rosters/admin-rosters.js' },
  { slug: 'dekning', title: 'roster.coverage.tab', module: '../rosters/admin-coverage.js' },
  { slug: 'alene', title: 'alerts.gaps.tab', module: '../alerts/admin-gaps.js' },
  { slug: 'resultater', title: 'outcomes.tab', module: '../outcomes/admin-outcomes.js' },
  { slug: 'logg', key: 'audit', module: '../audit/admin-audit.js' },
  { slug: 'nodtilgang', title: 'break_glass.admin_title', module: '../break-glass/admin-break-glass.js' },
];

export default async function adminHome(ctx) {
  const slug = ctx.params.section || 'brukere';
  const section = SECTIONS.find((s) => s.slug === slug) || SECTIONS[0];
  const nav = h(
    'nav',
    { class: 'tabs', 'aria-label': t('admin.sections') },
    h(
      'ul',
      null,
      SECTIONS.map((s) =>
        h('li', null, h('a', { href: `#/admin/${s.slug}`, class: 'tab', 'aria-current': s === section ? 'page' : null }, t(s.title || `admin.${s.key}.title`))),
      ),
    ),
  );
  const module = await import(section.module);
  const content = await module.default(ctx);
  // Each section its own heading, and so its own document title ("Brukere – Administrasjon – Nattlys").
  const title = t('admin.section_title', { section: t(section.title || `admin.${section.key}.title`) });
  return h('div', { class: 'wide admin', 'data-testid': 'admin-home' }, pageTitle(title), nav, content);
}
