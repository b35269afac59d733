// Evenings and nights with nobody on duty, in one short line per pattern:
// "Onsdager 22:00–08:00, 4 netter" (from the server's summary, Oslo time).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { dayName, listText } from '../rosters/roster-time.js';

function capitalised(text) {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

/** One readable line for a summary item {weekdays, starts, ends, nights, first_evening}. */
export function nightGapLine(gap) {
  const span = `${gap.starts.slice(0, 5)}–${gap.ends.slice(0, 5)}`;
  if (gap.nights === 1) return t('night_gaps.one_night', { day: capitalised(dayName(gap.first_evening)), span });
  const plural = (list) => listText(list.map((d) => t(`night_gaps.weekdays.${d}`)));
  const missing = [0, 1, 2, 3, 4, 5, 6].filter((d) => !gap.weekdays.includes(d));
  let days;
  if (!missing.length) days = t('night_gaps.every_night');
  else if (missing.length <= 2) days = t('night_gaps.every_night_except', { days: plural(missing) });
  else days = capitalised(plural(gap.weekdays));
  return t('night_gaps.line', { days, span, nights: t('night_gaps.nights', { count: gap.nights }) });
}

export function nightGapList(gaps, testid = 'night-gaps') {
  return h('ul', { class: 'night-gaps', 'data-testid': testid }, gaps.map((gap) => h('li', null, nightGapLine(gap))));
}

/** After enrolling a patient: the nights nobody covers, plainly, or nothing. */
export function nightGapWarning(gaps, { name }) {
  if (!gaps || !gaps.length) return null;
  return h(
    'div',
    { class: 'panel panel-problem', role: 'alert', 'data-testid': 'enrol-night-gaps' },
    h('p', null, h('strong', null, t('night_gaps.enrol_title', { name }))),
    nightGapList(gaps),
    h('p', null, t('night_gaps.enrol_text', { name })),
  );
}
