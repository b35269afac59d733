// #/admin/resultater for administrators: is Nattlys helping? The server's
// outcome figures per month, for the whole municipality or one team, each as
// a line chart (uPlot) and a table with the same numbers; groups under five
// patients are hidden by the server and shown here as hidden, never guessed.
// The CSV download holds exactly the numbers of the tables.
import { h, clear } from '../dom.js';
import { t, locale } from '../i18n.js';
import * as outcomesApi from './api.js';
import { loadFailed } from '../ui.js';
import { loadUPlot, cssVar } from '../checkins/checkin-chart.js';

const PERCENT = new Set([
  'share_within_7_days',
  'share_chats_out_of_hours',
  'share_checkins_out_of_hours',
  'share_yellow',
  'share_red',
  'adherence',
]);
const NOK = new Set(['cost_avoided_nok_estimate', 'cost_of_admissions_nok_estimate']);

// Each figure: its measures in table order, and which of them the chart draws.
const FIGURES = [
  { figure: 'follow_up', measures: ['discharges', 'contact_within_7_days', 'waiting_under_7_days', 'share_within_7_days', 'days_to_contact_median', 'days_to_contact_p90'], chart: ['share_within_7_days'], baseline: true },
  { figure: 'activity', measures: ['chats', 'chats_out_of_hours', 'share_chats_out_of_hours', 'checkins', 'checkins_out_of_hours', 'share_checkins_out_of_hours'], chart: ['share_chats_out_of_hours', 'share_checkins_out_of_hours'] },
  { figure: 'by_hour', measures: ['chats', 'checkins'], chart: ['chats', 'checkins'], byHour: true },
  { figure: 'response', measures: ['answered', 'seconds_median', 'seconds_p90'], chart: ['seconds_median', 'seconds_p90'], byTier: true },
  { figure: 'escalation', measures: ['escalations', 'reached_last_resort', 'unanswered_chats', 'hours_nobody_on_duty'], chart: ['escalations', 'reached_last_resort', 'hours_nobody_on_duty'] },
  { figure: 'checkins', measures: ['checkins', 'share_yellow', 'share_red', 'scheduled', 'scheduled_done', 'adherence'], chart: ['adherence', 'share_yellow', 'share_red'] },
  { figure: 'nights', measures: ['nothing', 'legevakt', 'admission', 'police', 'cost_avoided_nok_estimate', 'cost_of_admissions_nok_estimate'], chart: ['nothing', 'legevakt', 'admission', 'police'] },
];
const COLOURS = ['--chart-line', '--level-red', '--level-yellow', '--level-green'];
const FALLBACK = ['#3b4a6b', '#b3262d', '#a86b00', '#23744a'];

function shown(measure, value) {
  if (value === null || value === undefined) return '–';
  const nf = (options) => new Intl.NumberFormat(locale(), options).format(value);
  if (PERCENT.has(measure)) return nf({ style: 'percent', maximumFractionDigits: 1 });
  if (NOK.has(measure)) return t('outcomes.nok', { amount: nf({ maximumFractionDigits: 0 }) });
  if (measure.startsWith('seconds_')) return t('outcomes.minutes', { minutes: new Intl.NumberFormat(locale(), { maximumFractionDigits: 1 }).format(value / 60) });
  return nf({ maximumFractionDigits: 1 });
}

function monthLabel(month) {
  const [year, m] = month.split('-').map(Number);
  return new Intl.DateTimeFormat(locale(), { month: 'short', year: '2-digit', timeZone: 'UTC' }).format(Date.UTC(year, m - 1, 1));
}

/** A line chart of `series` over the x labels; null when uPlot cannot load. */
async function chart({ labels, series, percent, label, baseline }) {
  let uPlot;
  try {
    uPlot = await loadUPlot();
  } catch {
    return null;
  }
  const frame = h('div', { class: 'outcome-chart', role: 'img', 'aria-label': label, 'data-testid': 'outcome-chart' });
  const inner = h('div', { 'aria-hidden': 'true' });
  frame.append(inner);
  const text = cssVar('--muted', '#46526b');
  const grid = cssVar('--line', '#cfd7e6');
  const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font: '12px system-ui, sans-serif' };
  const xs = labels.map((_, i) => i);
  const all = baseline === undefined ? series : [...series, { label: t('outcomes.baseline_label'), values: labels.map(() => baseline), dash: true }];
  const opts = {
    width: 560,
    height: 220,
    legend: { show: true, live: false },
    cursor: { show: false },
    select: { show: false },
    scales: { x: { time: false, range: [-0.5, labels.length - 0.5] }, y: percent ? { range: [0, 1] } : { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
    axes: [
      { ...axis, values: (u, splits) => splits.map((i) => labels[i] ?? ''), splits: () => xs },
      { ...axis, size: 50, values: (u, splits) => splits.map((v) => (percent ? `${Math.round(v * 100)} %` : String(v))) },
    ],
    series: [
      {},
      ...all.map((s, i) => ({
        label: s.label,
        stroke: cssVar(COLOURS[i % COLOURS.length], FALLBACK[i % FALLBACK.length]),
        width: 2,
        dash: s.dash ? [6, 4] : undefined,
        spanGaps: false,
      })),
    ],
  };
  const plot = new uPlot(opts, [xs, ...all.map((s) => s.values)], inner);
  const fit = () => {
    const width = Math.max(280, Math.floor(frame.clientWidth || 560));
    if (width !== plot.width) plot.setSize({ width, height: 220 });
  };
  if ('ResizeObserver' in window) new ResizeObserver(fit).observe(frame);
  requestAnimationFrame(fit);
  return frame;
}

function keyOf(row) {
  return row.hour !== null ? `h${row.hour}` : `${row.month}|${row.tier ?? ''}`;
}

function table(spec, rows, firstColumn) {
  return h(
    'table',
    { class: 'table outcome-table', 'data-testid': `outcome-table-${spec.figure}` },
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, firstColumn), h('th', { scope: 'col' }, t('outcomes.col_patients')), ...spec.measures.map((m) => h('th', { scope: 'col' }, t(`outcomes.measure.${m}`))))),
    h(
      'tbody',
      null,
      rows.map(({ label, row }) =>
        h(
          'tr',
          { 'data-testid': 'outcome-row', dataset: { figure: spec.figure, month: row.month ?? '', tier: row.tier ?? '', hour: row.hour ?? '', suppressed: String(row.suppressed) } },
          h('th', { scope: 'row' }, label),
          row.suppressed
            ? h('td', { colspan: spec.measures.length + 1, class: 'muted', 'data-testid': 'outcome-suppressed' }, t('outcomes.suppressed'))
            : [
                h('td', { dataset: { measure: 'patients', value: row.patients ?? '' } }, row.patients ?? '–'),
                ...spec.measures.map((m) => h('td', { 'data-testid': 'outcome-cell', dataset: { measure: m, value: row.values[m] ?? '' } }, shown(m, row.values[m]))),
              ],
        ),
      ),
    ),
  );
}

async function section(spec, data, teamId) {
  const mine = data.rows.filter((r) => r.figure === spec.figure && r.team_id === teamId);
  const body = [h('h3', null, t(`outcomes.figure.${spec.figure}.title`)), h('p', { class: 'hint' }, t(`outcomes.figure.${spec.figure}.intro`))];
  if (!mine.length) {
    body.push(h('p', { class: 'panel', 'data-testid': 'outcome-empty' }, t('outcomes.empty')));
    return h('section', { class: 'section', 'data-testid': `outcome-${spec.figure}` }, body);
  }
  let rows;
  let labels;
  let series;
  if (spec.byHour) {
    const byHour = new Map(mine.map((r) => [r.hour, r]));
    labels = [...Array(24).keys()].map((hr) => String(hr).padStart(2, '0'));
    rows = [...Array(24).keys()].filter((hr) => byHour.has(hr)).map((hr) => ({ label: t('outcomes.hour', { hour: labels[hr] }), row: byHour.get(hr) }));
    series = spec.chart.map((m) => ({ label: t(`outcomes.measure.${m}`), values: labels.map((_, hr) => byHour.get(hr)?.values[m] ?? null) }));
  } else {
    labels = data.months.map(monthLabel);
    rows = data.months.flatMap((month) =>
      mine
        .filter((r) => r.month === month)
        .sort((a, b) => (a.tier ?? -1) - (b.tier ?? -1))
        .map((r) => ({ label: spec.byTier ? t('outcomes.month_tier', { month: monthLabel(month), tier: r.tier === null ? '–' : r.tier + 1 }) : monthLabel(month), row: r })),
    );
    const firstTier = (month) => mine.find((r) => r.month === month && (!spec.byTier || r.tier === 0));
    series = spec.chart.map((m) => ({
      label: spec.byTier ? t('outcomes.first_tier', { measure: t(`outcomes.measure.${m}`) }) : t(`outcomes.measure.${m}`),
      values: data.months.map((month) => {
        const v = firstTier(month)?.values[m];
        return v === undefined || v === null ? null : m.startsWith('seconds_') ? v / 60 : v;
      }),
    }));
  }
  const drawn = await chart({
    labels,
    series,
    percent: spec.chart.every((m) => PERCENT.has(m)),
    baseline: spec.baseline ? data.assumptions.baseline_contact_within_7_days : undefined,
    label: t(`outcomes.figure.${spec.figure}.title`),
  });
  // A wide table scrolls sideways on its own (by keyboard too), not the page.
  const numbers = table(spec, rows, spec.byHour ? t('outcomes.col_hour') : t('outcomes.col_month'));
  body.push(drawn, h('div', { class: 'table-wrap', role: 'region', tabindex: '0', 'aria-label': t(`outcomes.figure.${spec.figure}.title`) }, numbers));
  return h('section', { class: 'section', 'data-testid': `outcome-${spec.figure}` }, body);
}

function assumptions(a) {
  return h(
    'section',
    { class: 'section panel', 'data-testid': 'outcome-assumptions' },
    h('h3', null, t('outcomes.assumptions_title')),
    h(
      'ul',
      null,
      h('li', null, t('outcomes.assumption_small', { n: a.min_patients })),
      h('li', null, t('outcomes.assumption_office')),
      h('li', { 'data-testid': 'outcome-baseline' }, t('outcomes.assumption_baseline', { share: shown('adherence', a.baseline_contact_within_7_days) })),
      h('li', { 'data-testid': 'outcome-cost' }, t('outcomes.assumption_cost', { amount: shown('cost_avoided_nok_estimate', a.cost_per_round_nok) })),
      h('li', null, t('outcomes.assumption_avoided')),
    ),
  );
}

export default async function adminOutcomes() {
  const root = h('div', { class: 'admin-section', 'data-testid': 'admin-outcomes' });
  let data;
  try {
    data = await outcomesApi.outcomes();
  } catch (err) {
    root.append(loadFailed(err, () => window.location.reload()));
    return root;
  }
  const figures = h('div', { 'data-testid': 'outcome-figures' });
  const picker = h(
    'select',
    { id: 'outcome-team', 'data-testid': 'outcome-team' },
    data.teams.map((team) => h('option', { value: team.id ?? '' }, team.id === null ? t('outcomes.all_teams') : team.name)),
  );
  const render = async () => {
    const teamId = picker.value === '' ? null : Number(picker.value);
    const sections = await Promise.all(FIGURES.map((spec) => section(spec, data, teamId)));
    clear(figures, ...sections);
  };
  picker.addEventListener('change', render);
  root.append(
    h('h2', null, t('outcomes.title')),
    h('p', null, t('outcomes.intro')),
    h('p', { class: 'field' }, h('label', { for: 'outcome-team' }, t('outcomes.team')), ' ', picker),
    h('p', null, h('a', { href: outcomesApi.OUTCOMES_CSV, download: '', class: 'button button-secondary', 'data-testid': 'outcome-csv' }, t('outcomes.download_csv'))),
    assumptions(data.assumptions),
    figures,
  );
  await render();
  return root;
}
