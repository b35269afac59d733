// #/innboks for supporters: conversations offered to me and held by me, kept
// live by the socket (chat:offer, chat:taken, chat:message) and, as a safety
// net, by asking the server every 30 seconds.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as chatApi from './api.js';
import { loadFailed, pageTitle } from '../ui.js';
import { onPush, whileShown } from './chat-ui.js';
import * as realtime from '../realtime.js';
import { levelBadge, reasonText } from '../checkins/checkin-ui.js';
import { shiftSummary } from './continuity-ui.js';

const POLL_MS = 30000;
const LIVE_EVENTS = new Set(['connect', 'chat:offer', 'chat:taken', 'chat:message', 'chat:nudge', 'chat:withdrawn', 'chat:note_request']);

// Tonight's reasons as each live offer carried them for me (the server decides
// what I may see); held in memory only, and forgotten when the socket closes
// (logging out closes it).
const offerReasons = new Map();
realtime.events.addEventListener('message', (event) => {
  const { name, args } = event.detail;
  const data = args[0] || {};
  if (name === 'chat:offer') offerReasons.set(data.conversation_id, data.tonight || null);
  else if (name === 'chat:withdrawn') offerReasons.delete(data.conversation_id);
});
realtime.events.addEventListener('disconnect', () => offerReasons.clear());

/** The answers that made tonight's check-in yellow or red, as the offer carried them. */
function offerReasonsLine(conversationId) {
  const tonight = offerReasons.get(conversationId);
  const words = tonight ? tonight.reasons.map(reasonText).filter(Boolean) : [];
  return words.length ? h('p', { class: 'inbox-reasons', 'data-testid': 'inbox-reasons' }, t('checkin.tonight.reasons', { reasons: words.join(', ') })) : null;
}

/**
 * Keeps `onRows(rows, fetchedAt)` fed with the inbox while `node` is shown.
 * Returns a function that fetches now.
 */
function liveInbox(node, onRows, onError = () => {}) {
  let timer = null;
  let running = false;
  async function load() {
    if (running) return;
    running = true;
    try {
      onRows(await chatApi.inbox(), Date.now());
    } catch (err) {
      onError(err);
    } finally {
      running = false;
    }
  }
  function soon() {
    clearTimeout(timer);
    timer = setTimeout(load, 150);
  }
  onPush(node, (name) => {
    if (LIVE_EVENTS.has(name)) soon();
  });
  const poll = setInterval(load, POLL_MS);
  whileShown(node, () => {
    clearInterval(poll);
    clearTimeout(timer);
  });
  return load;
}

/** A prominent link to the inbox with a live count, for the supporter home. */
export function inboxLink() {
  const count = h('span', { class: 'inbox-count', 'data-testid': 'inbox-count' }, '…');
  const desc = h('span', { class: 'tile-desc' });
  const link = h(
    'a',
    { href: '#/innboks', class: 'tile-link inbox-link', 'data-testid': 'inbox-link' },
    h('span', { class: 'tile-icon tile-icon-chat', 'aria-hidden': 'true' }),
    h('span', { class: 'tile-text' }, h('span', { class: 'tile-title' }, t('chat.inbox.link'), ' ', count), desc),
  );
  const load = liveInbox(link, (rows) => {
    const waiting = rows.filter((r) => !r.mine).length;
    count.textContent = String(rows.length);
    count.classList.toggle('inbox-count-waiting', waiting > 0);
    desc.textContent = rows.length ? t('chat.inbox.link_count', { count: rows.length }) : t('chat.inbox.link_none');
  });
  load();
  return h('div', { class: 'inbox-link-wrap' }, link);
}

export function waitingText(row, fetchedAt) {
  if (typeof row.waiting_seconds !== 'number') return '';
  const seconds = row.waiting_seconds + (Date.now() - fetchedAt) / 1000;
  const minutes = Math.floor(seconds / 60);
  return minutes < 1 ? t('chat.inbox.waiting_new') : t('chat.inbox.waiting', { count: minutes });
}

function inboxRow(row, fetchedAt, { withSummary = true } = {}) {
  const unread = row.last_message_id > row.read_upto_id;
  const level = row.tonight_level; // judged by the server's clock, as the order is
  return h(
    'li',
    {
      class: ['item', 'inbox-item', row.mine ? 'inbox-mine' : 'inbox-offered', level === 'red' && 'inbox-red'],
      'data-testid': 'inbox-item',
      dataset: { conversationId: String(row.conversation_id), patient: row.patient_name, level: level || '' },
    },
    h(
      'p',
      { class: 'item-title' },
      h('a', { href: `#/samtale/${row.conversation_id}`, 'aria-label': t('chat.inbox.open', { name: row.patient_name }) }, row.patient_name),
    ),
    h(
      'p',
      { class: 'badges' },
      level ? levelBadge(level) : null,
      h('span', { class: ['badge', row.mine ? null : 'badge-warm'] }, row.mine ? t('chat.inbox.mine') : t('chat.inbox.offered')),
      unread ? h('span', { class: 'badge badge-off', 'data-testid': 'inbox-unread' }, t('chat.inbox.unread')) : null,
      typeof row.tier_position === 'number' ? h('span', { class: 'badge' }, t('chat.inbox.tier', { n: row.tier_position + 1 })) : null,
    ),
    level ? offerReasonsLine(row.conversation_id) : null,
    waitingText(row, fetchedAt) ? h('p', { class: 'inbox-waiting', 'data-testid': 'inbox-waiting' }, waitingText(row, fetchedAt)) : null,
    row.handover_note ? h('p', { class: 'inbox-note', 'data-testid': 'inbox-note' }, t('chat.inbox.note', { note: row.handover_note })) : null,
    withSummary ? shiftSummary(row.shift_summary, { testid: 'inbox-summary' }) : null,
  );
}

/** The list itself; used by the inbox screen and beside a conversation on wide screens. */
export function inboxList({ currentId = null } = {}) {
  const list = h('ul', { class: 'items inbox-list', 'data-testid': 'inbox-list' });
  const empty = h('p', { class: 'panel', hidden: true, 'data-testid': 'inbox-empty' }, t('chat.inbox.empty'));
  const problem = h('div');
  const wrap = h('div', { class: 'inbox' }, problem, empty, list);
  let last = { rows: [], at: Date.now() };
  function draw() {
    list.replaceChildren(
      ...last.rows.map((row) => {
        // Beside the open conversation its summary is shown once, above the messages.
        const item = inboxRow(row, last.at, { withSummary: row.conversation_id !== currentId });
        if (row.conversation_id === currentId) item.classList.add('inbox-current');
        return item;
      }),
    );
    empty.hidden = last.rows.length > 0;
  }
  const load = liveInbox(
    wrap,
    (rows, at) => {
      problem.replaceChildren();
      last = { rows, at };
      draw();
    },
    (err) => {
      if (!last.rows.length) problem.replaceChildren(loadFailed(err, () => load()));
    },
  );
  // The waiting times move on between fetches.
  const tick = setInterval(draw, 20000);
  whileShown(wrap, () => clearInterval(tick));
  return { node: wrap, load };
}

export default async function inboxView() {
  const { node, load } = inboxList();
  await load();
  return h(
    'div',
    { class: 'wide chat-inbox', 'data-testid': 'inbox' },
    pageTitle(t('chat.inbox.title')),
    h('p', { class: 'lead' }, t('chat.inbox.intro')),
    node,
  );
}
