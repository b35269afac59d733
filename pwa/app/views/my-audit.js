// #/hvem-har-sett: who has seen or changed my data, newest first.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { api, query } from '../api.js';
import { formatDateTime } from '../format.js';
import { actionForPatient, actorText } from '../audit-text.js';
import { backLink, errorText, loadFailed, messageArea, pageTitle, showMessage, withBusy } from '../ui.js';

const PAGE = 30;

function row(entry) {
  return h(
    'li',
    { class: 'audit-row', 'data-testid': 'audit-row' },
    h('p', { class: 'audit-when' }, h('time', { datetime: entry.at }, formatDateTime(entry.at))),
    h('p', { class: 'audit-what' }, h('strong', null, actorText(entry)), ' ', actionForPatient(entry.action)),
    // reason is for administrators' review (it names internal sections); patients see the action in words.
  );
}

export default async function myAuditView(ctx) {
  const page = h('div', { class: 'narrow' }, backLink('#/', t('common.back_home')), pageTitle(t('my_audit.title')));
  let entries;
  try {
    entries = await api('GET', `/api/me/audit${query({ limit: PAGE })}`);
  } catch (err) {
    page.append(loadFailed(err, ctx.retry));
    return page;
  }
  page.append(h('p', { class: 'lead' }, t('my_audit.intro')));
  const list = h('ol', { class: 'audit-list', 'data-testid': 'audit-list' }, entries.map(row));
  const status = messageArea('status');
  const more = h('button', { type: 'button', class: 'button-secondary' }, t('common.load_more'));
  let lastId = entries.length ? entries[entries.length - 1].id : null;
  more.hidden = entries.length < PAGE;
  more.addEventListener('click', async () => {
    try {
      const next = await withBusy(more, t('common.loading'), () =>
        api('GET', `/api/me/audit${query({ limit: PAGE, before_id: lastId })}`),
      );
      next.forEach((entry) => list.append(row(entry)));
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
