// #/kriseplan/endre/<section> for patients: change one section and save it
// as a new version (with the version it started from). If the plan was saved
// somewhere else in the meantime (409 stale_version), nothing is
// overwritten: both are shown and the patient chooses.
// sectionEditor() is also used by supporters to write a proposal.
import { h, uid } from '../dom.js';
import { t } from '../i18n.js';
import { backLink, loadFailed, messageArea, pageTitle, showMessage, withBusy } from '../ui.js';
import { LIMITS, ROLES, ROW_LISTS, SECTIONS, TEXT_LISTS, TEXTS, locKey, planErrorText, roleLabel, sectionBody, sectionTitle } from './plan-ui.js';
import * as store from './plan-store.js';
import * as plansApi from './api.js';

const PHONE = /^\+?[0-9 ]+$/;

const ROW_FIELDS = {
  contacts: [
    { name: 'name', max: LIMITS.name, autocomplete: 'off' },
    { name: 'relation', max: LIMITS.name },
    { name: 'phone', max: LIMITS.phone, type: 'tel', inputmode: 'tel' },
  ],
  professionals: [
    { name: 'name', max: LIMITS.name },
    { name: 'service', max: 120 },
    { name: 'phone', max: LIMITS.phone, type: 'tel', inputmode: 'tel' },
    { name: 'hours', max: 200 },
  ],
  who_does_what: [
    { name: 'role', select: ROLES },
    { name: 'who', max: LIMITS.name },
    { name: 'does', max: 1000, textarea: true },
  ],
};

// --- field errors --------------------------------------------------------------

function clearErrors(root) {
  root.querySelectorAll('.field-error').forEach((el) => el.remove());
  root.querySelectorAll('[aria-invalid="true"]').forEach((el) => {
    el.removeAttribute('aria-invalid');
    const ids = (el.getAttribute('aria-describedby') || '').split(' ').filter((id) => id && !id.startsWith('err-'));
    if (ids.length) el.setAttribute('aria-describedby', ids.join(' '));
    else el.removeAttribute('aria-describedby');
  });
}

function markError(input, text) {
  if (input.getAttribute('aria-invalid') === 'true') return;
  const id = uid('err');
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
  input.after(h('p', { class: 'field-error', id }, text));
}

function phoneProblem(value) {
  if (!value) return null;
  if (value.length > LIMITS.phone || !PHONE.test(value) || (value.match(/\d/g) || []).length < 3) return t('plan.edit.errors.phone');
  return null;
}

// --- editors -------------------------------------------------------------------

function moveButtons(row, list, onChange) {
  const up = h('button', { type: 'button', class: 'button-secondary button-small', 'data-action': 'up' }, h('span', { 'aria-hidden': 'true' }, '↑'), h('span', { class: 'visually-hidden' }, t('plan.edit.move_up')));
  const down = h('button', { type: 'button', class: 'button-secondary button-small', 'data-action': 'down' }, h('span', { 'aria-hidden': 'true' }, '↓'), h('span', { class: 'visually-hidden' }, t('plan.edit.move_down')));
  const remove = h('button', { type: 'button', class: 'button-secondary button-small', 'data-action': 'remove', 'data-testid': 'plan-remove' }, t('plan.edit.remove'));
  up.addEventListener('click', () => {
    if (row.previousElementSibling) {
      list.insertBefore(row, row.previousElementSibling);
      onChange('up', up);
    }
  });
  down.addEventListener('click', () => {
    if (row.nextElementSibling) {
      list.insertBefore(row.nextElementSibling, row);
      onChange('down', down);
    }
  });
  remove.addEventListener('click', () => {
    const next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    onChange('remove', next ? next.querySelector('input, textarea, select') : null);
  });
  return h('div', { class: 'plan-row-tools' }, up, down, remove);
}

/** A list of rows (short texts, or small forms) with add, remove and move. */
function rowsEditor(key, values, makeRow, addLabel) {
  const list = h('ol', { class: 'plan-rows', 'data-testid': 'plan-rows' });
  const live = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
  const add = h('button', { type: 'button', class: 'button-secondary', 'data-testid': 'plan-add' }, addLabel);
  function renumber() {
    [...list.children].forEach((row, i) => row.querySelectorAll('[data-n]').forEach((el) => (el.textContent = String(i + 1))));
    add.disabled = list.children.length >= LIMITS.items;
  }
  function changed(what, focusTarget) {
    renumber();
    live.textContent = t(`plan.edit.moved_${what}`);
    if (focusTarget) focusTarget.focus();
    else add.focus();
  }
  function addRow(value, focus = false) {
    const row = makeRow(value);
    row.node.append(moveButtons(row.node, list, changed));
    row.node._read = row.read;
    list.append(row.node);
    renumber();
    if (focus) row.node.querySelector('input, textarea, select').focus();
  }
  values.forEach((v) => addRow(v));
  add.addEventListener('click', () => addRow(null, true));
  return {
    node: h('div', { class: 'plan-rows-editor' }, list, live, h('div', { class: 'actions' }, add)),
    rows: () => [...list.children],
  };
}

function textItemRow(key) {
  return (value) => {
    const id = uid('item');
    const input = h('input', { id, type: 'text', maxlength: LIMITS.item, value: value || '', 'data-testid': 'plan-item' });
    const node = h('li', { class: 'plan-row plan-row-text' }, h('label', { for: id, class: 'visually-hidden' }, t('plan.edit.item'), ' ', h('span', { 'data-n': '' })), input);
    return { node, read: () => ({ value: input.value.trim(), inputs: { '': input } }) };
  };
}

function formRow(key) {
  return (value) => {
    const inputs = {};
    const fields = ROW_FIELDS[key].map((f) => {
      const id = uid(`${key}-${f.name}`);
      let input;
      if (f.select) {
        input = h('select', { id }, f.select.map((role) => h('option', { value: role, selected: (value ? value[f.name] : 'bolig') === role }, roleLabel(role))));
      } else if (f.textarea) {
        input = h('textarea', { id, rows: 2, maxlength: f.max }, value ? value[f.name] || '' : '');
      } else {
        input = h('input', { id, type: f.type || 'text', inputmode: f.inputmode, maxlength: f.max, autocomplete: f.autocomplete || 'off', value: value ? value[f.name] || '' : '' });
      }
      input.dataset.field = f.name;
      inputs[f.name] = input;
      return h('div', { class: 'field' }, h('label', { for: id }, t(`plan.edit.${key}.${f.name}`)), input);
    });
    const node = h('li', { class: 'plan-row plan-row-form' }, h('fieldset', null, h('legend', null, t(`plan.edit.${key}.row`), ' ', h('span', { 'data-n': '' })), fields));
    function read() {
      const out = {};
      for (const [name, input] of Object.entries(inputs)) out[name] = input.value.trim();
      return { value: out, inputs };
    }
    return { node, read };
  };
}

function textArea(id, value, max, rows = 5) {
  return h('textarea', { id, rows, maxlength: max, 'data-testid': 'plan-text' }, value || '');
}

/**
 * An editor for one section. Returns {node, read()}: read() checks the input,
 * marks problems next to the fields and returns {ok, value} (value in the
 * server's shape); showServerErrors(fields) marks an invalid_input answer.
 */
export function sectionEditor(key, value) {
  const root = h('div', { class: 'plan-editor', dataset: { section: key } });
  const byLoc = new Map();
  let read;

  if (TEXT_LISTS.has(key) || ROW_LISTS.has(key)) {
    const rows = TEXT_LISTS.has(key)
      ? rowsEditor(key, Array.isArray(value) ? value : [], textItemRow(key), t('plan.edit.add_item'))
      : rowsEditor(key, Array.isArray(value) ? value : [], formRow(key), t(`plan.edit.${key}.add`));
    root.append(rows.node);
    read = () => {
      const out = [];
      const problems = [];
      rows.rows().forEach((row) => {
        const { value: v, inputs } = row._read();
        const index = out.length;
        if (TEXT_LISTS.has(key)) {
          if (!v) return;
          byLoc.set(`${key}.${index}`, inputs['']);
          out.push(v);
          return;
        }
        if (Object.entries(v).every(([name, x]) => name === 'role' || !x)) return; // an empty row is left out
        for (const [name, input] of Object.entries(inputs)) byLoc.set(`${key}.${index}.${name}`, input);
        if (key === 'contacts' && !v.name) problems.push([inputs.name, t('plan.edit.errors.name')]);
        if (key === 'professionals' && !v.name && !v.service) problems.push([inputs.service, t('plan.edit.errors.name_or_service')]);
        if (key === 'who_does_what' && !v.does) problems.push([inputs.does, t('plan.edit.errors.does')]);
        if (inputs.phone) {
          v.phone = v.phone.split(/\s+/).join(' ');
          const p = phoneProblem(v.phone);
          if (p) problems.push([inputs.phone, p]);
        }
        out.push(v);
      });
      return { value: out, problems };
    };
  } else if (TEXTS.has(key)) {
    const id = uid(key);
    const area = textArea(id, value, LIMITS.text, 8);
    byLoc.set(key, area);
    root.append(h('div', { class: 'field' }, h('label', { for: id, class: 'visually-hidden' }, sectionTitle(key)), area));
    read = () => ({ value: area.value.trim(), problems: [] });
  } else if (key === 'meeting') {
    const v = value || {};
    const parts = ['wants', 'does_not_help'].map((name) => {
      const id = uid(name);
      const area = textArea(id, v[name], LIMITS.text, 5);
      area.dataset.field = name;
      byLoc.set(`meeting.${name}`, area);
      return { name, area, node: h('div', { class: 'field' }, h('label', { for: id }, t(`plan.fields.${name}`)), area) };
    });
    root.append(parts.map((p) => p.node));
    read = () => ({ value: Object.fromEntries(parts.map((p) => [p.name, p.area.value.trim()])), problems: [] });
  } else if (key === 'self_referral') {
    const v = value || {};
    const hasId = uid('has');
    const has = h('input', { id: hasId, type: 'checkbox', checked: Boolean(v.has_agreement) });
    const withId = uid('with');
    const withWhom = h('input', { id: withId, type: 'text', maxlength: 200, value: v.with_whom || '' });
    const howId = uid('how');
    const how = h('textarea', { id: howId, rows: 3, maxlength: 1000 }, v.how_to_ask || '');
    const daysId = uid('days');
    const days = h('input', { id: daysId, type: 'number', min: 1, max: 30, step: 1, inputmode: 'numeric', class: 'input-short', value: v.max_days ? String(v.max_days) : '' });
    byLoc.set('self_referral.with_whom', withWhom);
    byLoc.set('self_referral.how_to_ask', how);
    byLoc.set('self_referral.max_days', days);
    const details = h(
      'div',
      { class: 'plan-referral-details' },
      h('div', { class: 'field' }, h('label', { for: withId }, t('plan.fields.with_whom')), withWhom),
      h('div', { class: 'field' }, h('label', { for: howId }, t('plan.fields.how_to_ask')), how),
      h('div', { class: 'field' }, h('label', { for: daysId }, t('plan.fields.max_days')), h('p', { class: 'hint' }, t('plan.edit.max_days_hint')), days),
    );
    root.append(h('div', { class: 'check' }, has, h('label', { for: hasId }, t('plan.edit.has_agreement'))), details);
    read = () => {
      const problems = [];
      const text = days.value.trim();
      const n = Number(text);
      if (text && (!Number.isInteger(n) || n < 1 || n > 30)) problems.push([days, t('plan.edit.errors.max_days')]);
      return {
        value: { has_agreement: has.checked, with_whom: withWhom.value.trim(), how_to_ask: how.value.trim(), max_days: text && Number.isInteger(n) ? n : null },
        problems,
      };
    };
  }

  return {
    node: root,
    read() {
      clearErrors(root);
      byLoc.clear();
      const { value: v, problems } = read();
      problems.forEach(([input, text]) => markError(input, text));
      if (problems.length) problems[0][0].focus();
      return { ok: problems.length === 0, value: v };
    },
    showServerErrors(fields) {
      let first = null;
      for (const f of fields || []) {
        const input = byLoc.get(locKey(f.loc)) || byLoc.get(locKey((f.loc || []).slice(0, -1)));
        if (!input) continue;
        markError(input, t('plan.edit.errors.check'));
        first = first || input;
      }
      if (first) first.focus();
      return Boolean(first);
    },
  };
}

function canonical(value) {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical(value[k])]));
  }
  return value ?? null;
}

/** Whether two section values are the same (key order does not matter). */
export function sameValue(a, b) {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

// --- the patient's edit screen ----------------------------------------------------

function conflictPanel({ key, mine, current, onKeepMine, onUseCurrent }) {
  const keep = h('button', { type: 'button', class: 'button-primary', 'data-testid': 'plan-keep-mine' }, t('plan.conflict.keep_mine'));
  const use = h('button', { type: 'button', class: 'button-secondary', 'data-testid': 'plan-use-current' }, t('plan.conflict.use_current'));
  keep.addEventListener('click', () => onKeepMine(keep));
  use.addEventListener('click', onUseCurrent);
  return h(
    'section',
    { class: 'panel plan-conflict', 'data-testid': 'plan-conflict', 'aria-labelledby': 'plan-conflict-title' },
    h('h2', { id: 'plan-conflict-title', tabindex: '-1' }, t('plan.conflict.title')),
    h('p', null, t('plan.conflict.text')),
    h(
      'div',
      { class: 'plan-compare' },
      h('div', { class: 'plan-compare-col' }, h('h3', null, t('plan.conflict.mine')), sectionBody(key, mine) || h('p', { class: 'muted' }, t('plan.diff.empty'))),
      h(
        'div',
        { class: 'plan-compare-col' },
        h('h3', null, t('plan.conflict.current', { n: current.version })),
        sectionBody(key, current.sections[key]) || h('p', { class: 'muted' }, t('plan.diff.empty')),
      ),
    ),
    h('div', { class: 'actions' }, keep, use),
  );
}

export default async function planEditView(ctx) {
  const key = ctx.params.section;
  const page = h('div', { class: 'narrow plan-page' });
  const back = `#/kriseplan/del/${key}`;
  if (!SECTIONS.includes(key)) {
    page.append(backLink('#/kriseplan', t('plan.back')), pageTitle(t('plan.title')), h('p', { class: 'panel' }, t('errors.not_found')));
    return page;
  }
  page.append(backLink(back, t('plan.back')), pageTitle(t('plan.edit.title', { section: sectionTitle(key) })));
  let plan;
  try {
    plan = await store.fetchOwnPlan(ctx.user);
  } catch (err) {
    page.append(err.code === 'network' ? h('p', { class: 'panel panel-problem', role: 'alert' }, t('plan.offline.need_network')) : loadFailed(err, ctx.retry));
    return page;
  }

  const editor = sectionEditor(key, plan.sections[key]);
  const error = messageArea('error');
  const conflictSlot = h('div');
  const save = h('button', { type: 'submit', class: 'button-primary', 'data-testid': 'plan-save' }, t('common.save'));
  const form = h(
    'form',
    { class: 'form plan-edit-form', novalidate: true },
    h('p', { class: 'hint plan-edit-hint' }, t(`plan.edit.hints.${key}`)),
    editor.node,
    error,
    h('div', { class: 'actions' }, save, h('a', { href: back, class: 'button-secondary' }, t('common.cancel'))),
  );

  async function send(value, baseVersion, button) {
    showMessage(error, '');
    try {
      const updated = await withBusy(button, t('common.saving'), () =>
        plansApi.savePlan(ctx.user.id, { base_version: baseVersion, sections: { [key]: value } }),
      );
      store.remember(ctx.user, updated);
      store.markSaved(key, updated.version);
      ctx.flash(t('plan.saved', { n: updated.version }));
      ctx.navigate(`/kriseplan/del/${key}`);
    } catch (err) {
      if (err.code === 'stale_version') {
        let current;
        try {
          current = await store.fetchOwnPlan(ctx.user);
        } catch (again) {
          showMessage(error, planErrorText(again));
          return;
        }
        plan = current;
        const panel = conflictPanel({
          key,
          mine: value,
          current,
          onKeepMine: (btn) => send(value, current.version, btn),
          onUseCurrent: () => ctx.retry(),
        });
        conflictSlot.replaceChildren(panel);
        panel.querySelector('h2').focus();
        return;
      }
      if (err.code === 'invalid_input' && editor.showServerErrors(err.fields)) {
        showMessage(error, t('plan.edit.errors.summary'));
        return;
      }
      showMessage(error, planErrorText(err));
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const result = editor.read();
    if (!result.ok) {
      showMessage(error, t('plan.edit.errors.summary'));
      return;
    }
    if (sameValue(result.value, plan.sections[key])) {
      showMessage(error, t('plan.edit.no_change'));
      return;
    }
    conflictSlot.replaceChildren();
    await send(result.value, plan.version, save);
  });
  page.append(conflictSlot, form);
  return page;
}
