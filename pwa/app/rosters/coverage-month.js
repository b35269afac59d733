// Administrators: night by night for a month (#/admin/dekning), one row per
// night (16:00–08:00) and one column per team, tier by tier, with a last column
// for whether every patient had someone on duty. "Gå til dato" shows a date's
// month and asks the week detail to show that date's week.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as rostersApi from './api.js';
import { teamKind } from '../format.js';
import { loadFailed, loading, messageArea, showMessage } from '../ui.js';
import { addDays, dayName, monthName } from './roster-time.js';

const NIGHT_MINUTES = 16 * 60;

function duration(minutes) {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (!hours) return t('roster.coverage.month.minutes', { minutes: rest });
  if (!rest) return t('roster.coverage.month.hours', { hours });
  return t('roster.coverage.month.hours_minutes', { hours, minutes: rest });
}

/** A cell that says covered or gap in words; the colour only repeats it. */
function stateCell(gapMinutes, gapText, column) {
  const covered = gapMinutes === 0;
  return h(
    'td',
    { class: ['night-cell', covered ? 'night-ok' : 'night-gap'], 'data-state': covered ? 'covered' : 'gap', 'data-column': column },
    h('span', { class: 'night-mark', 'aria-hidden': 'true' }, covered ? '✓' : '!'),
    covered ? t('roster.coverage.month.covered') : gapText,
  );
}

function nightRow(night, teamIds, picked) {
  const byTeam = new Map(night.teams.map((cell) => [cell.team_id, cell]));
  const longer = night.minutes !== NIGHT_MINUTES;
  return h(
    'tr',
    {
      'data-evening': night.evening,
      class: night.evening === picked ? 'is-picked' : null,
      'aria-current': night.evening === picked ? 'date' : null,
    },
    h(
      'th',
      { scope: 'row', class: 'night-name' },
      dayName(night.evening),
      longer ? h('span', { class: 'cov-sub' }, t('roster.coverage.month.night_hours', { hours: night.minutes / 60 })) : null,
    ),
    teamIds.map((id) => {
      const cell = byTeam.get(id);
      return stateCell(cell.gap_minutes, t('roster.coverage.month.gap', { duration: duration(cell.gap_minutes) }), `team-${id}`);
    }),
    stateCell(night.gap_minutes, t('roster.coverage.month.patients_gap', { count: night.patients_uncovered, duration: duration(night.gap_minutes) }), 'patients'),
  );
}

function monthTable(data, picked) {
  const month = monthName(data.first_evening);
  const teamIds = data.teams.map((team) => team.id);
  return h(
    'div',
    { class: 'cov-scroll', role: 'region', 'aria-label': t('roster.coverage.month.caption', { month }), tabindex: '0' },
    h(
      'table',
      { class: 'night-table', 'data-testid': 'coverage-month' },
      h('caption', null, t('roster.coverage.month.caption', { month })),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, t('roster.coverage.month.night')),
          data.teams.map((team) => h('th', { scope: 'col', 'data-team': String(team.id) }, team.name, h('span', { class: 'cov-sub' }, teamKind(team.kind)))),
          h('th', { scope: 'col' }, t('roster.coverage.month.patients')),
        ),
      ),
      h('tbody', null, data.nights.map((night) => nightRow(night, teamIds, picked))),
    ),
  );
}

function firstOfMonth(key) {
  return `${key.slice(0, 7)}-01`;
}

function lastOfMonth(key) {
  return addDays(firstOfMonth(addDays(firstOfMonth(key), 31)), -1);
}

/**
 * The month of nights with its navigation. onGoTo(dayKey) is told the date
 * the administrator jumps to. Returns {node, load} where load(dayKey | null)
 * shows that day's month (null: this month on the server's clock) and
 * resolves to the server's today.
 */
export function nightByNight({ onGoTo }) {
  let shown = null; // first day of the month shown
  let today = null;
  let picked = null;
  let loads = 0; // only the latest of quick clicks is drawn
  const status = h('p', { class: 'cov-week', 'aria-live': 'polite', 'data-testid': 'coverage-month-title' });
  const body = h('div', null, loading());
  const step = (by) => (by === 0 || !shown ? null : addDays(by < 0 ? shown : lastOfMonth(shown), by));
  const button = (key, by) => h('button', { type: 'button', class: 'button-secondary', onclick: () => load(step(by)) }, t(key));
  const buttons = [button('roster.coverage.month.prev', -1), button('roster.coverage.month.this', 0), button('roster.coverage.month.next', 1)];
  const dateInput = h('input', { type: 'date', id: 'coverage-goto', name: 'coverage-goto', required: true, 'aria-describedby': 'coverage-goto-error' });
  const problem = messageArea();
  problem.id = 'coverage-goto-error';
  showMessage(problem, '');
  const goTo = h(
    'form',
    { class: 'cov-goto', 'data-testid': 'coverage-goto', novalidate: true },
    h('label', { for: 'coverage-goto' }, t('roster.coverage.month.goto_label')),
    dateInput,
    h('button', { type: 'submit', class: 'button-secondary' }, t('roster.coverage.month.goto')),
    problem,
  );
  goTo.addEventListener('submit', (event) => {
    event.preventDefault();
    const day = dateInput.value;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) {
      showMessage(problem, t('roster.coverage.month.goto_invalid'));
      dateInput.setAttribute('aria-invalid', 'true');
      dateInput.focus();
      return;
    }
    showMessage(problem, '');
    dateInput.removeAttribute('aria-invalid');
    picked = day;
    load(day);
    onGoTo(day);
  });

  async function load(day) {
    const mine = ++loads;
    buttons.forEach((b) => (b.disabled = true));
    try {
      const range = day ? { from: firstOfMonth(day), to: lastOfMonth(day) } : {};
      const data = await rostersApi.coverageByNight(range);
      if (mine !== loads) return today;
      shown = data.first_evening;
      today = data.today;
      status.textContent = t('roster.coverage.month.title', { month: monthName(shown) });
      const fragment = document.createDocumentFragment();
      fragment.append(monthTable(data, picked));
      body.replaceChildren(fragment);
    } catch (err) {
      if (err.code === 'unauthorized') throw err;
      if (mine === loads) body.replaceChildren(loadFailed(err, () => load(day)));
    } finally {
      if (mine === loads) buttons.forEach((b) => (b.disabled = false));
    }
    return today;
  }

  const node = h(
    'div',
    { class: 'coverage-month', 'data-testid': 'coverage-nights' },
    h('div', { class: 'cov-nav' }, status, h('div', { class: 'actions' }, buttons)),
    goTo,
    body,
  );
  return { node, load };
}
