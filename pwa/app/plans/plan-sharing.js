// #/kriseplan/deling for patients: for each section, which team kinds
// (bolig, kommune, DPS) may see it, with the defaults said plainly; and the
// copy of the plan on this phone.
import { h, uid } from '../dom.js';
import { t } from '../i18n.js';
import { backLink, loadFailed, messageArea, pageTitle, showMessage, withBusy } from '../ui.js';
import { KINDS, SECTIONS, planErrorText, sectionTitle } from './plan-ui.js';
import * as store from './plan-store.js';
import * as plansApi from './api.js';

function same(a, b) {
  return [...a].sort().join() === [...b].sort().join();
}

export default async function planSharingView(ctx) {
  const page = h('div', { class: 'narrow plan-page', 'data-testid': 'plan-sharing-page' }, backLink('#/kriseplan', t('plan.back')), pageTitle(t('plan.sharing.title')));
  let plan;
  try {
    plan = await store.fetchOwnPlan(ctx.user);
  } catch (err) {
    page.append(err.code === 'network' ? h('p', { class: 'panel panel-problem', role: 'alert' }, t('plan.offline.need_network')) : loadFailed(err, ctx.retry));
    return page;
  }
  const defaults = plan.default_sharing || {};
  let saved = plan.sharing || {};

  const rows = SECTIONS.map((key) => {
    const boxes = KINDS.map((kind) => {
      const id = uid(`share-${key}-${kind}`);
      const box = h('input', { id, type: 'checkbox', checked: (saved[key] || []).includes(kind), dataset: { section: key, kind } });
      return { kind, box, node: h('div', { class: 'check plan-share-check' }, box, h('label', { for: id }, t(`plan.kinds.${kind}`))) };
    });
    const state = h('p', { class: 'hint plan-share-state' });
    const reset = h('button', { type: 'button', class: 'button-secondary button-small' }, t('plan.sharing.reset'));
    function chosen() {
      return boxes.filter((b) => b.box.checked).map((b) => b.kind);
    }
    function refresh() {
      const now = chosen();
      const isDefault = same(now, defaults[key] || []);
      state.textContent = [isDefault ? t('plan.sharing.is_default') : t('plan.sharing.changed'), now.length ? '' : t('plan.sharing.private')].filter(Boolean).join(' ');
      reset.hidden = isDefault;
    }
    boxes.forEach((b) => b.box.addEventListener('change', refresh));
    reset.addEventListener('click', () => {
      boxes.forEach((b) => (b.box.checked = (defaults[key] || []).includes(b.kind)));
      refresh();
      boxes[0].box.focus();
    });
    refresh();
    const node = h(
      'fieldset',
      { class: 'plan-share-row', 'data-testid': 'plan-share-row', dataset: { section: key } },
      h('legend', null, sectionTitle(key)),
      h('div', { class: 'plan-share-boxes' }, boxes.map((b) => b.node)),
      state,
      reset,
    );
    return { key, node, chosen };
  });

  const offlineId = uid('offline');
  const offlineBox = h('input', { id: offlineId, type: 'checkbox', checked: plan.offline_enabled !== false, 'data-testid': 'plan-offline-switch', 'aria-describedby': `${offlineId}-hint` });
  const error = messageArea('error');
  const status = messageArea('status');
  const save = h('button', { type: 'submit', class: 'button-primary', 'data-testid': 'plan-sharing-save' }, t('plan.sharing.save'));
  const form = h(
    'form',
    { class: 'form', novalidate: true },
    h('p', { class: 'lead' }, t('plan.sharing.intro')),
    h('p', { class: 'panel plan-defaults' }, h('strong', null, t('plan.sharing.defaults_title')), ' ', t('plan.sharing.defaults')),
    rows.map((r) => r.node),
    h(
      'section',
      { class: 'plan-offline-choice', 'aria-labelledby': `${offlineId}-title` },
      h('h2', { id: `${offlineId}-title` }, t('plan.sharing.offline_title')),
      h('div', { class: 'check' }, offlineBox, h('label', { for: offlineId }, t('plan.sharing.offline_label'))),
      h('p', { class: 'hint', id: `${offlineId}-hint` }, t('plan.sharing.offline_hint')),
    ),
    error,
    status,
    h('div', { class: 'actions' }, save),
  );

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showMessage(error, '');
    showMessage(status, '');
    const changes = {};
    rows.forEach((r) => {
      if (!same(r.chosen(), saved[r.key] || [])) changes[r.key] = r.chosen();
    });
    const body = {};
    if (Object.keys(changes).length) body.sharing = changes;
    if (offlineBox.checked !== (plan.offline_enabled !== false)) body.offline_enabled = offlineBox.checked;
    if (!Object.keys(body).length) {
      showMessage(status, t('plan.sharing.nothing'));
      return;
    }
    try {
      const answer = await withBusy(save, t('common.saving'), () => plansApi.saveSharing(ctx.user.id, body));
      saved = answer.sharing;
      plan = { ...plan, sharing: answer.sharing, offline_enabled: answer.offline_enabled };
      if (answer.offline_enabled) store.remember(ctx.user, plan);
      else store.forget(ctx.user.id);
      const words = [t('plan.sharing.saved')];
      if ('offline_enabled' in body) words.push(answer.offline_enabled ? t('plan.sharing.offline_on') : t('plan.sharing.offline_off'));
      showMessage(status, words.join(' '));
    } catch (err) {
      showMessage(error, planErrorText(err));
    }
  });
  page.append(form);
  return page;
}
