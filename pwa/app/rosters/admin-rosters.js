// Administrators: who is on duty now in every team, and each team's roster:
// the editor, overrides (sickness, swaps) and the coming four weeks
// (#/admin/vaktplan and #/admin/vaktplan/<team id>).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as circlesApi from '../care-circles/api.js';
import * as rostersApi from './api.js';
import { teamKind } from '../format.js';
import { backLink, confirmStep, errorText, loadFailed, messageArea, pickedEcho, selectField, showMessage, withBusy } from '../ui.js';
import { addDays, clockTime, dayKey, dayName, isoWeek, localInputValue, mondayOf, osloInstant, periodText } from './roster-time.js';
import { rosterEditor } from './roster-editor.js';
import { coverageReport } from './admin-coverage.js';
import { reachList } from '../alerts/alerts-ui.js';

const REFRESH_MS = 60_000;
const KINDS = ['replace', 'remove', 'add'];
const REASONS = ['sickness', 'leave', 'swap', 'holiday', 'other'];

/** "til 22:00", or "til tirsdag 08:00" when the shift ends another day. */
function untilText(endsAt, at) {
  return dayKey(endsAt) === dayKey(at) ? t('roster.on_duty.until', { time: clockTime(endsAt) }) : t('roster.on_duty.until_day', { day: dayName(endsAt), time: clockTime(endsAt) });
}

function dutyCard(entry) {
  const people = entry.on_duty;
  return h(
    'li',
    { class: ['duty-card', !people.length && 'duty-card-empty'], 'data-testid': 'on-duty-team', 'data-team': String(entry.team.id) },
    h('p', { class: 'item-title' }, entry.team.name, ' ', h('span', { class: 'badge' }, teamKind(entry.team.kind))),
    people.length
      ? h(
          'ul',
          { class: 'plain-list duty-people' },
          people.map((d) =>
            h(
              'li',
              { 'data-testid': 'on-duty-person' },
              h('span', { class: 'duty-name' }, d.display_name),
              ' ',
              h('span', { class: 'muted' }, untilText(d.shift_ends_at, entry.at)),
              d.replaces_name ? h('span', { class: 'badge badge-warm duty-replaces' }, t('roster.on_duty.replaces', { name: d.replaces_name })) : null,
              d.source === 'override' && !d.replaces_name ? h('span', { class: 'badge' }, t('roster.on_duty.extra')) : null,
            ),
          ),
        )
      : h('p', { class: 'duty-nobody' }, h('span', { class: 'duty-mark', 'aria-hidden': 'true' }, '!'), t('roster.on_duty.nobody')),
  );
}

/** "På vakt nå" for the given path (every team, or one), refreshed every minute. Returns {node, refresh}. */
export function onDutyNow({ teamId = null, headingLevel = 2 } = {}) {
  const list = h('ul', { class: 'duty-list' });
  const stamp = h('p', { class: 'muted duty-stamp' });
  const problem = h('div');
  let timer;
  let lastAt = null;
  const headingId = teamId ? `on-duty-${teamId}` : 'on-duty-all';
  const node = h('section', { class: 'section', 'aria-labelledby': headingId, 'data-testid': 'on-duty-now' }, h(`h${headingLevel}`, { id: headingId }, t('roster.on_duty.title')), stamp, problem, list);
  async function refresh() {
    try {
      const entries = teamId ? [await rostersApi.teamOnDuty(teamId)] : await rostersApi.onDuty();
      list.replaceChildren(...entries.map(dutyCard));
      lastAt = entries[0]?.at || lastAt || new Date().toISOString();
      stamp.textContent = t('roster.on_duty.updated', { time: clockTime(lastAt) });
      problem.replaceChildren();
      if (!entries.length) list.replaceChildren(h('li', { class: 'panel' }, t('teams.none')));
      return lastAt;
    } catch (err) {
      if (err.code === 'unauthorized') return null;
      problem.replaceChildren(loadFailed(err, refresh));
      return null;
    }
  }
  // Stops by itself once the screen is gone.
  timer = setInterval(() => {
    if (node.isConnected) refresh();
    else clearInterval(timer);
  }, REFRESH_MS);
  return { node, refresh };
}

async function overview() {
  const now = onDutyNow();
  let teams = [];
  const [, loaded] = await Promise.allSettled([now.refresh(), circlesApi.teams()]);
  if (loaded.status === 'fulfilled') teams = loaded.value;
  else if (loaded.reason?.code === 'unauthorized') throw loaded.reason;
  const order = ['bolig', 'kommune', 'dps'];
  teams.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || a.name.localeCompare(b.name));
  return h(
    'div',
    { class: 'admin-section' },
    now.node,
    reachList(),
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'rosters-heading' },
      h('h2', { id: 'rosters-heading' }, t('roster.teams_heading')),
      h('p', null, t('roster.teams_intro')),
      loaded.status === 'rejected'
        ? loadFailed(loaded.reason)
        : teams.length
          ? h(
              'ul',
              { class: 'items', 'data-testid': 'roster-teams' },
              teams.map((team) =>
                h(
                  'li',
                  { class: 'item' },
                  h('p', { class: 'item-title' }, team.name, ' ', h('span', { class: 'badge' }, teamKind(team.kind))),
                  h('p', { class: 'muted' }, team.members.length ? t('teams.members_list', { names: team.members.map((m) => m.display_name).join(', ') }) : t('teams.no_members')),
                  h('div', { class: 'actions' }, h('a', { class: 'button-link', href: `#/admin/vaktplan/${team.id}` }, t('roster.open_team'), h('span', { class: 'visually-hidden' }, ` – ${team.name}`))),
                ),
              ),
            )
          : h('p', { class: 'panel' }, t('teams.none')),
    ),
  );
}

function overrideErrorText(err) {
  if (err.code === 'overlapping_override') return t('roster.overrides.err_overlap');
  if (err.code === 'not_team_members') return t('roster.overrides.err_not_member');
  if (err.code === 'invalid_input') {
    const texts = new Set();
    for (const f of err.fields || []) {
      const where = (f.loc || [])[0] || String(f.message || '').replace(/^Value error, /, '').split(':')[0];
      if (f.type === 'too_long' || /92 days/.test(f.message)) texts.add(t('roster.overrides.err_too_long'));
      else if (where === 'ends_at' && f.type === 'before_start') texts.add(t('roster.overrides.err_order'));
      else if (where === 'starts_at' || where === 'ends_at') texts.add(t('roster.overrides.err_time'));
      else if (where === 'replaces_user_id') texts.add(t('roster.overrides.err_replaces'));
      else if (where === 'note') texts.add(t('roster.overrides.err_note'));
      else texts.add(t('roster.overrides.err_invalid'));
    }
    if (texts.size) return [...texts].join(' ');
  }
  return errorText(err);
}

function overrideSentence(o) {
  const who = o.kind === 'replace' ? t('roster.overrides.sentence_replace', { name: o.user_name, other: o.replaces_name || '' }) : t(`roster.overrides.sentence_${o.kind}`, { name: o.user_name });
  return who;
}

function overridesSection(team, todayKey, nowIso, onChanged) {
  const list = h('div');
  const notice = messageArea('status');
  const section = h('section', { class: 'section', 'aria-labelledby': 'overrides-heading', 'data-testid': 'overrides' });

  async function load() {
    try {
      const start = osloInstant(todayKey).toISOString();
      const rows = await rostersApi.overrides(team.id, { start, days: 28 });
      list.replaceChildren(
        rows.length
          ? h(
              'ul',
              { class: 'items override-list' },
              rows.map((o) => {
                const remove = h('button', { type: 'button', class: 'button-secondary', 'data-testid': 'remove-override' }, t('roster.overrides.remove'), h('span', { class: 'visually-hidden' }, ` – ${overrideSentence(o)}`));
                const slot = h('div');
                const err = messageArea('error');
                remove.addEventListener('click', () => {
                  const { box, focus } = confirmStep({
                    question: t('roster.overrides.remove_question', { what: overrideSentence(o) }),
                    confirmLabel: t('roster.overrides.remove_confirm'),
                    onConfirm: async (button) => {
                      try {
                        await withBusy(button, t('common.saving'), () => rostersApi.removeOverride(team.id, o.id));
                        showMessage(notice, t('roster.overrides.removed'));
                        await load();
                        onChanged();
                        section.querySelector('#overrides-heading')?.focus();
                      } catch (e) {
                        showMessage(err, errorText(e));
                      }
                    },
                    onCancel: () => {
                      slot.replaceChildren();
                      remove.focus();
                    },
                  });
                  slot.replaceChildren(box);
                  focus();
                });
                return h(
                  'li',
                  { class: 'item', 'data-testid': 'override-row' },
                  h('p', { class: 'item-title' }, overrideSentence(o)),
                  h('p', null, periodText(o.starts_at, o.ends_at)),
                  h('p', { class: 'badges' }, h('span', { class: 'badge badge-warm' }, t(`roster.reason.${o.reason}`))),
                  o.note ? h('p', { class: 'muted' }, o.note) : null,
                  h('div', { class: 'actions' }, remove),
                  slot,
                  err,
                );
              }),
            )
          : h('p', { class: 'panel' }, t('roster.overrides.none')),
      );
    } catch (err) {
      if (err.code === 'unauthorized') throw err;
      list.replaceChildren(loadFailed(err, load));
    }
  }

  // The form for a new override.
  const members = team.members.map((m) => ({ value: m.id, label: m.display_name }));
  const kind = selectField({ id: 'ov-kind', label: t('roster.overrides.kind'), options: KINDS.map((k) => ({ value: k, label: t(`roster.overrides.kind_${k}`) })), value: 'replace' });
  const user = selectField({ id: 'ov-user', label: t('roster.overrides.user_replace'), options: members, value: members[1]?.value ?? members[0]?.value });
  const replaces = selectField({ id: 'ov-replaces', label: t('roster.overrides.replaces'), options: members, value: members[0]?.value });
  const reason = selectField({ id: 'ov-reason', label: t('roster.overrides.reason'), options: REASONS.map((r) => ({ value: r, label: t(`roster.reason.${r}`) })), value: 'sickness' });
  const from = new Date(Math.floor(new Date(nowIso).getTime() / 3600000) * 3600000);
  const fromInput = h('input', { type: 'datetime-local', id: 'ov-from', required: true, step: '60', value: localInputValue(from), 'aria-describedby': 'ov-time-hint' });
  const toInput = h('input', { type: 'datetime-local', id: 'ov-to', required: true, step: '60', value: localInputValue(new Date(from.getTime() + 12 * 3600000)), 'aria-describedby': 'ov-time-hint' });
  const note = h('textarea', { id: 'ov-note', maxlength: 500, rows: 2 });
  const error = messageArea('error');
  const submit = h('button', { type: 'submit', class: 'button-primary', 'data-testid': 'add-override' }, t('roster.overrides.add'));
  const replacesWrap = replaces.wrap;
  const syncKind = () => {
    replacesWrap.hidden = kind.input.value !== 'replace';
    user.wrap.querySelector('label').textContent = t(`roster.overrides.user_${kind.input.value}`);
  };
  kind.input.addEventListener('change', syncKind);
  syncKind();
  const form = h(
    'form',
    { class: 'form inline-form override-form', id: 'override-form', novalidate: true },
    h('h3', null, t('roster.overrides.new_heading')),
    kind.wrap,
    h('div', { class: 'rot-grid' }, user.wrap, replacesWrap),
    h('p', { class: 'hint', id: 'ov-time-hint' }, t('roster.overrides.time_hint')),
    h('div', { class: 'rot-grid' }, h('div', { class: 'field' }, h('label', { for: 'ov-from' }, t('roster.overrides.from')), fromInput, pickedEcho(fromInput)), h('div', { class: 'field' }, h('label', { for: 'ov-to' }, t('roster.overrides.to')), toInput, pickedEcho(toInput))),
    reason.wrap,
    h('div', { class: 'field' }, h('label', { for: 'ov-note' }, t('roster.overrides.note')), h('p', { class: 'hint' }, t('roster.overrides.note_hint')), note),
    error,
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showMessage(error, '');
    if (!fromInput.value || !toInput.value) {
      showMessage(error, t('roster.overrides.err_time'));
      (fromInput.value ? toInput : fromInput).focus();
      return;
    }
    if (toInput.value <= fromInput.value) {
      showMessage(error, t('roster.overrides.err_order'));
      toInput.focus();
      return;
    }
    const body = {
      kind: kind.input.value,
      user_id: Number(user.input.value),
      replaces_user_id: kind.input.value === 'replace' ? Number(replaces.input.value) : null,
      starts_at: fromInput.value,
      ends_at: toInput.value,
      reason: reason.input.value,
      note: note.value.trim() || null,
    };
    if (body.replaces_user_id !== null && body.replaces_user_id === body.user_id) {
      showMessage(error, t('roster.overrides.err_replaces'));
      replaces.input.focus();
      return;
    }
    try {
      const created = await withBusy(submit, t('common.saving'), () => rostersApi.addOverride(team.id, body));
      note.value = '';
      showMessage(notice, t('roster.overrides.added', { what: overrideSentence(created), period: periodText(created.starts_at, created.ends_at) }));
      await load();
      onChanged();
    } catch (err) {
      showMessage(error, overrideErrorText(err));
    }
  });

  section.append(
    h('h2', { id: 'overrides-heading', tabindex: '-1' }, t('roster.overrides.title')),
    h('p', null, t('roster.overrides.intro')),
    notice,
    list,
    team.members.length ? form : h('p', { class: 'panel' }, t('roster.team_has_no_members')),
  );
  return { node: section, load };
}

function calendarSection(team, todayKey) {
  const body = h('div');
  async function load() {
    try {
      const start = osloInstant(todayKey);
      const spans = await rostersApi.teamShifts(team.id, { start: start.toISOString(), days: 28 });
      const byDay = new Map();
      for (const s of spans) {
        const key = dayKey(s.starts_at);
        if (!byDay.has(key)) byDay.set(key, []);
        byDay.get(key).push(s);
      }
      const weeks = [];
      for (let i = 0; i < 28; i += 1) {
        const key = addDays(todayKey, i);
        const monday = mondayOf(key);
        let week = weeks[weeks.length - 1];
        if (!week || week.monday !== monday) {
          week = { monday, days: [] };
          weeks.push(week);
        }
        week.days.push(key);
      }
      body.replaceChildren(
        ...weeks.map((week, wi) =>
          h(
            'details',
            { class: 'cal-week', open: wi === 0 },
            h('summary', null, t('roster.calendar.week', { week: isoWeek(week.monday), from: dayName(week.days[0]), to: dayName(week.days[week.days.length - 1]) })),
            h(
              'ol',
              { class: 'cal-days' },
              week.days.map((key) => {
                const items = byDay.get(key) || [];
                return h(
                  'li',
                  { class: 'cal-day', 'data-day': key },
                  h('p', { class: 'cal-dayname' }, dayName(key)),
                  items.length
                    ? h(
                        'ul',
                        { class: 'plain-list' },
                        items.map((s) => {
                          const crossesDay = dayKey(s.ends_at) !== key;
                          const continued = new Date(s.starts_at).getTime() === start.getTime();
                          return h(
                            'li',
                            { class: 'cal-shift' },
                            h('span', { class: 'cal-time' }, `${clockTime(s.starts_at)}–${clockTime(s.ends_at)}`, crossesDay ? ` ${t('roster.next_day_suffix')}` : ''),
                            ' ',
                            h('span', { class: 'cal-who' }, s.display_name),
                            continued ? h('span', { class: 'muted' }, ` (${t('roster.calendar.continued')})`) : null,
                          );
                        }),
                      )
                    : h('p', { class: 'cal-empty' }, h('span', { class: 'duty-mark', 'aria-hidden': 'true' }, '!'), t('roster.calendar.nobody')),
                );
              }),
            ),
          ),
        ),
      );
    } catch (err) {
      if (err.code === 'unauthorized') throw err;
      body.replaceChildren(loadFailed(err, load));
    }
  }
  const node = h('section', { class: 'section', 'aria-labelledby': 'calendar-heading', 'data-testid': 'roster-calendar' }, h('h2', { id: 'calendar-heading' }, t('roster.calendar.title')), h('p', null, t('roster.calendar.intro')), body);
  return { node, load };
}

async function teamPage(ctx, teamId) {
  const wrap = h('div', { class: 'admin-section', 'data-testid': 'team-roster' }, backLink('#/admin/vaktplan', t('roster.back')));
  let teams;
  let roster;
  let patients;
  let nowAt;
  const now = onDutyNow({ teamId, headingLevel: 2 });
  try {
    [teams, roster, patients, nowAt] = await Promise.all([circlesApi.teams(), rostersApi.roster(teamId), circlesApi.patients(), now.refresh()]);
  } catch (err) {
    if (err.code === 'unauthorized') throw err;
    wrap.append(loadFailed(err, ctx.retry));
    return wrap;
  }
  const team = teams.find((x) => x.id === teamId) || { ...roster.team, members: [] };
  const nowIso = nowAt || new Date().toISOString();
  const todayKey = dayKey(nowIso);
  const names = new Map(patients.map((p) => [p.id, p.display_name]));

  const calendar = calendarSection(team, todayKey);
  const preview = h('div', { class: 'draft-preview' });
  const afterChange = () => {
    now.refresh();
    calendar.load();
  };
  const overrides = overridesSection(team, todayKey, nowIso, afterChange);

  const showPreview = h('button', { type: 'button', class: 'button-secondary', 'data-testid': 'preview-coverage' }, t('roster.preview_coverage'));
  showPreview.addEventListener('click', async () => {
    const report = coverageReport({ teamId, headingLevel: 4 });
    preview.replaceChildren(h('h3', { tabindex: '-1', id: 'preview-heading' }, t('roster.preview_heading')), h('p', { class: 'hint' }, t('roster.preview_intro')), report.node);
    await report.reload();
    preview.querySelector('#preview-heading')?.focus();
  });
  const previewActions = h('div', { class: 'actions' }, showPreview);
  const syncPreview = (hasDraft) => {
    previewActions.hidden = !hasDraft;
    if (!hasDraft) preview.replaceChildren();
  };
  const inner = rosterEditor({
    team,
    roster,
    patients: names,
    onChanged: afterChange,
    onRender: syncPreview,
    onSaved: () => {
      if (preview.firstChild) showPreview.click();
    },
  });
  inner.start(todayKey);

  wrap.append(
    h('h2', { class: 'subject' }, t('roster.team_title', { name: team.name }), ' ', h('span', { class: 'badge' }, teamKind(team.kind))),
    now.node,
    h('section', { class: 'section', 'aria-labelledby': 'roster-heading' }, h('h2', { id: 'roster-heading' }, t('roster.roster_heading')), inner.node, previewActions, preview),
    overrides.node,
    calendar.node,
  );
  await Promise.all([overrides.load(), calendar.load()]);
  return wrap;
}

export default function adminRosters(ctx) {
  return ctx.params.teamId ? teamPage(ctx, Number(ctx.params.teamId)) : overview();
}
