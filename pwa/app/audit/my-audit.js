// #/hvem-har-sett: who has seen or changed my data, newest first.
import { clear, h } from '../dom.js';
import { t } from '../i18n.js';
import * as auditApi from './api.js';
import * as breakGlassApi from '../break-glass/api.js';
import { formatDateTime } from '../format.js';
import { actionForPatient, actorText, isRouting } from './audit-text.js';
import { backLink, errorText, loadFailed, messageArea, pageTitle, showMessage, withBusy } from '../ui.js';
import { openingForPatient } from '../break-glass/break-glass-ui.js';
import { onPush } from '../chat/chat-ui.js';

const PAGE = 30;
// The same person doing the same thing again within this long (a supporter's
// open inbox reads every half minute) is one line: "12 ganger, fra ... til ...".
const SAME_VISIT_MS = 60 * 60 * 1000;

function row(group) {
  const newest = group.newest.at;
  const when =
    group.count === 1
      ? h('time', { datetime: newest }, formatDateTime(newest))
      : [
          t('my_audit.times', { count: group.count }),
          ' ',
          h('time', { datetime: group.oldest }, formatDateTime(group.oldest)),
          ' – ',
          h('time', { datetime: newest }, formatDateTime(newest)),
        ];
  return h(
    'li',
    { class: 'audit-row', 'data-testid': 'audit-row' },
    h('p', { class: 'audit-when' }, when),
    isRouting(group.newest)
      ? h('p', { class: 'audit-what' }, actionForPatient(group.newest.action, group.newest))
      : h('p', { class: 'audit-what' }, h('strong', null, actorText(group.newest)), ' ', actionForPatient(group.newest.action)),
    // Done in her account through a new login link a staff member made: say whose.
    group.newest.via_link_issued_by
      ? h('p', { class: 'audit-via', 'data-testid': 'audit-via-link' }, t('my_audit.via_link', { name: group.newest.via_link_issued_by }))
      : null,
    // reason is for administrators' review (it names internal sections); patients see the action in words.
  );
}

/** Entries come newest first; fold each into the last line when it is the
 * same person doing the same thing shortly before. */
function groupInto(groups, entries) {
  for (const entry of entries) {
    const last = groups[groups.length - 1];
    const close = last && new Date(last.oldest).getTime() - new Date(entry.at).getTime() <= SAME_VISIT_MS;
    const same = last && last.newest.actor_id === entry.actor_id && last.newest.action === entry.action;
    // Each routing decision keeps its own line: it says where the message went and when.
    if (same && close && !isRouting(entry)) {
      last.count += 1;
      last.oldest = entry.at;
    } else {
      groups.push({ newest: entry, oldest: entry.at, count: 1 });
    }
  }
}

/** Break-glass openings first: who, why, until when. A new one arrives live
 * while the screen is open (the server tells this patient's sockets at once). */
function breakGlassSection(openings) {
  const list = h('ul', { class: 'items', 'data-testid': 'break-glass-list' }, openings.map(openingForPatient));
  const live = messageArea('status');
  const section = h(
    'section',
    { class: 'section break-glass-mine', 'aria-labelledby': 'break-glass-title', 'data-testid': 'break-glass-mine', hidden: !openings.length },
    h('h2', { id: 'break-glass-title' }, t('break_glass.mine_title')),
    h('p', null, t('break_glass.mine_intro')),
    live,
    list,
  );
  onPush(section, (name, opening) => {
    if (name !== 'break_glass:opened' || !opening) return;
    if (list.querySelector(`[data-id="${Number(opening.id)}"]`)) return;
    list.prepend(openingForPatient(opening));
    section.hidden = false;
    showMessage(live, t('break_glass.live', { who: opening.supporter_name || t('audit.unknown_actor') }));
  });
  return section;
}

export default async function myAuditView(ctx) {
  const page = h('div', { class: 'narrow' }, backLink('#/', t('common.back_home')), pageTitle(t('my_audit.title')));
  let entries;
  let openings;
  try {
    [entries, openings] = await Promise.all([auditApi.myAudit({ limit: PAGE }), breakGlassApi.myOpenings()]);
  } catch (err) {
    page.append(loadFailed(err, ctx.retry));
    return page;
  }
  page.append(h('p', { class: 'lead' }, t('my_audit.intro')), breakGlassSection(openings));
  const groups = [];
  groupInto(groups, entries);
  const list = h('ol', { class: 'audit-list', 'data-testid': 'audit-list' }, groups.map(row));
  const redraw = () => clear(list, ...groups.map(row));
  const status = messageArea('status');
  const more = h('button', { type: 'button', class: 'button-secondary' }, t('common.load_more'));
  let lastId = entries.length ? entries[entries.length - 1].id : null;
  more.hidden = entries.length < PAGE;
  more.addEventListener('click', async () => {
    try {
      const next = await withBusy(more, t('common.loading'), () =>
        auditApi.myAudit({ limit: PAGE, before_id: lastId }),
      );
      groupInto(groups, next);
      redraw();
      if (next.length) lastId = next[next.length - 1].id;
      more.hidden = next.length < PAGE;
      showMessage(status, next.length ? t('common.loaded_more', { count: next.length }) : t('my_audit.no_more'));
    } catch (err) {
      showMessage(status, errorText(err));
    }
  });
  if (!entries.length) page.append(h('p', { class: 'panel' }, t('my_audit.empty')));
  page.append(list, status, h('div', { class: 'actions' }, more));
  return page;
}
