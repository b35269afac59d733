// #/kriseplan (and #/kriseplan/del/<section>) for patients: the whole plan,
// opened at "Dette kan jeg gjøre selv". With no network it shows the copy
// kept on the phone (read-only); the emergency numbers are always at the
// bottom of the screen and every phone number is a tel: link.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { formatDateTime } from '../format.js';
import { backLink, loadFailed, pageTitle } from '../ui.js';
import { SECTIONS, sectionBody, sectionTitle, versionLine } from '../plan-ui.js';
import * as store from '../plan-store.js';

const DEFAULT_ANCHOR = 'self_help';

function sectionCard(key, value, { canEdit, saved, note = null }) {
  const titleId = `plan-title-${key}`;
  const body = sectionBody(key, value);
  return h(
    'section',
    { class: ['plan-card', key === DEFAULT_ANCHOR && 'plan-card-first'], id: `plan-${key}`, 'aria-labelledby': titleId, dataset: { section: key }, 'data-testid': 'plan-section' },
    h('h2', { id: titleId, tabindex: '-1', class: 'plan-card-title' }, sectionTitle(key)),
    note ? h('p', { class: 'hint plan-offline-inline' }, note) : null,
    saved ? h('p', { class: 'message message-status', role: 'status', 'data-testid': 'plan-saved' }, t('plan.saved_here', { n: saved.version })) : null,
    body || h('p', { class: 'muted plan-empty' }, t(`plan.empty.${key}`)),
    canEdit
      ? h(
          'p',
          { class: 'plan-card-actions' },
          h('a', { href: `#/kriseplan/endre/${key}`, class: 'button-secondary button-small', 'data-testid': 'plan-edit', 'aria-label': t('plan.edit_section', { section: sectionTitle(key) }) }, t('plan.edit_button')),
        )
      : null,
  );
}

export default async function planView(ctx) {
  const anchor = SECTIONS.includes(ctx.params.section) ? ctx.params.section : DEFAULT_ANCHOR;
  const page = h('div', { class: 'narrow plan-page', 'data-testid': 'plan-page' });
  let user = ctx.user;
  let plan = null;
  let copy = null;

  if (user) {
    try {
      plan = await store.fetchOwnPlan(user);
    } catch (err) {
      if (err.code !== 'network') {
        page.append(backLink('#/', t('common.back_home')), pageTitle(t('plan.title')), loadFailed(err, ctx.retry));
        return page;
      }
      copy = store.load(user.id);
    }
  } else {
    copy = store.ownerCopy(); // started with no network: the copy of the patient who used this phone
  }
  if (!plan && copy) {
    plan = copy.plan;
    user = copy.user;
  }

  page.append(backLink('#/', t('common.back_home')), pageTitle(t('plan.title')));
  if (!plan) {
    page.append(
      h(
        'div',
        { class: 'panel panel-problem', 'data-testid': 'plan-no-copy' },
        h('p', { role: 'alert' }, t('plan.offline.no_copy')),
        h('p', null, t('offline.urgent')),
        h('button', { type: 'button', class: 'button-secondary', onclick: ctx.retry }, t('common.try_again')),
      ),
    );
    return page;
  }

  const offline = Boolean(copy);
  const saved = offline ? null : store.takeSaved();
  const justSaved = Boolean(saved && saved.version === plan.version);
  const status = h('div', { class: 'plan-status' }, h('p', { class: 'plan-version', 'data-testid': 'plan-version' }, versionLine(plan, user, { justSaved })));
  if (offline) {
    status.append(
      h(
        'div',
        { class: 'panel plan-offline', 'data-testid': 'plan-offline' },
        h('p', { class: 'plan-offline-title' }, t('plan.offline.showing', { time: formatDateTime(copy.saved_at) })),
        h('p', null, t('plan.offline.read_only')),
      ),
    );
  } else if (plan.offline_enabled === false) {
    status.append(h('p', { class: 'hint' }, t('plan.offline.turned_off')));
  }
  if (!offline && plan.pending_proposals > 0) {
    status.append(
      h(
        'p',
        { class: 'panel plan-proposals-banner' },
        h('a', { href: '#/kriseplan/forslag', 'data-testid': 'plan-proposals-link' }, t('plan.proposals.banner', { count: plan.pending_proposals })),
      ),
    );
  }
  page.append(status);
  if (!plan.version) page.append(h('p', { class: 'lead' }, t('plan.empty_plan')));

  const cards = SECTIONS.map((key) =>
    sectionCard(key, plan.sections ? plan.sections[key] : null, {
      canEdit: !offline,
      saved: saved && saved.section === key ? saved : null,
      // The page opens scrolled to this section: say here too that this is the saved copy.
      note: offline && key === anchor ? t('plan.offline.showing', { time: formatDateTime(copy.saved_at) }) : null,
    }),
  );
  page.append(h('div', { class: 'plan-cards' }, cards));

  if (!offline) {
    page.append(
      h(
        'nav',
        { class: 'plan-more', 'aria-label': t('plan.more_label') },
        h('h2', null, t('plan.more_title')),
        h(
          'ul',
          { class: 'plan-more-list' },
          h('li', null, h('a', { href: '#/kriseplan/versjoner', 'data-testid': 'plan-versions-link' }, t('plan.versions.title'))),
          h('li', null, h('a', { href: '#/kriseplan/deling', 'data-testid': 'plan-sharing-link' }, t('plan.sharing.title'))),
          h('li', null, h('a', { href: '#/kriseplan/forslag' }, t('plan.proposals.title'))),
        ),
      ),
    );
  }

  // Open at the section asked for ("Dette kan jeg gjøre selv" by default),
  // once the page is on screen; its heading takes the focus.
  requestAnimationFrame(() => {
    const target = document.getElementById(`plan-${anchor}`);
    if (!target || !target.isConnected) return;
    target.scrollIntoView({ block: 'start' });
    target.querySelector('h2')?.focus({ preventScroll: true });
  });
  return page;
}
