// The patient's outbox. Every chat message is written here (localStorage, per
// user) with its own client_id *before* it is sent, and removed only when the
// server has acknowledged it. The server stores a resend with the same
// client_id once, so retrying is always safe: on reconnect, when the browser
// comes back online, at app start and on a timer while anything waits.
import { api } from './api.js';
import * as realtime from './realtime.js';

const PREFIX = 'nattlys.chat-outbox.';
const RETRY_MS = 10000;

/** 'change' (the list changed) and 'sent' (detail: {clientId, message}). */
export const outboxEvents = new EventTarget();

let userId = null;
let flushing = false;
let again = false;
let retryTimer = null;

function storageKey() {
  return `${PREFIX}${userId}`;
}

export function newClientId() {
  if (globalThis.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The waiting messages, oldest first: [{client_id, body, queued_at, error?}]. */
export function pending() {
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
  outboxEvents.dispatchEvent(new Event('change'));
}

function update(clientId, change) {
  save(pending().map((item) => (item.client_id === clientId ? { ...item, ...change } : item)));
}

/** Queue a message; it is saved before anything is sent. */
export function add(body) {
  const item = { client_id: newClientId(), body, queued_at: new Date().toISOString() };
  save([...pending(), item]);
  flush();
  return item;
}

export function discard(clientId) {
  save(pending().filter((item) => item.client_id !== clientId));
}

/** Try a message that failed for good (too long, not allowed) once more. */
export function retry(clientId) {
  update(clientId, { error: null });
  flush();
}

function failure(answer) {
  const code = (answer && typeof answer.error === 'string' && answer.error) || 'unknown';
  return Object.assign(new Error(code), { code, status: code === 'internal_error' ? 500 : 400 });
}

async function sendOne(item) {
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
  return api('POST', '/api/chat/messages', body);
}

function scheduleRetry(ms) {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(flush, ms);
}

function isTemporary(err) {
  return err.code === 'network' || err.code === 'internal_error' || err.code === 'unauthorized' || err.status >= 500;
}

/** Send what waits, oldest first. Stops at the first temporary problem. */
export async function flush() {
  if (userId === null) return;
  if (flushing) {
    again = true;
    return;
  }
  if (navigator.onLine === false) return; // the 'online' event brings us back
  flushing = true;
  try {
    do {
      again = false;
      for (const item of pending()) {
        if (item.error) continue; // waits for the patient to retry or remove it
        let message;
        try {
          message = await sendOne(item);
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
        outboxEvents.dispatchEvent(new CustomEvent('sent', { detail: { clientId: item.client_id, message } }));
      }
    } while (again && userId !== null);
  } finally {
    flushing = false;
  }
}

/** After login (patients only): send whatever waits from last time. */
export function start(user) {
  if (!user || user.role !== 'patient') {
    userId = null;
    return;
  }
  userId = user.id;
  outboxEvents.dispatchEvent(new Event('change'));
  flush();
}

/** The session ended: stop sending. Logging out also forgets what waits. */
export function stop({ forget = false } = {}) {
  if (forget && userId !== null) {
    try {
      localStorage.removeItem(storageKey());
    } catch {
      /* nothing stored */
    }
  }
  userId = null;
  clearTimeout(retryTimer);
  outboxEvents.dispatchEvent(new Event('change'));
}

window.addEventListener('online', () => flush());
realtime.events.addEventListener('connect', () => flush());
