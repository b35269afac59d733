// #/admin/alene for administrators: every time a patient was alone (red or
// writing while nobody was on duty) or waited without an answer after every
// tier was tried, with the minutes and what the patient was shown; by week,
// per patient and per hour. For planning rosters, from the server's gap log.
import { h } from '../dom.js';
import { t, has } from '../i18n.js';
import * as alertsApi from './api.js';
import { loadFailed } from '../ui.js';
import { shortDateTime } from '../checkins/checkin-ui.js';
import { reachList } from './alerts-ui.js';

function word(prefix, code) {
  return has(`${prefix}.${code}`) ? t(`${prefix}.${code}`) : code;
}

function minutesCell(row) {
  const text = row.still_open ? t('alerts.gaps.still_open', { minutes: row.minutes }) : String(row.minutes);
  return h('td', { 'data-testid': 'gap-minutes' }, text, row.reoffers ? h('span', { class: 'muted' }, ` (${t('alerts.gaps.reoffers', { count: row.reoffers })})`) : null);
}

function weekTable(week, rows) {
  return h(
    'section',
    { class: 'section', 'data-testid': 'gap-week', dataset: { week } },
    h('h3', null, t('alerts.gaps.week', { week: week.split('-W')[1] })),
    h(
      'table',
      { class: 'table gap-table' },
      h('thead', null, h('tr', null, ...['when', 'patient', 'what', 'minutes', 'shown'].map((c) => h('th', { scope: 'col' }, t(`alerts.gaps.col_${c}`))))),
      h(
        'tbody',
        null,
        rows.map((r) =>
          h(
            'tr',
            { 'data-testid': 'gap-row', dataset: { kind: r.kind, patient: r.patient_name, open: String(r.still_open) } },
            h('td', null, shortDateTime(r.started_at)),
            h('td', null, r.patient_name),
            h('td', null, word('alerts.gaps.kind', r.kind)),
            minutesCell(r),
            h('td', null, word('alerts.gaps.shown', r.shown)),
          ),
        ),
      ),
    ),
  );
}

function summaries(rows) {
  const byPatient = new Map();
  const byHour = new Map();
  for (const r of rows) {
    const p = byPatient.get(r.patient_name) || { count: 0, minutes: 0 };
    p.count += 1;
    p.minutes += r.minutes;
    byPatient.set(r.patient_name, p);
    byHour.set(r.local_hour, (byHour.get(r.local_hour) || 0) + 1);
  }
  const hours = [...byHour.entries()].sort((a, b) => a[0] - b[0]);
  return h(
    'div',
    { class: 'gap-summaries' },
    h(
      'section',
      { class: 'section', 'data-testid': 'gap-per-patient' },
      h('h3', null, t('alerts.gaps.by_patient')),
      h('ul', null, [...byPatient.entries()].map(([name, p]) => h('li', null, t('alerts.gaps.patient_total', { name, count: p.count, minutes: p.minutes })))),
    ),
    h(
      'section',
      { class: 'section', 'data-testid': 'gap-per-hour' },
      h('h3', null, t('alerts.gaps.by_hour')),
      h('ul', null, hours.map(([hour, count]) => h('li', null, `${t('alerts.gaps.hour', { hour: String(hour).padStart(2, '0') })}: ${count}`))),
    ),
  );
}

export default async function adminGaps() {
  const root = h('div', { class: 'admin-section', 'data-testid': 'admin-gaps' });
  let rows;
  try {
    rows = await alertsApi.gaps();
  } catch (err) {
    root.append(loadFailed(err, () => window.location.reload()));
    return root;
  }
  const weeks = new Map();
  for (const r of rows) {
    if (!weeks.has(r.week)) weeks.set(r.week, []);
    weeks.get(r.week).push(r);
  }
  root.append(
    h('h2', null, t('alerts.gaps.title')),
    h('p', null, t('alerts.gaps.intro')),
    rows.length ? summaries(rows) : h('p', { class: 'panel', 'data-testid': 'gaps-empty' }, t('alerts.gaps.empty')),
    ...[...weeks.entries()].map(([week, list]) => weekTable(week, list)),
    reachList({ headingLevel: 'h2' }),
  );
  return root;
}
