// Administrators: the audit log, newest first, filtered by patient or actor.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as accountsApi from '../accounts/api.js';
import * as auditApi from './api.js';
import { formatDateTime, roleName } from '../format.js';
import { aboutForAdmin, reasonForAdmin, sentenceForAdmin } from './audit-text.js';
import { errorText, loadFailed, messageArea, selectField, showMessage, withBusy } from '../ui.js';

const PAGE = 50;

export default async function adminAudit(ctx) {
  // /api/users (not /api/patients) fills the filters: listing patients writes
  // a "patient.list" audit entry for every patient, which would only add noise.
  let users;
  try {
    users = await accountsApi.users();
  } catch (err) {
    if (err.code === 'unauthorized') throw err;
    return loadFailed(err, ctx.retry);
  }
  const patients = users.filter((u) => u.role === 'patient');
  const patient = selectField({
    id: 'audit-patient',
    label: t('audit_admin.patient'),
    options: [{ value: '', label: t('audit_admin.any_patient') }, ...patients.map((u) => ({ value: u.id, label: `${u.display_name} (${u.username})` }))],
    value: '',
  });
  const actor = selectField({
    id: 'audit-actor',
    label: t('audit_admin.actor'),
    options: [{ value: '', label: t('audit_admin.any_actor') }, ...users.map((u) => ({ value: u.id, label: `${u.display_name} (${u.username}, ${roleName(u.role)})` }))],
    value: '',
  });

  const list = h('ol', { class: 'audit-list', 'data-testid': 'audit-list' });
  const status = messageArea('status');
  const more = h('button', { type: 'button', class: 'button-secondary' }, t('common.load_more'));
  let lastId = null;

  function row(entry) {
    const about = aboutForAdmin(entry);
    const reason = reasonForAdmin(entry);
    return h(
      'li',
      { class: 'audit-row', 'data-testid': 'audit-row' },
      h('p', { class: 'audit-when' }, h('time', { datetime: entry.at }, formatDateTime(entry.at))),
      h('p', { class: 'audit-what' }, sentenceForAdmin(entry)),
      about ? h('p', { class: 'muted' }, about) : null,
      reason ? h('p', { class: 'audit-reason' }, reason) : null,
    );
  }

  async function load(append) {
    const params = { limit: PAGE, patient_id: patient.input.value, actor_id: actor.input.value, before_id: append ? lastId : null };
    const entries = await auditApi.auditLog(params);
    if (!append) list.replaceChildren();
    entries.forEach((entry) => list.append(row(entry)));
    if (entries.length) lastId = entries[entries.length - 1].id;
    more.hidden = entries.length < PAGE;
    return entries;
  }

  async function reload() {
    try {
      const entries = await load(false);
      showMessage(status, entries.length ? t('audit_admin.shown', { count: entries.length }) : t('audit_admin.empty'));
    } catch (err) {
      showMessage(status, errorText(err));
    }
  }
  patient.input.addEventListener('change', reload);
  actor.input.addEventListener('change', reload);
  more.addEventListener('click', async () => {
    try {
      const entries = await withBusy(more, t('common.loading'), () => load(true));
      showMessage(status, t('common.loaded_more', { count: entries.length }));
    } catch (err) {
      showMessage(status, errorText(err));
    }
  });
  try {
    const entries = await load(false);
    if (!entries.length) showMessage(status, t('audit_admin.empty'));
  } catch (err) {
    if (err.code === 'unauthorized') throw err;
    showMessage(status, errorText(err));
  }

  return h(
    'section',
    { class: 'section admin-section', 'aria-labelledby': 'audit-heading' },
    h('h2', { id: 'audit-heading' }, t('admin.audit.title')),
    h('p', null, t('audit_admin.intro')),
    h('div', { class: 'filters' }, patient.wrap, actor.wrap),
    status,
    list,
    h('div', { class: 'actions' }, more),
  );
}
