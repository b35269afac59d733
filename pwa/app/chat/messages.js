// The message log both chat screens keep (the patient's chat and the staff's
// conversation): the messages the server has stored, by id, from loads,
// syncs, pushes and acknowledgements; and drawing them, with the ones still on
// their way after them, into a messageLog() (chat-ui.js).
import { noticeLine, noticeText } from './continuity-ui.js';

export function messageStore() {
  const byId = new Map();
  return {
    values: () => byId.values(),
    /** The newest id, of every message or of those `which` accepts. */
    lastId(which = () => true) {
      let max = 0;
      for (const m of byId.values()) if (which(m)) max = Math.max(max, m.id);
      return max;
    },
    merge(messages) {
      for (const m of messages || []) if (m && typeof m.id === 'number') byId.set(m.id, m);
    },
    sorted: () => [...byId.values()].sort((a, b) => a.id - b.id),
  };
}

/** A notice in the conversation (a handover, someone leaving) as a log entry. */
export function noticeEntry(m) {
  return { key: `m:${m.id}`, at: m.created_at, announce: noticeText(m.notice) || null, make: () => noticeLine(m) };
}

/**
 * Draw the stored messages, then the `unsent` ones ({client_id, ...}) the
 * server has not stored yet; a reader within `margin` pixels of the bottom is
 * kept there. `empty` (optional) is hidden while there is any message;
 * `options` go to the log's render().
 */
export function drawMessages({ log, root, store, messageEntry, unsent, unsentEntry, margin, empty = null, options = {} }) {
  const nearBottom = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - margin;
  const sorted = store.sorted();
  const known = new Set(sorted.map((m) => m.client_id));
  const waiting = unsent.filter((item) => !known.has(item.client_id));
  log.render([...sorted.map(messageEntry), ...waiting.map(unsentEntry)], options);
  if (empty) empty.hidden = sorted.length + waiting.length > 0;
  if (nearBottom && root.isConnected) window.scrollTo(0, document.documentElement.scrollHeight);
}
