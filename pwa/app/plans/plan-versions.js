// #/kriseplan/versjoner and #/kriseplan/versjoner/<n> for patients: every
// version with who and when, what changed ("Lagt til", "Fjernet",
// "Endret: før → etter"), the whole plan as it was, and bringing it back.
import { append, h } from '../dom.js';
import { t } from '../i18n.js';
import { formatDateTime } from '../format.js';
import { backLink, confirmStep, loadFailed, messageArea, pageTitle, showMessage } from '../ui.js';
import { SECTIONS, diffView, planErrorText, sectionBody, sectionTitle } from './plan-ui.js';
import * as store from './plan-store.js';
import * as plansApi from './api.js';

function name(person, me) {
  if (!person) return t('audit.unknown_actor');
  return person.id === me.id ? t('plan.by_you') : person.display_name;
}

/** "Lagret av deg" / "Forslag fra Kari, godtatt av deg" / ... */
export function versionKindText(v, me) {
  const params = { name: name(v.author, me), decider: name(v.decided_by, me), from: v.restored_from };
  return t(`plan.versions.kind.${v.kind}`, params);
}

function versionRow(v, current, me) {
  return h(
    'li',
    { class: 'item plan-version-row', 'data-testid': 'plan-version-row', dataset: { number: v.number } },
    h(
      'p',
      { class: 'item-title' },
      h('a', { href: `#/kriseplan/versjoner/${v.number}` }, t('plan.versions.number', { n: v.number })),
      v.number === current ? h('span', { class: 'badge' }, t('plan.versions.current')) : null,
    ),
    h('p', null, versionKindText(v, me)),
    h('p', { class: 'muted' }, h('time', { datetime: v.created_at }, formatDateTime(v.created_at))),
    v.note ? h('p', { class: 'plan-note' }, t('plan.versions.note', { note: v.note })) : null,
  );
}

async function listView(ctx, page) {
  let versions;
  let plan;
  try {
    [versions, plan] = await Promise.all([plansApi.versions(ctx.user.id), store.fetchOwnPlan(ctx.user)]);
  } catch (err) {
    page.append(loadFailed(err, ctx.retry));
    return page;
  }
  page.append(h('p', { class: 'lead' }, t('plan.versions.intro')));
  if (!versions.length) page.append(h('p', { class: 'panel' }, t('plan.versions.empty')));
  page.append(h('ol', { class: 'items', 'data-testid': 'plan-versions' }, versions.map((v) => versionRow(v, plan.version, ctx.user))));
  return page;
}

async function detailView(ctx, page, number) {
  let detail;
  let plan;
  try {
    [detail, plan] = await Promise.all([plansApi.version(ctx.user.id, number), store.fetchOwnPlan(ctx.user)]);
  } catch (err) {
    page.append(loadFailed(err, ctx.retry));
    return page;
  }
  append(
    page,
    h('p', { class: 'lead' }, versionKindText(detail, ctx.user), ', ', h('time', { datetime: detail.created_at }, formatDateTime(detail.created_at)), '.'),
    detail.note ? h('p', { class: 'plan-note' }, t('plan.versions.note', { note: detail.note })) : null,
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'plan-changes-title' },
      h('h2', { id: 'plan-changes-title' }, detail.previous_number ? t('plan.versions.changes_from', { n: detail.previous_number }) : t('plan.versions.first')),
      diffView(detail.diff),
    ),
  );

  const status = messageArea('error');
  if (number === plan.version) {
    page.append(h('p', { class: 'panel' }, t('plan.versions.is_current')));
  } else {
    const slot = h('div');
    const restore = h('button', { type: 'button', class: 'button-primary', 'data-testid': 'plan-restore' }, t('plan.versions.restore'));
    restore.addEventListener('click', () => {
      const step = confirmStep({
        question: t('plan.versions.restore_question', { n: number }),
        confirmLabel: t('plan.versions.restore_yes'),
        onCancel: () => {
          slot.replaceChildren();
          restore.hidden = false;
          restore.focus();
        },
        onConfirm: async (yes) => {
          yes.disabled = true;
          try {
            const updated = await plansApi.restoreVersion(ctx.user.id, number, { base_version: plan.version });
            store.remember(ctx.user, updated);
            ctx.flash(t('plan.versions.restored', { n: updated.version, from: number }));
            ctx.navigate('/kriseplan/versjoner');
          } catch (err) {
            yes.disabled = false;
            showMessage(status, planErrorText(err));
            if (err.code === 'stale_version') {
              try {
                plan = await store.fetchOwnPlan(ctx.user);
              } catch {
                /* the next try says what is wrong */
              }
            }
          }
        },
      });
      restore.hidden = true;
      slot.replaceChildren(step.box);
      step.focus();
    });
    page.append(h('div', { class: 'actions' }, restore), slot, status);
  }

  const whole = h(
    'details',
    { class: 'plan-whole' },
    h('summary', null, t('plan.versions.whole', { n: number })),
    SECTIONS.map((key) =>
      h('section', { class: 'plan-card' }, h('h3', null, sectionTitle(key)), sectionBody(key, detail.sections[key]) || h('p', { class: 'muted' }, t('plan.diff.empty'))),
    ),
  );
  page.append(whole);
  return page;
}

export default async function planVersionsView(ctx) {
  const number = ctx.params.number ? Number.parseInt(ctx.params.number, 10) : null;
  const page = h('div', { class: 'narrow plan-page', 'data-testid': 'plan-versions-page' });
  if (number) {
    page.append(backLink('#/kriseplan/versjoner', t('plan.versions.back')), pageTitle(t('plan.versions.number', { n: number })));
    return detailView(ctx, page, number);
  }
  page.append(backLink('#/kriseplan', t('plan.back')), pageTitle(t('plan.versions.title')));
  return listView(ctx, page);
}
