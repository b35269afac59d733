// #/kveldssjekk/utvikling for patients, and the same panel on a supporter's
// patient page: the last 4 weeks as a small chart (pressure, with the level as
// colour and shape) and a table of the check-ins in Oslo time.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as checkinsApi from './api.js';
import { backLink, loadFailed, pageTitle } from '../ui.js';
import { levelBadge, levelMark, levelWord, reasonText, shortDateTime } from './checkin-ui.js';
import { chartKey, pressureChart } from './checkin-chart.js';

const DAYS = 28;

function chartLabel(trend) {
  const items = trend.items;
  if (!items.length) return t('checkin.trend.chart_empty');
  const last = items[0];
  return t('checkin.trend.chart_label', {
    count: items.length,
    pressure: last.pressure,
    level: levelWord(last.level).toLowerCase(),
  });
}

function table(trend, { who }) {
  const rows = trend.items.map((c) =>
    h(
      'tr',
      { 'data-testid': 'trend-row', 'data-level': c.level, 'data-checkin-id': String(c.id) },
      h('td', { class: 'trend-when' }, shortDateTime(c.created_at)),
      h(
        'td',
        null,
        levelBadge(c.level),
        who === 'supporter' && c.reasons.length
          ? h('span', { class: 'trend-reasons' }, c.reasons.map(reasonText).filter(Boolean).join(', '))
          : null,
        c.wants_contact ? h('span', { class: 'trend-contact' }, t('checkin.trend.wanted_contact')) : null,
      ),
      h('td', { class: 'trend-pressure' }, t('checkin.trend.pressure_value', { n: c.pressure })),
    ),
  );
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'trend-table', 'data-testid': 'trend-table' },
      h('caption', { class: 'visually-hidden' }, t('checkin.trend.table_caption', { days: trend.days })),
      h(
        'thead',
        null,
        h('tr', null, h('th', { scope: 'col' }, t('checkin.trend.col_when')), h('th', { scope: 'col' }, t('checkin.trend.col_level')), h('th', { scope: 'col' }, t('checkin.trend.col_pressure'))),
      ),
      h('tbody', null, rows),
    ),
  );
}

/**
 * The chart and the table for one patient. `who` is 'patient' or 'supporter'.
 * Returns a node that fills itself.
 */
export function trendPanel(patientId, { who = 'patient', headingLevel = 2 } = {}) {
  const body = h('div', { class: 'trend-body' }, h('p', { class: 'loading', role: 'status' }, t('common.loading')));
  const section = h(
    'section',
    { class: 'section trend', 'data-testid': 'checkin-trend', 'aria-labelledby': `trend-title-${patientId}` },
    h(`h${headingLevel}`, { id: `trend-title-${patientId}` }, t(who === 'patient' ? 'checkin.trend.section_patient' : 'checkin.trend.section_supporter')),
    body,
  );
  async function load() {
    let trend;
    try {
      trend = await checkinsApi.checkinTrend(patientId, DAYS);
    } catch (err) {
      body.replaceChildren(loadFailed(err, load));
      return;
    }
    if (!trend.items.length) {
      body.replaceChildren(h('p', { class: 'panel', 'data-testid': 'trend-empty' }, t(`checkin.trend.empty_${who}`)));
      return;
    }
    const chart = await pressureChart(trend.points, { days: trend.days, label: chartLabel(trend) });
    body.replaceChildren(
      chart
        ? h('div', { class: 'panel trend-chart-panel' }, chart, chartKey(levelMark))
        : h('p', { class: 'hint' }, t('checkin.trend.no_chart')),
      table(trend, { who }),
    );
  }
  load();
  return section;
}

export default async function checkinTrendView(ctx) {
  return h(
    'div',
    { class: 'narrow checkin-trend-page', 'data-testid': 'checkin-trend-page' },
    backLink('#/kveldssjekk', t('checkin.links.back_to_checkin')),
    pageTitle(t('checkin.trend.title')),
    h('p', { class: 'lead' }, t('checkin.trend.intro')),
    trendPanel(ctx.user.id, { who: 'patient' }),
  );
}
