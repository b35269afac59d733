// Administrators: coverage week grid per patient and per team (#/admin/dekning),
// also used on a team's roster page to preview its draft.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as rostersApi from './api.js';
import { teamKind } from '../format.js';
import { loadFailed, loading } from '../ui.js';
import { nightGapLine, nightGapList } from '../alerts/night-gaps.js';
import { addDays, clockTime, dayKey, dayName, isoWeek, listText, mondayOf, osloParts, periodText } from './roster-time.js';
import { nightByNight } from './coverage-month.js';

const PATIENT_STATES = ['c', 'f', 'g'];
const TEAM_STATES = ['c', 'p', '-'];
const STATE_CLASS = { c: 'cov-c', f: 'cov-f', g: 'cov-g', p: 'cov-p', '-': 'cov-none' };

/** Evening and night: 16:00 to 08:00 local time. */
function isEvening(hour) {
  return hour >= 16 || hour < 8;
}

function stateText(kind, letter) {
  return t(`roster.coverage.${kind}_state.${letter === '-' ? 'none' : letter}`);
}

/** Group the hour instants into Oslo days: [{key, slots: [{index, at, hour, label}]}]. */
function daysOf(hours) {
  const days = [];
  hours.forEach((iso, index) => {
    const p = osloParts(iso);
    let day = days[days.length - 1];
    if (!day || day.key !== p.key) {
      day = { key: p.key, slots: [] };
      days.push(day);
    }
    const repeated = day.slots.some((s) => s.hour === p.hour);
    const label = `${String(p.hour).padStart(2, '0')}:00${repeated ? ` (${t('roster.coverage.repeated_hour')})` : ''}`;
    day.slots.push({ index, at: iso, hour: p.hour, label });
  });
  return days;
}

/** "08:00–22:00 dekket; 00:00–08:00 og 22:00–24:00 bare senere trinn" for one day of a grid. */
function daySummary(kind, grid, day, hours) {
  const runs = [];
  for (const slot of day.slots) {
    const letter = grid[slot.index];
    const last = runs[runs.length - 1];
    if (last && last.letter === letter) last.end = slot.index;
    else runs.push({ letter, start: slot.index, end: slot.index });
  }
  const byState = new Map();
  for (const run of runs) {
    const from = clockTime(hours[run.start]);
    const next = hours[run.end + 1];
    const to = next && dayKey(next) === day.key ? clockTime(next) : '24:00';
    if (!byState.has(run.letter)) byState.set(run.letter, []);
    byState.get(run.letter).push(`${from}–${to}`);
  }
  return [...byState.entries()].map(([letter, spans]) => `${stateText(kind, letter)}: ${listText(spans)}`).join('. ');
}

function strip(kind, grid, day, hours, subject) {
  const named = `${subject}, ${dayName(day.key)}`;
  const cells = day.slots.map((slot) => {
    const letter = grid[slot.index] || '-';
    return h('span', {
      class: ['cov-cell', STATE_CLASS[letter], isEvening(slot.hour) && 'is-evening'],
      'data-day': day.key,
      'data-hour': String(slot.hour),
      'data-state': letter,
      title: `${named} ${slot.label}: ${stateText(kind, letter)}`,
    });
  });
  return h(
    'td',
    { class: 'cov-day', 'data-date': day.key },
    h('span', { class: 'cov-strip', 'aria-hidden': 'true' }, cells),
    h('span', { class: 'visually-hidden' }, daySummary(kind, grid, day, hours)),
  );
}

function weekdayShort(key) {
  return dayName(key, { short: true });
}

function gridTable({ kind, caption, rows, days, hours, testid }) {
  return h(
    'div',
    { class: 'cov-scroll', role: 'region', 'aria-label': caption, tabindex: '0' },
    h(
      'table',
      { class: 'cov-table', 'data-testid': testid },
      h('caption', { class: 'visually-hidden' }, caption),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col', class: 'cov-name' }, kind === 'patient' ? t('roster.coverage.patient') : t('roster.coverage.team')),
          days.map((day) =>
            h(
              'th',
              { scope: 'col', class: 'cov-dayhead' },
              h('span', { class: 'cov-dayname' }, weekdayShort(day.key)),
              h('span', { class: 'cov-scale', 'aria-hidden': 'true' }, h('span', null, '0'), h('span', null, '12'), h('span', null, '24')),
            ),
          ),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map((row) =>
          h(
            'tr',
            { dataset: row.dataset },
            h('th', { scope: 'row', class: 'cov-name' }, row.name, row.sub ? h('span', { class: 'cov-sub' }, row.sub) : null),
            days.map((day) => strip(kind, row.grid, day, hours, row.name)),
          ),
        ),
      ),
    ),
  );
}

function legend(kind) {
  const states = kind === 'patient' ? PATIENT_STATES : TEAM_STATES;
  return h(
    'ul',
    { class: 'cov-legend' },
    states.map((letter) =>
      h('li', null, h('span', { class: ['cov-swatch', STATE_CLASS[letter]], 'aria-hidden': 'true' }), stateText(kind, letter)),
    ),
    h('li', null, h('span', { class: 'cov-swatch cov-c is-evening', 'aria-hidden': 'true' }), t('roster.coverage.evening_legend')),
  );
}

/** Patients with the same intervals (or night gap lines) are listed together. */
function groupedIntervals(patients, pick) {
  const groups = new Map();
  for (const patient of patients) {
    const intervals = pick(patient);
    if (!intervals.length) continue;
    const sig = JSON.stringify(intervals);
    if (!groups.has(sig)) groups.set(sig, { names: [], intervals });
    groups.get(sig).names.push(patient.display_name);
  }
  return [...groups.values()];
}

function intervalList(groups, sentenceKey, testid) {
  return h(
    'ul',
    { class: 'cov-gaps', 'data-testid': testid },
    groups.flatMap((group) =>
      group.intervals.map((i) => h('li', null, t(sentenceKey, { names: listText(group.names), period: periodText(i.starts_at, i.ends_at) }))),
    ),
  );
}

function report(data, { headingLevel }) {
  const hours = data.hours;
  const days = daysOf(hours);
  const hx = `h${headingLevel}`;
  const patientRows = data.patients.map((p) => ({ name: p.display_name, grid: p.grid, dataset: { patient: String(p.patient_id) } }));
  const teamRows = data.teams.map((row) => ({ name: row.team.name, sub: teamKind(row.team.kind), grid: row.grid, dataset: { team: String(row.team.id) } }));
  const gapGroups = groupedIntervals(data.patients, (p) => p.night_gaps);
  const fallbackGroups = groupedIntervals(data.patients, (p) => p.fallbacks);
  const hoursShort = hours.length !== 24 * days.length ? h('p', { class: 'hint' }, t('roster.coverage.dst_note', { count: hours.length })) : null;
  return h(
    'div',
    { class: 'cov-report' },
    hoursShort,
    h(hx, null, t('roster.coverage.patients_heading')),
    legend('patient'),
    patientRows.length ? gridTable({ kind: 'patient', caption: t('roster.coverage.patients_heading'), rows: patientRows, days, hours, testid: 'coverage-patients' }) : h('p', { class: 'panel' }, t('patients.none')),
    h(hx, null, t('roster.coverage.night_gaps_heading')),
    gapGroups.length
      ? h(
          'ul',
          { class: 'cov-gaps panel panel-problem', 'data-testid': 'coverage-gaps' },
          gapGroups.map((group) => h('li', null, t('roster.coverage.night_gap_sentence', { names: listText(group.names), lines: group.intervals.map(nightGapLine).join('; ') }))),
        )
      : h('p', { class: 'panel', 'data-testid': 'coverage-gaps' }, t('roster.coverage.no_night_gaps')),
    fallbackGroups.length
      ? h(
          'details',
          { class: 'cov-details' },
          h('summary', null, t('roster.coverage.fallbacks_heading', { count: fallbackGroups.reduce((n, g) => n + g.intervals.length, 0) })),
          h('p', { class: 'hint' }, t('roster.coverage.fallbacks_intro')),
          intervalList(fallbackGroups, 'roster.coverage.fallback_sentence', 'coverage-fallbacks'),
        )
      : null,
    h(hx, null, t('roster.coverage.teams_heading')),
    legend('team'),
    gridTable({ kind: 'team', caption: t('roster.coverage.teams_heading'), rows: teamRows, days, hours, testid: 'coverage-teams' }),
  );
}

/**
 * A coverage report with week navigation. teamId: preview that team's draft.
 * Returns {node, reload, show}; show(dayKey) shows the week that day is in.
 */
export function coverageReport({ teamId = null, headingLevel = 3 } = {}) {
  let start = null; // Monday of the shown week; null = this week on the server's clock
  const title = h('p', { class: 'cov-week', 'aria-live': 'polite' });
  const body = h('div', null, loading());
  const prev = h('button', { type: 'button', class: 'button-secondary' }, t('roster.coverage.prev_week'));
  const next = h('button', { type: 'button', class: 'button-secondary' }, t('roster.coverage.next_week'));
  const now = h('button', { type: 'button', class: 'button-secondary' }, t('roster.coverage.this_week'));
  async function load() {
    prev.disabled = next.disabled = now.disabled = true;
    try {
      let data;
      if (start === null) {
        // The server's "today" (its clock may differ from this device's).
        const today = await rostersApi.coverage({ days: 1, team_id: teamId });
        start = mondayOf(dayKey(today.starts_at));
      }
      data = await rostersApi.coverage({ start, days: 7, team_id: teamId });
      title.textContent = t('roster.coverage.week_title', { week: isoWeek(start), from: dayName(start), to: dayName(addDays(start, 6), { year: true }) });
      body.replaceChildren(report(data, { headingLevel }));
    } catch (err) {
      if (err.code === 'unauthorized') throw err;
      body.replaceChildren(loadFailed(err, load));
    } finally {
      prev.disabled = next.disabled = now.disabled = false;
    }
  }
  prev.addEventListener('click', () => {
    start = addDays(start, -7);
    load();
  });
  next.addEventListener('click', () => {
    start = addDays(start, 7);
    load();
  });
  now.addEventListener('click', () => {
    start = null;
    load();
  });
  const node = h('div', { class: 'coverage', 'data-testid': teamId ? 'draft-coverage' : 'coverage' }, h('div', { class: 'cov-nav' }, title, h('div', { class: 'actions' }, prev, now, next)), body);
  const show = (day) => {
    start = day ? mondayOf(day) : null;
    return load();
  };
  return { node, reload: load, show };
}

/** Each patient's uncovered evenings and nights of the coming four weeks, a few lines each. */
async function nightSummary() {
  const section = h('section', { class: 'section', 'aria-labelledby': 'night-gaps-heading', 'data-testid': 'night-summary' }, h('h2', { id: 'night-gaps-heading' }, t('night_gaps.title')), h('p', null, t('night_gaps.intro')));
  let patients;
  try {
    patients = await rostersApi.coverageNights();
  } catch (err) {
    if (err.code === 'unauthorized') throw err;
    section.append(loadFailed(err, () => nightSummary().then((fresh) => section.replaceWith(fresh))));
    return section;
  }
  const uncovered = patients.filter((p) => p.gaps.length);
  section.append(
    uncovered.length
      ? h(
          'ul',
          { class: 'night-gap-patients panel panel-problem' },
          uncovered.map((p) => h('li', { 'data-testid': 'night-gap-patient', dataset: { patient: String(p.patient_id) } }, h('strong', null, p.display_name), nightGapList(p.gaps))),
        )
      : h('p', { class: 'panel' }, t('night_gaps.none')),
  );
  return section;
}

/**
 * The link to every time a patient was alone (#/admin/alene). That screen's
 * module is not imported for it: its imports would sit in the chain of
 * modules fetched one after the other before this screen asks for its data.
 */
function gapsLink() {
  return h('p', null, h('a', { href: '#/admin/alene', 'data-testid': 'gaps-link' }, t('alerts.gaps.coverage_link')));
}

export default async function adminCoverage() {
  const week = coverageReport({ headingLevel: 3 });
  const month = nightByNight({ onGoTo: (day) => week.show(day) });
  const [summary, today] = await Promise.all([nightSummary(), month.load(null)]);
  // The week of the server's today, drawn after the month, in a task of its own
  // (an ended session has already been handled by api()).
  week.show(today).catch(() => {});
  return h(
    'div',
    { class: 'admin-section' },
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'coverage-month-heading' },
      h('h2', { id: 'coverage-month-heading' }, t('roster.coverage.month.heading')),
      h('p', null, t('roster.coverage.month.intro')),
      month.node,
    ),
    summary,
    h('section', { class: 'section', 'aria-labelledby': 'coverage-heading' }, h('h2', { id: 'coverage-heading' }, t('roster.coverage.title')), h('p', null, t('roster.coverage.intro')), gapsLink(), week.node),
  );
}
