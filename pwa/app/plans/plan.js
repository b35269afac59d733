// #/kriseplan (and #/kriseplan/del/<section>) for patients: the whole plan,
// opened at "Dette kan jeg gjøre selv". Local first: the copy kept on the
// phone shows at once and is refreshed from the server behind it ("Oppdatert
// kl. 21:14"); with no network the copy stays (read-only). The emergency
// numbers are always at the bottom of the screen and every phone number is a
// tel: link.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { formatDateTime } from '../format.js';
import { backLink, errorText, loadFailed, pageTitle } from '../ui.js';
import { SECTIONS, sectionBody, sectionTitle, versionLine } from './plan-ui.js';
import * as store from './plan-store.js';
import { clockTime, osloToday } from '../checkins/checkin-ui.js';

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

/** "Oppdatert kl. 21:14" today, "Oppdatert mandag 23. november … 21:14" before. */
function updatedText(iso) {
  const today = osloToday(new Date(iso)) === osloToday();
  return t('plan.updated', { time: today ? t('plan.updated_today', { time: clockTime(iso) }) : formatDateTime(iso) });
}

function noCopy(ctx) {
  return h(
    'div',
    { class: 'panel panel-problem', 'data-testid': 'plan-no-copy' },
    h('p', { role: 'alert' }, t('plan.offline.no_copy')),
    h('p', null, t('offline.urgent')),
    h('button', { type: 'button', class: 'button-secondary', onclick: ctx.retry }, t('common.try_again')),
  );
}

/**
 * The plan's status and cards. `copy` is the copy on the phone ({saved_at}),
 * `offline` says the server could not be reached, `refreshing` that it is
 * being asked now, `problem` an error other than the network.
 */
function planContent(plan, user, { anchor, copy, offline, refreshing, problem, saved }) {
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
  } else {
    status.append(
      h(
        'p',
        { class: 'hint plan-updated', role: 'status', 'data-testid': 'plan-updated', 'aria-busy': refreshing ? 'true' : null },
        copy ? updatedText(copy.saved_at) : null,
        refreshing ? h('span', { class: 'plan-refreshing' }, ' ', t('plan.refreshing')) : null,
      ),
    );
    if (problem) status.append(h('p', { class: 'panel panel-problem', 'data-testid': 'plan-refresh-failed' }, errorText(problem)));
    if (plan.offline_enabled === false) status.append(h('p', { class: 'hint' }, t('plan.offline.turned_off')));
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
  const parts = [status];
  if (!plan.version) parts.push(h('p', { class: 'lead' }, t('plan.empty_plan')));

  const cards = SECTIONS.map((key) =>
    sectionCard(key, plan.sections ? plan.sections[key] : null, {
      canEdit: !offline,
      saved: saved && saved.section === key ? saved : null,
      // The page opens scrolled to this section: say here too that this is the saved copy.
      note: offline && key === anchor ? t('plan.offline.showing', { time: formatDateTime(copy.saved_at) }) : null,
    }),
  );
  parts.push(h('div', { class: 'plan-cards' }, cards));

  if (!offline) {
    parts.push(
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
  return parts;
}

/** Open at the section asked for, once the page is on screen; its heading takes the focus. */
function openAt(anchor) {
  requestAnimationFrame(() => {
    const target = document.getElementById(`plan-${anchor}`);
    if (!target || !target.isConnected) return;
    target.scrollIntoView({ block: 'start' });
    target.querySelector('h2')?.focus({ preventScroll: true });
  });
}

export default async function planView(ctx) {
  const anchor = SECTIONS.includes(ctx.params.section) ? ctx.params.section : DEFAULT_ANCHOR;
  const page = h('div', { class: 'narrow plan-page', 'data-testid': 'plan-page' });
  const content = h('div', { class: 'plan-content' });
  page.append(backLink('#/', t('common.back_home')), pageTitle(t('plan.title')), content);

  if (!ctx.user) {
    // Started with no network: the copy of the patient who used this phone.
    const copy = store.ownerCopy();
    content.append(...(copy ? planContent(copy.plan, copy.user, { anchor, copy, offline: true }) : [noCopy(ctx)]));
    if (copy) openAt(anchor);
    return page;
  }

  const { user } = ctx;
  const saved = store.takeSaved();
  const stored = store.load(user.id);
  const show = (plan, state) => content.replaceChildren(...planContent(plan, user, { anchor, saved, ...state }));
  const refresh = store.fetchOwnPlan(user);

  if (!stored) {
    try {
      show(await refresh, { copy: store.load(user.id) });
    } catch (err) {
      if (err.code !== 'network') {
        content.append(loadFailed(err, ctx.retry));
        return page;
      }
      content.append(noCopy(ctx));
      return page;
    }
    openAt(anchor);
    return page;
  }

  // The stored copy at once; the server's answer replaces it when it comes,
  // keeping the focus on the section the patient is reading.
  show(stored.plan, { copy: stored, refreshing: true });
  openAt(anchor);
  const redraw = (plan, state) => {
    const hadFocus = content.contains(document.activeElement);
    show(plan, state);
    if (hadFocus) document.getElementById(`plan-${anchor}`)?.querySelector('h2')?.focus({ preventScroll: true });
  };
  refresh.then(
    (plan) => {
      const fresh = store.load(user.id);
      const updated = content.querySelector('[data-testid="plan-updated"]');
      if (JSON.stringify(plan) !== JSON.stringify(stored.plan)) redraw(plan, { copy: fresh });
      else if (updated) {
        updated.removeAttribute('aria-busy');
        updated.replaceChildren(fresh ? updatedText(fresh.saved_at) : '');
      }
    },
    (err) => {
      if (err.code !== 'unauthorized') redraw(stored.plan, err.code === 'network' ? { copy: stored, offline: true } : { copy: stored, problem: err });
    },
  );
  return page;
}
