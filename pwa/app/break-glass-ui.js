// Break-glass access (nødtilgang): the supporter's request form, shown when the
// roster refuses the check-ins, and the lines the patient and administrators read.
import { h, uid } from './dom.js';
import { t } from './i18n.js';
import { api } from './api.js';
import { formatDateTime } from './format.js';
import { actorText } from './audit-text.js';
import { errorText, messageArea, showMessage, withBusy } from './ui.js';

// The server's minimum (nattlys/break_glass/models.py REASON_MIN_CHARS).
export const REASON_MIN_CHARS = 15;
const REASON_MAX_CHARS = 500;

/** The refusal, with "Nødtilgang" and its reason; `onOpened(opening)` after it is open. */
export function breakGlassPanel(patient, onOpened) {
  const name = patient.display_name;
  const id = uid('break-glass');
  const reason = h('textarea', { id, rows: 3, maxlength: REASON_MAX_CHARS, required: true, 'aria-describedby': `${id}-hint`, 'data-testid': 'break-glass-reason' });
  const error = messageArea('error');
  const send = h('button', { type: 'submit', class: 'button-primary', 'data-testid': 'break-glass-open' }, t('break_glass.open'));
  const form = h(
    'form',
    { class: 'form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: id }, t('break_glass.reason_label')), h('p', { class: 'hint', id: `${id}-hint` }, t('break_glass.reason_hint', { min: REASON_MIN_CHARS, name })), reason),
    error,
    h('div', { class: 'actions' }, send),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showMessage(error, '');
    const text = reason.value.trim().replace(/\s+/g, ' ');
    if (text.length < REASON_MIN_CHARS) {
      reason.setAttribute('aria-invalid', 'true');
      showMessage(error, t('break_glass.too_short', { min: REASON_MIN_CHARS }));
      reason.focus();
      return;
    }
    reason.removeAttribute('aria-invalid');
    try {
      const opened = await withBusy(send, t('common.saving'), () => api('POST', `/api/patients/${patient.id}/break-glass`, { reason: text }));
      onOpened(opened);
    } catch (err) {
      showMessage(error, errorText(err));
    }
  });
  return h(
    'section',
    { class: 'section panel', 'aria-labelledby': `${id}-title`, 'data-testid': 'break-glass-panel' },
    h('h2', { id: `${id}-title` }, t('break_glass.refused_title', { name })),
    h('p', null, t('break_glass.refused_text', { name })),
    h('details', { class: 'break-glass' }, h('summary', { class: 'button-secondary', 'data-testid': 'break-glass-button' }, t('break_glass.button')), form),
  );
}

function whenLine(opening) {
  const until = formatDateTime(opening.expires_at);
  return opening.active ? t('break_glass.active_until', { until }) : t('break_glass.ended_at', { until });
}

/** One opening as the patient sees it: who, when, why, until when. */
export function openingForPatient(opening) {
  const who = actorText({ actor_name: opening.supporter_name, actor_team_kinds: opening.supporter_team_kinds, actor_role: 'supporter' });
  return h(
    'li',
    { class: ['item', 'break-glass-row', opening.active && 'break-glass-active'], 'data-testid': 'break-glass-row', dataset: { id: opening.id } },
    h('p', { class: 'item-title' }, t('break_glass.mine_who', { who, when: formatDateTime(opening.opened_at) })),
    h('p', null, t('break_glass.reason', { reason: opening.reason })),
    h('p', { class: 'muted' }, h('time', { datetime: opening.expires_at }, whenLine(opening))),
  );
}

/** One opening for an administrator's review, with "Merk som kontrollert". */
export function openingForReview(opening, onReviewed) {
  const row = h('li', { class: 'item', 'data-testid': 'break-glass-review-row', dataset: { id: opening.id } });
  const fill = (o) => {
    const parts = [
      h('p', { class: 'item-title' }, t('break_glass.admin_row', { supporter: o.supporter_name || t('audit.unknown_actor'), patient: o.patient_name || '' })),
      h('p', null, t('break_glass.reason', { reason: o.reason })),
      h('p', { class: 'muted' }, t('break_glass.admin_when', { from: formatDateTime(o.opened_at), until: formatDateTime(o.expires_at) })),
    ];
    if (o.reviewed_at) {
      parts.push(h('p', { class: 'badge' }, t('break_glass.admin_reviewed', { when: formatDateTime(o.reviewed_at), who: o.reviewed_by_name || '' })));
      if (o.review_note) parts.push(h('p', { class: 'plan-note' }, o.review_note));
    } else {
      const id = uid('review');
      const note = h('input', { id, type: 'text', maxlength: 500 });
      const error = messageArea('error');
      const mark = h('button', { type: 'submit', class: 'button-secondary', 'data-testid': 'break-glass-review' }, t('break_glass.admin_review'));
      const form = h('form', { class: 'form form-inline', novalidate: true }, h('div', { class: 'field' }, h('label', { for: id }, t('break_glass.admin_note')), note), error, h('div', { class: 'actions' }, mark));
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        try {
          const done = await withBusy(mark, t('common.saving'), () => api('POST', `/api/break-glass/${o.id}/review`, { note: note.value.trim() }));
          fill(done);
          onReviewed(done);
        } catch (err) {
          showMessage(error, errorText(err));
        }
      });
      parts.push(form);
    }
    row.replaceChildren(...parts);
  };
  fill(opening);
  return row;
}
