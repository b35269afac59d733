// Continuity across a shift change: the server's lines in the chat ("Kari har
// gått av vakt. Tor har tatt over."), the automatic summary the next supporter
// sees, and the holder's handover note asked for before the shift ends.
// Every word comes from the catalogues; the server sends codes and names.
import { h } from '../dom.js';
import { t, has } from '../i18n.js';
import * as chatApi from './api.js';
import { firstName } from '../format.js';
import { messageArea, showMessage, withBusy } from '../ui.js';
import { chatErrorText, timeOf } from './chat-ui.js';
import { clockTime, levelBadge } from '../checkins/checkin-ui.js';

function person(name) {
  return firstName(name) || t('chat.someone');
}

/** The words of a server line, from its code (empty for an unknown code). */
export function noticeText(notice) {
  if (!notice) return '';
  const from = person(notice.from_name);
  switch (notice.code) {
    case 'shift_ended_offered':
      return notice.tier_kind && has(`chat.to_kind.${notice.tier_kind}`)
        ? t('chat.notice.shift_ended_offered', { from, where: t(`chat.to_kind.${notice.tier_kind}`) })
        : t('chat.notice.shift_ended_offered_plain', { from });
    case 'shift_ended_nobody':
      return t('chat.notice.shift_ended_nobody', { from });
    case 'taken_over':
      return t('chat.notice.taken_over', { from, to: person(notice.to_name) });
    default:
      return '';
  }
}

/** A server line in the message list, placed under its day like a message. */
export function noticeLine(message) {
  return h(
    'li',
    { class: 'chat-notice', 'data-testid': 'chat-notice', dataset: { id: String(message.id), at: message.created_at, code: message.notice.code } },
    h('p', null, noticeText(message.notice), ' ', h('time', { class: 'chat-notice-time' }, timeOf(message.created_at))),
  );
}

/** The last shift change's summary, for the supporter who takes over. */
export function shiftSummary(summary, { testid = 'shift-summary' } = {}) {
  if (!summary) return null;
  const from = person(summary.from_name);
  const facts = [];
  if (summary.level) facts.push(h('li', null, t('chat.summary.level'), ' ', levelBadge(summary.level)));
  if (typeof summary.waiting_minutes === 'number') facts.push(h('li', null, t('chat.summary.waiting', { count: summary.waiting_minutes })));
  facts.push(h('li', null, summary.unanswered ? t('chat.summary.unanswered', { count: summary.unanswered }) : t('chat.summary.all_answered')));
  facts.push(h('li', null, summary.note ? t('chat.summary.note', { name: from, note: summary.note }) : t('chat.summary.no_note', { name: from })));
  return h(
    'section',
    { class: 'shift-summary panel', 'data-testid': testid },
    h('p', { class: 'shift-summary-title' }, t('chat.summary.title', { name: from, time: clockTime(summary.at) })),
    h('ul', { class: 'shift-summary-facts' }, facts),
  );
}

/** Asked before the shift ends: a note for whoever takes over (the holder only). */
export function noteRequest({ conversationId, shiftEndsAt, patientName, note = '' }) {
  const input = h('textarea', { id: 'shift-note', name: 'shift-note', rows: 3, maxlength: 1000, 'data-testid': 'shift-note' });
  input.value = note || '';
  const done = messageArea('status');
  const save = h('button', { type: 'submit', class: 'button-primary', 'data-testid': 'shift-note-save' }, t('chat.note_request.save'));
  const form = h(
    'form',
    { class: 'form shift-note panel', novalidate: true, 'data-testid': 'note-request', role: 'region', 'aria-labelledby': 'shift-note-title' },
    h('h2', { id: 'shift-note-title' }, t('chat.note_request.title', { time: clockTime(shiftEndsAt) })),
    h('div', { class: 'field' }, h('label', { for: 'shift-note' }, t('chat.note_request.label', { name: patientName })), input),
    done,
    h('div', { class: 'actions' }, save),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showMessage(done, '');
    try {
      await withBusy(save, t('common.saving'), () => chatApi.saveHandoverNote(conversationId, input.value.trim()));
      showMessage(done, t('chat.note_request.saved'));
    } catch (err) {
      showMessage(done, chatErrorText(err));
    }
  });
  return form;
}
