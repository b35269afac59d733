// The roster editor for one team: the published roster in words, and a draft
// of rotations (members in order, shifts in local wall-clock time) that is
// saved whole, then published. Server field errors show next to their field.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as rostersApi from './api.js';
import { confirmStep, errorText, messageArea, showMessage, withBusy } from '../ui.js';
import { dayName, listText, periodText } from './roster-time.js';

const DAYS = [0, 1, 2, 3, 4, 5, 6];
const MAX_ROTATIONS = 20;
const MAX_SHIFTS = 14;

const hhmm = (value) => String(value || '').slice(0, 5);

/** "man.–fre., søn." from [0,1,2,3,4,6] */
export function weekdaysText(days) {
  const sorted = [...days].sort((a, b) => a - b);
  if (sorted.length === 7) return t('roster.every_day');
  const parts = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j += 1;
    const first = t(`roster.weekday_short.${sorted[i]}`);
    const last = t(`roster.weekday_short.${sorted[j]}`);
    parts.push(j - i >= 2 ? `${first}–${last}` : j === i ? first : `${first}, ${last}`);
    i = j + 1;
  }
  return parts.join(', ');
}

export function shiftText(shift) {
  const time = `${hhmm(shift.start)}–${hhmm(shift.end)}${shift.ends_next_day ? ` ${t('roster.next_day_suffix')}` : ''}`;
  return `${weekdaysText(shift.weekdays)} ${time}`;
}

export function periodName(days) {
  if (days === 1) return t('roster.turn.daily');
  if (days === 7) return t('roster.turn.weekly');
  if (days % 7 === 0) return t('roster.turn.every_n_weeks', { n: days / 7 });
  return t('roster.turn.every_n_days', { n: days });
}

/** A published or draft roster in words. */
export function rosterSummary(version) {
  if (!version || !version.rotations.length) return h('p', { class: 'muted' }, t('roster.no_rotations'));
  return h(
    'ul',
    { class: 'rotation-summary' },
    version.rotations.map((r) =>
      h(
        'li',
        null,
        h('p', { class: 'item-title' }, r.name),
        h('p', null, t('roster.summary_turn', { turn: periodName(r.period_days), date: dayName(r.start_date, { year: true }) }), r.timezone !== 'Europe/Oslo' ? ` (${r.timezone})` : ''),
        h('p', null, t('roster.summary_members', { names: r.members.map((m) => m.display_name).join(' → ') })),
        h('ul', { class: 'plain-list' }, r.shifts.map((s) => h('li', null, shiftText(s)))),
      ),
    ),
  );
}

function fromVersion(version) {
  return (version?.rotations || []).map((r) => ({
    name: r.name,
    timezone: r.timezone,
    start_date: r.start_date,
    period_days: r.period_days,
    member_ids: r.members.map((m) => m.id),
    shifts: r.shifts.map((s) => ({ weekdays: [...s.weekdays], start: hhmm(s.start), end: hhmm(s.end), ends_next_day: s.ends_next_day })),
  }));
}

function turnMode(days) {
  if (days === 1) return 'daily';
  if (days === 7) return 'weekly';
  if (days % 7 === 0) return 'weeks';
  return 'days';
}

/** Translated text for one server field error. */
function fieldErrorText(item) {
  const loc = item.loc || [];
  const last = loc[loc.length - 1];
  const msg = String(item.message || '');
  const type = String(item.type || '');
  if (type === 'not_team_member') return t('roster.err.not_team_member');
  if (/ends before it starts/.test(msg)) return t('roster.err.end_before_start');
  if (/at most 24 hours/.test(msg)) return t('roster.err.too_long');
  if (/repeated/.test(msg)) return t('roster.err.weekday_repeated');
  if (last === 'name') return t('roster.err.name');
  if (last === 'timezone') return t('roster.err.timezone');
  if (last === 'start_date') return t('roster.err.start_date');
  if (last === 'period_days') return t('roster.err.period_days');
  if (last === 'member_ids') return type === 'too_long' ? t('roster.err.too_many_members') : t('roster.err.no_members');
  if (last === 'shifts') return type === 'too_long' ? t('roster.err.too_many_shifts', { count: MAX_SHIFTS }) : t('roster.err.no_shifts');
  if (last === 'weekdays') return t('roster.err.weekdays');
  if (last === 'start' || last === 'end') return t('roster.err.time');
  if (last === 'rotations') return t('roster.err.too_many_rotations', { count: MAX_ROTATIONS });
  return t('roster.err.invalid');
}

/**
 * The editor. team: {id, name, members}; roster: GET .../roster; patients: id → name;
 * onChanged(): after publish (who is on duty may change); onSaved(): after a draft save;
 * onRender(hasDraft): after every redraw.
 */
export function rosterEditor({ team, roster: initial, patients, onChanged, onSaved, onRender }) {
  let roster = initial;
  let rotations = [];
  let dirty = false;
  let errorSlots = new Map();
  const root = h('div', { class: 'roster-editor', 'data-testid': 'roster-editor' });
  const status = messageArea('status');
  const error = messageArea('error');
  const memberName = (id) => team.members.find((m) => m.id === id)?.display_name || `#${id}`;

  function markDirty() {
    dirty = true;
    showMessage(status, '');
  }

  function errorSlot(path) {
    const id = `roster-err-${path.replace(/\./g, '-')}`;
    const slot = h('p', { class: 'field-error', id, hidden: true });
    errorSlots.set(path, slot);
    return slot;
  }

  function clearFieldErrors() {
    for (const slot of errorSlots.values()) {
      slot.hidden = true;
      slot.textContent = '';
    }
    root.querySelectorAll('[aria-invalid="true"]').forEach((el) => el.removeAttribute('aria-invalid'));
  }

  /** Puts each server error next to the most specific field it names; returns the first slot. */
  function showFieldErrors(fields) {
    let first = null;
    const leftover = [];
    for (const item of fields || []) {
      const loc = (item.loc || []).map(String);
      let slot = null;
      for (let n = loc.length; n > 0 && !slot; n -= 1) slot = errorSlots.get(loc.slice(0, n).join('.'));
      const text = fieldErrorText(item);
      if (!slot) {
        leftover.push(text);
        continue;
      }
      slot.textContent = slot.textContent ? `${slot.textContent} ${text}` : text;
      slot.hidden = false;
      const target = slot.dataset.for ? root.querySelector(`#${slot.dataset.for}`) : null;
      target?.setAttribute('aria-invalid', 'true');
      first = first || slot;
    }
    return { first, leftover };
  }

  function render() {
    errorSlots = new Map();
    const hasDraft = Boolean(roster.draft);
    const published = h(
      'section',
      { class: 'section', 'aria-labelledby': 'published-heading' },
      h('h3', { id: 'published-heading' }, t('roster.published_heading')),
      roster.published ? h('p', { class: 'muted' }, t('roster.published_at', { time: dayName(roster.published.published_at, { year: true }) })) : null,
      roster.published ? rosterSummary(roster.published) : h('p', { class: 'panel' }, t('roster.no_published')),
    );
    if (!hasDraft) {
      const start = h('button', { type: 'button', class: 'button-primary', 'data-testid': 'start-draft' }, roster.published ? t('roster.start_draft') : t('roster.start_first'));
      start.addEventListener('click', async () => {
        showMessage(error, '');
        try {
          await withBusy(start, t('common.saving'), () => rostersApi.startDraft(team.id));
          roster = await rostersApi.roster(team.id);
          rotations = fromVersion(roster.draft);
          if (!rotations.length) rotations.push(newRotation());
          dirty = !roster.draft.rotations.length;
          render();
          root.querySelector('#draft-heading')?.focus();
        } catch (err) {
          showMessage(error, errorText(err));
        }
      });
      root.replaceChildren(published, h('section', { class: 'section' }, h('h3', null, t('roster.draft_heading')), h('p', null, t('roster.draft_intro')), error, status, h('div', { class: 'actions' }, start)));
    } else {
      root.replaceChildren(published, draftForm());
    }
    onRender?.(hasDraft);
  }

  function newRotation() {
    return { name: '', timezone: 'Europe/Oslo', start_date: todayKey, period_days: 7, member_ids: [], shifts: [newShift()] };
  }

  function newShift() {
    return { weekdays: [0, 1, 2, 3, 4], start: '08:00', end: '16:00', ends_next_day: false };
  }

  let todayKey = '';

  function draftForm() {
    const list = h('ol', { class: 'rotations' }, rotations.map((r, i) => rotationItem(r, i)));
    const add = h('button', { type: 'button', class: 'button-secondary' }, t('roster.add_rotation'));
    add.addEventListener('click', () => {
      if (rotations.length >= MAX_ROTATIONS) return showMessage(error, t('roster.err.too_many_rotations', { count: MAX_ROTATIONS }));
      rotations.push(newRotation());
      markDirty();
      render();
      root.querySelector(`#rot-${rotations.length - 1}-name`)?.focus();
    });
    const save = h('button', { type: 'submit', class: 'button-primary', 'data-testid': 'save-draft' }, t('roster.save_draft'));
    const publish = h('button', { type: 'button', class: 'button-primary', 'data-testid': 'publish' }, t('roster.publish'));
    const discard = h('button', { type: 'button', class: 'button-secondary', 'data-testid': 'discard-draft' }, t('roster.discard'));
    const confirmArea = h('div', { class: 'publish-confirm', 'data-testid': 'publish-confirm' });
    const form = h(
      'form',
      { class: 'form', novalidate: true, 'aria-labelledby': 'draft-heading' },
      h('h3', { id: 'draft-heading', tabindex: '-1' }, t('roster.draft_heading')),
      h('p', null, t('roster.draft_editing')),
      list,
      h('div', { class: 'actions' }, add),
      errorSlot('rotations'),
      error,
      status,
      h('div', { class: 'actions' }, save, publish, discard),
      confirmArea,
    );

    async function saveDraft(button) {
      clearFieldErrors();
      showMessage(error, '');
      try {
        const saved = await withBusy(button, t('common.saving'), () => rostersApi.saveDraft(team.id, rotations));
        roster = { ...roster, draft: saved };
        dirty = false;
        return true;
      } catch (err) {
        if (err.status === 400 && err.fields) {
          const { first, leftover } = showFieldErrors(err.fields);
          showMessage(error, [t('roster.err.see_fields'), ...leftover].join(' '));
          if (first) root.querySelector('[aria-invalid="true"]')?.focus();
        } else {
          showMessage(error, errorText(err));
        }
        return false;
      }
    }

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (await saveDraft(save)) {
        showMessage(status, t('roster.saved'));
        onSaved?.();
      }
    });

    async function doPublish(button, confirm) {
      showMessage(error, '');
      try {
        await withBusy(button, t('roster.publishing'), () => rostersApi.publishRoster(team.id, confirm));
        roster = await rostersApi.roster(team.id);
        rotations = [];
        render();
        const done = root.querySelector('#published-heading');
        done?.setAttribute('tabindex', '-1');
        done?.focus();
        root.prepend(h('p', { class: 'message message-status', role: 'status', 'data-testid': 'published-notice' }, t('roster.published_ok')));
        onChanged?.();
      } catch (err) {
        if (err.status === 409 && err.code === 'uncovered_hours') {
          showUncovered(err.fields || []);
        } else {
          showMessage(error, errorText(err));
        }
      }
    }

    function showUncovered(fields) {
      const byPatient = new Map();
      for (const item of fields) {
        const pid = Number((item.loc || [])[1]);
        const [s, e] = String(item.message || '').split('/');
        if (!byPatient.has(pid)) byPatient.set(pid, []);
        byPatient.get(pid).push(periodText(s, e));
      }
      const { box, focus } = confirmStep({
        question: t('roster.uncovered_question'),
        confirmLabel: t('roster.publish_anyway'),
        onConfirm: (button) => doPublish(button, true),
        onCancel: () => {
          confirmArea.replaceChildren();
          publish.focus();
        },
      });
      box.prepend(
        h('h4', null, t('roster.uncovered_title')),
        h('p', null, t('roster.uncovered_intro')),
        h(
          'ul',
          { class: 'cov-gaps', 'data-testid': 'uncovered-list' },
          [...byPatient.entries()].map(([pid, periods]) => h('li', null, h('strong', null, patients.get(pid) || t('roster.unknown_patient', { id: pid })), ': ', listText(periods))),
        ),
      );
      confirmArea.replaceChildren(box);
      focus();
    }

    publish.addEventListener('click', async () => {
      confirmArea.replaceChildren();
      if (dirty && !(await saveDraft(publish))) return;
      await doPublish(publish, false);
    });

    discard.addEventListener('click', () => {
      const { box, focus } = confirmStep({
        question: t('roster.discard_question'),
        confirmLabel: t('roster.discard_confirm'),
        onConfirm: async (button) => {
          try {
            await withBusy(button, t('common.saving'), () => rostersApi.discardDraft(team.id));
            roster = { ...roster, draft: null };
            rotations = [];
            dirty = false;
            render();
            root.prepend(h('p', { class: 'message message-status', role: 'status' }, t('roster.discarded')));
          } catch (err) {
            showMessage(error, errorText(err));
          }
        },
        onCancel: () => {
          confirmArea.replaceChildren();
          discard.focus();
        },
      });
      confirmArea.replaceChildren(box);
      focus();
    });
    return form;
  }

  function rotationItem(r, i) {
    const p = `rot-${i}`;
    const path = `rotations.${i}`;
    const input = (key, attrs, slotPath) => {
      const id = `${p}-${key}`;
      const slot = errorSlot(slotPath);
      slot.dataset.for = id;
      const el = h('input', { id, 'aria-describedby': slot.id, ...attrs });
      return { el, slot, id };
    };
    const name = input('name', { type: 'text', value: r.name, maxlength: 80, autocomplete: 'off', required: true }, `${path}.name`);
    name.el.addEventListener('input', () => {
      r.name = name.el.value;
      markDirty();
    });
    const tz = input('tz', { type: 'text', value: r.timezone, maxlength: 64, spellcheck: 'false', autocapitalize: 'none', list: 'roster-zones' }, `${path}.timezone`);
    tz.el.addEventListener('input', () => {
      r.timezone = tz.el.value.trim();
      markDirty();
    });
    const date = input('start', { type: 'date', value: r.start_date, required: true, class: 'input-date' }, `${path}.start_date`);
    date.el.addEventListener('input', () => {
      r.start_date = date.el.value;
      markDirty();
    });

    // Turn length: daily, weekly, every n weeks (or, for an existing roster, every n days).
    const mode = turnMode(r.period_days);
    const turnId = `${p}-turn`;
    const turnSlot = errorSlot(`${path}.period_days`);
    turnSlot.dataset.for = turnId;
    const turn = h(
      'select',
      { id: turnId, 'aria-describedby': turnSlot.id },
      ['daily', 'weekly', 'weeks', ...(mode === 'days' ? ['days'] : [])].map((m) => h('option', { value: m, selected: m === mode }, t(`roster.turn_option.${m}`))),
    );
    const nId = `${p}-n`;
    const n = h('input', { id: nId, type: 'number', min: mode === 'days' ? '1' : '2', max: mode === 'days' ? '84' : '12', step: '1', inputmode: 'numeric', class: 'input-short', value: String(mode === 'days' ? r.period_days : Math.max(2, r.period_days / 7)) });
    const nWrap = h('div', { class: 'field', hidden: mode === 'daily' || mode === 'weekly' }, h('label', { for: nId }, mode === 'days' ? t('roster.turn_days') : t('roster.turn_weeks')), n);
    const applyTurn = () => {
      const m = turn.value;
      const count = Math.round(Number(n.value)) || 2;
      r.period_days = m === 'daily' ? 1 : m === 'weekly' ? 7 : m === 'weeks' ? count * 7 : count;
      nWrap.hidden = m === 'daily' || m === 'weekly';
      nWrap.querySelector('label').textContent = m === 'days' ? t('roster.turn_days') : t('roster.turn_weeks');
      markDirty();
    };
    turn.addEventListener('change', applyTurn);
    n.addEventListener('input', applyTurn);

    const remove = h('button', { type: 'button', class: 'button-secondary' }, t('roster.remove_rotation'), h('span', { class: 'visually-hidden' }, ` – ${r.name || t('roster.rotation_n', { n: i + 1 })}`));
    remove.addEventListener('click', () => {
      rotations.splice(i, 1);
      markDirty();
      render();
      root.querySelector('#draft-heading')?.focus();
    });

    return h(
      'li',
      { class: 'rotation', 'data-testid': 'rotation' },
      h(
        'fieldset',
        null,
        h('legend', null, r.name || t('roster.rotation_n', { n: i + 1 })),
        errorSlot(path),
        h('div', { class: 'rot-grid' },
          h('div', { class: 'field' }, h('label', { for: name.id }, t('roster.rotation_name')), h('p', { class: 'hint' }, t('roster.rotation_name_hint')), name.el, name.slot),
          h('div', { class: 'field' }, h('label', { for: date.id }, t('roster.start_date')), h('p', { class: 'hint' }, t('roster.start_date_hint')), date.el, date.slot),
          h('div', { class: 'field' }, h('label', { for: turnId }, t('roster.turn_length')), h('p', { class: 'hint' }, t('roster.turn_hint')), turn, turnSlot),
          nWrap,
          h('div', { class: 'field' }, h('label', { for: tz.id }, t('roster.timezone')), h('p', { class: 'hint' }, t('roster.timezone_hint')), tz.el, tz.slot),
        ),
        membersPicker(r, i),
        shiftsEditor(r, i),
        h('div', { class: 'actions' }, remove),
      ),
    );
  }

  function membersPicker(r, i) {
    const path = `rotations.${i}.member_ids`;
    const slot = errorSlot(path);
    const selectId = `rot-${i}-add-member`;
    slot.dataset.for = selectId;
    const ordered = h(
      'ol',
      { class: 'member-order' },
      r.member_ids.map((uid, pos) => {
        const who = memberName(uid);
        const move = (delta) => {
          const target = pos + delta;
          [r.member_ids[pos], r.member_ids[target]] = [r.member_ids[target], r.member_ids[pos]];
          markDirty();
          render();
          root.querySelector(`[data-member-move="${i}-${target}-${delta < 0 ? 'up' : 'down'}"]`)?.focus();
        };
        return h(
          'li',
          { class: 'member-row' },
          h('span', { class: 'member-name' }, who),
          h(
            'span',
            { class: 'member-actions' },
            h('button', { type: 'button', class: 'button-secondary button-small', disabled: pos === 0, 'data-member-move': `${i}-${pos}-up`, onclick: () => move(-1) }, h('span', { 'aria-hidden': 'true' }, '↑'), h('span', { class: 'visually-hidden' }, t('roster.move_up', { name: who }))),
            h('button', { type: 'button', class: 'button-secondary button-small', disabled: pos === r.member_ids.length - 1, 'data-member-move': `${i}-${pos}-down`, onclick: () => move(1) }, h('span', { 'aria-hidden': 'true' }, '↓'), h('span', { class: 'visually-hidden' }, t('roster.move_down', { name: who }))),
            h(
              'button',
              {
                type: 'button',
                class: 'button-secondary button-small',
                onclick: () => {
                  r.member_ids.splice(pos, 1);
                  markDirty();
                  render();
                  root.querySelector(`#${selectId}`)?.focus();
                },
              },
              t('roster.remove_member'),
              h('span', { class: 'visually-hidden' }, ` ${who}`),
            ),
          ),
        );
      }),
    );
    const available = team.members.filter((m) => !r.member_ids.includes(m.id));
    const select = h('select', { id: selectId, 'aria-describedby': slot.id }, available.map((m) => h('option', { value: String(m.id) }, m.display_name)));
    const addBtn = h('button', { type: 'button', class: 'button-secondary' }, t('roster.add_member'));
    addBtn.addEventListener('click', () => {
      if (!select.value) return;
      r.member_ids.push(Number(select.value));
      markDirty();
      render();
      root.querySelector(`#${selectId}`)?.focus();
    });
    return h(
      'fieldset',
      { class: 'members-fieldset' },
      h('legend', null, t('roster.members')),
      h('p', { class: 'hint' }, t('roster.members_hint')),
      r.member_ids.length ? ordered : h('p', { class: 'muted' }, t('roster.no_members_yet')),
      team.members.length
        ? available.length
          ? h('div', { class: 'add-row' }, h('div', { class: 'field' }, h('label', { for: selectId }, t('roster.choose_member')), select), addBtn)
          : null
        : h('p', { class: 'panel' }, t('roster.team_has_no_members')),
      slot,
    );
  }

  function shiftsEditor(r, i) {
    const path = `rotations.${i}.shifts`;
    const rows = r.shifts.map((s, j) => shiftRow(r, s, i, j));
    const add = h('button', { type: 'button', class: 'button-secondary' }, t('roster.add_shift'));
    add.addEventListener('click', () => {
      if (r.shifts.length >= MAX_SHIFTS) return;
      r.shifts.push(newShift());
      markDirty();
      render();
      root.querySelector(`#rot-${i}-shift-${r.shifts.length - 1}-start`)?.focus();
    });
    return h(
      'fieldset',
      { class: 'shifts-fieldset' },
      h('legend', null, t('roster.shifts')),
      h('p', { class: 'hint' }, t('roster.shifts_hint')),
      h('ol', { class: 'shift-list' }, rows),
      errorSlot(path),
      h('div', { class: 'actions' }, add),
    );
  }

  function shiftRow(r, s, i, j) {
    const p = `rot-${i}-shift-${j}`;
    const path = `rotations.${i}.shifts.${j}`;
    const rowSlot = errorSlot(path);
    const daysSlot = errorSlot(`${path}.weekdays`);
    const startSlot = errorSlot(`${path}.start`);
    const endSlot = errorSlot(`${path}.end`);
    rowSlot.dataset.for = `${p}-end`;
    startSlot.dataset.for = `${p}-start`;
    endSlot.dataset.for = `${p}-end`;
    const dayBoxes = DAYS.map((d) => {
      const id = `${p}-day-${d}`;
      const box = h('input', { type: 'checkbox', id, checked: s.weekdays.includes(d) });
      box.addEventListener('change', () => {
        s.weekdays = DAYS.filter((x) => (x === d ? box.checked : s.weekdays.includes(x)));
        markDirty();
      });
      return h('span', { class: 'day-check' }, box, h('label', { for: id }, h('span', { 'aria-hidden': 'true' }, t(`roster.weekday_short.${d}`)), h('span', { class: 'visually-hidden' }, t(`roster.weekday_long.${d}`))));
    });
    const hint = h('p', { class: 'hint shift-hint', 'aria-live': 'polite' });
    const start = h('input', { type: 'time', id: `${p}-start`, value: s.start, required: true, step: '60', 'aria-describedby': startSlot.id });
    const end = h('input', { type: 'time', id: `${p}-end`, value: s.end, required: true, step: '60', 'aria-describedby': `${endSlot.id} ${rowSlot.id} ${p}-hint` });
    hint.id = `${p}-hint`;
    const nextDay = h('input', { type: 'checkbox', id: `${p}-next`, checked: s.ends_next_day, 'aria-describedby': `${p}-hint` });
    const updateHint = () => {
      if (s.ends_next_day) hint.textContent = t('roster.night_hint', { start: s.start || '…', end: s.end || '…' });
      else if (s.start && s.end && s.end <= s.start) hint.textContent = t('roster.maybe_next_day');
      else hint.textContent = '';
    };
    start.addEventListener('input', () => {
      s.start = start.value;
      updateHint();
      markDirty();
    });
    end.addEventListener('input', () => {
      s.end = end.value;
      updateHint();
      markDirty();
    });
    nextDay.addEventListener('change', () => {
      s.ends_next_day = nextDay.checked;
      updateHint();
      markDirty();
    });
    updateHint();
    const remove = h('button', { type: 'button', class: 'button-secondary', disabled: r.shifts.length === 1 }, t('roster.remove_shift'), h('span', { class: 'visually-hidden' }, ` ${j + 1}`));
    remove.addEventListener('click', () => {
      r.shifts.splice(j, 1);
      markDirty();
      render();
      root.querySelector(`#rot-${i}-shift-${Math.max(0, j - 1)}-start`)?.focus();
    });
    return h(
      'li',
      { class: 'shift-row', 'data-testid': 'shift' },
      h('fieldset', { class: 'days' }, h('legend', null, t('roster.shift_days', { n: j + 1 })), h('div', { class: 'day-checks' }, dayBoxes), daysSlot),
      h(
        'div',
        { class: 'shift-times' },
        h('div', { class: 'field' }, h('label', { for: start.id }, t('roster.shift_start')), start, startSlot),
        h('div', { class: 'field' }, h('label', { for: end.id }, t('roster.shift_end')), end, endSlot),
        h('div', { class: 'check' }, nextDay, h('label', { for: nextDay.id }, t('roster.ends_next_day'))),
      ),
      hint,
      rowSlot,
      h('div', { class: 'actions' }, remove),
    );
  }

  const zones = h('datalist', { id: 'roster-zones' }, ['Europe/Oslo', 'Europe/Stockholm', 'Europe/Copenhagen', 'Europe/Helsinki', 'Europe/London', 'UTC'].map((z) => h('option', { value: z })));

  return {
    node: h('div', null, zones, root),
    start(today) {
      todayKey = today;
      rotations = fromVersion(roster.draft);
      render();
    },
    hasUnsaved: () => dirty,
  };
}
