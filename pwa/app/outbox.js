// The patient's outboxes. Every chat message and every check-in is written
// here (localStorage, per user) with its own client id *before* it is sent,
// and removed only when the server has acknowledged it. The server stores a
// resend with the same id once, so retrying is always safe: on reconnect,
// when the browser comes back online, at app start and on a timer while
// anything waits.
import * as chatApi from './chat/api.js';
import * as checkinsApi from './checkins/api.js';
import * as realtime from './realtime.js';

const RETRY_MS = 10000;

export function newClientId() {
  if (globalThis.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function isTemporary(err) {
  return err.code === 'network' || err.code === 'internal_error' || err.code === 'unauthorized' || err.status >= 500;
}

/**
 * One outbox: items {client_id, queued_at, error?, ...} kept under `prefix` +
 * user id; `send(item)` delivers one and resolves with the server's answer.
 * Events: 'change' (the list changed) and 'sent' (detail: {clientId, message}).
 */
export function createOutbox({ prefix, send }) {
  const events = new EventTarget();
  let userId = null;
  let live = false; // a confirmed session: sending is allowed
  let running = null;
  let again = false;
  let retryTimer = null;

  const storageKey = () => `${prefix}${userId}`;

  function pending() {
    if (userId === null) return [];
    try {
      const list = JSON.parse(localStorage.getItem(storageKey()) || '[]');
      return Array.isArray(list) ? list.filter((item) => item && typeof item.client_id === 'string') : [];
    } catch {
      return [];
    }
  }

  function save(list) {
    try {
      if (list.length) localStorage.setItem(storageKey(), JSON.stringify(list));
      else localStorage.removeItem(storageKey());
    } catch {
      /* storage full or blocked: the list in memory is lost on reload */
    }
    events.dispatchEvent(new Event('change'));
  }

  function update(clientId, change) {
    save(pending().map((item) => (item.client_id === clientId ? { ...item, ...change } : item)));
  }

  function scheduleRetry(ms) {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, ms);
  }

  async function run() {
    do {
      again = false;
      for (const item of pending()) {
        if (item.error) continue; // waits for the patient to retry or remove it
        let message;
        try {
          message = await send(item);
        } catch (err) {
          if (err.code === 'rate_limited') {
            scheduleRetry(Math.max(5, err.retryAfter || 30) * 1000);
            return;
          }
          if (isTemporary(err)) {
            scheduleRetry(RETRY_MS);
            return;
          }
          update(item.client_id, { error: err.code || 'unknown' });
          continue;
        }
        save(pending().filter((other) => other.client_id !== item.client_id));
        events.dispatchEvent(new CustomEvent('sent', { detail: { clientId: item.client_id, message } }));
      }
    } while (again && live);
  }

  /** Send what waits, oldest first; resolves when this round is over. */
  function flush() {
    if (!live || userId === null) return Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    if (navigator.onLine === false) return Promise.resolve(); // the 'online' event brings us back
    running = run().finally(() => {
      running = null;
    });
    return running;
  }

  window.addEventListener('online', () => flush());
  realtime.events.addEventListener('connect', () => flush());

  return {
    events,
    pending,
    flush,
    /** Queue an item; it is saved before anything is sent. */
    add(item) {
      save([...pending(), { queued_at: new Date().toISOString(), ...item }]);
      return item;
    },
    discard(clientId) {
      save(pending().filter((item) => item.client_id !== clientId));
    },
    /** Try an item that failed for good (too long, not allowed) once more. */
    retry(clientId) {
      update(clientId, { error: null });
      return flush();
    },
    /** After login (patients only): send whatever waits from last time. */
    start(user) {
      userId = user && user.role === 'patient' ? user.id : null;
      live = userId !== null;
      events.dispatchEvent(new Event('change'));
      flush();
    },
    /** Started with no network: keep what the last patient on this phone writes, send later. */
    hold(id) {
      userId = id;
      live = false;
      events.dispatchEvent(new Event('change'));
    },
    /** The session ended: stop sending. Logging out also forgets what waits. */
    stop({ forget = false } = {}) {
      if (forget && userId !== null) {
        try {
          localStorage.removeItem(storageKey());
        } catch {
          /* nothing stored */
        }
      }
      userId = null;
      live = false;
      clearTimeout(retryTimer);
      events.dispatchEvent(new Event('change'));
    },
  };
}

function failure(answer) {
  const code = (answer && typeof answer.error === 'string' && answer.error) || 'unknown';
  return Object.assign(new Error(code), { code, status: code === 'internal_error' ? 500 : 400 });
}

async function sendChatMessage(item) {
  const body = { client_id: item.client_id, body: item.body };
  if (realtime.isConnected()) {
    try {
      const answer = await realtime.request('chat:send', body);
      if (answer && answer.ok) return answer.ok;
      throw failure(answer);
    } catch (err) {
      if (err.code !== 'network' && err.code !== 'internal_error') throw err;
      /* no answer on the socket: try HTTP below */
    }
  }
  return chatApi.sendMessage(body);
}

const chat = createOutbox({ prefix: 'nattlys.chat-outbox.', send: sendChatMessage });

/** The chat outbox: 'change' and 'sent' (detail: {clientId, message}). */
export const outboxEvents = chat.events;
export const { pending, flush, discard, retry, start, hold, stop } = chat;

/** Queue a chat message and start sending it. */
export function add(body) {
  const item = chat.add({ client_id: newClientId(), body });
  flush();
  return item;
}

/**
 * Check-ins answered with no network (or no answer from the server): the
 * body carries its idempotency_key, the item's client_id.
 */
export const checkins = createOutbox({
  prefix: 'nattlys.checkin-outbox.',
  send: (item) => checkinsApi.sendCheckin(item.body),
});
