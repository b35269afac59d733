// Pieces shared by the patient's chat and the supporters' inbox and
// conversation screens. Message text always goes in as text (h()), never markup.
import { h } from '../dom.js';
import { t, has, locale } from '../i18n.js';
import { firstName, TIME_ZONE } from '../format.js';
import { errorText } from '../ui.js';
import { osloToday } from '../checkins/checkin-ui.js';
import * as realtime from '../realtime.js';

export const MAX_LENGTH = 4000;
const WARN_FROM = 3600;

/** "bolig" → "bolig", "kommune" → "kommunen" (as in "Kari (kommunen)"). */
export function kindWord(kind) {
  return kind && has(`chat.kind.${kind}`) ? t(`chat.kind.${kind}`) : kind || '';
}

/** "Kari (bolig)", or just "Kari" when the team kind is unknown. */
export function supporterLabel(name, kind) {
  const first = firstName(name) || t('chat.someone');
  return kind ? t('chat.sender', { name: first, kind: kindWord(kind) }) : t('chat.sender_plain', { name: first });
}

export function chatErrorText(error) {
  const code = error && error.code ? error.code : 'unknown';
  if (has(`chat.errors.${code}`)) return t(`chat.errors.${code}`);
  return errorText(error);
}

export function timeOf(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(locale(), { timeZone: TIME_ZONE, hour: '2-digit', minute: '2-digit' }).format(date);
}

/**
 * Ask through the socket when it is connected, else over HTTP.
 * Resolves with the result; rejects with {code} like api() does.
 */
export async function ask(event, data, http) {
  if (realtime.isConnected()) {
    let answer;
    try {
      answer = await realtime.request(event, data);
    } catch {
      answer = null; // no answer in time: try HTTP
    }
    if (answer && 'ok' in answer) return answer.ok;
    if (answer && answer.error && answer.error !== 'internal_error') {
      throw Object.assign(new Error(answer.error), { code: answer.error, status: 400 });
    }
  }
  if (!http) throw Object.assign(new Error('network'), { code: 'network', status: 0 });
  return http();
}

/**
 * Run `cleanup` once `node` has been shown and then taken off the page (the
 * router replaces the screen; views have no unmount hook).
 */
export function whileShown(node, cleanup) {
  let seen = false;
  let ticks = 0;
  const timer = setInterval(() => {
    ticks += 1;
    if (node.isConnected) seen = true;
    else if (seen || ticks > 120) {
      clearInterval(timer);
      cleanup();
    }
  }, 500);
}

/** Listen to server pushes ({name, args}) while `node` is shown. */
export function onPush(node, handler) {
  const listener = (event) => {
    if (event.type === 'message') handler(event.detail.name, event.detail.args[0] || {});
    else handler(event.type, null);
  };
  realtime.events.addEventListener('message', listener);
  realtime.events.addEventListener('connect', listener);
  whileShown(node, () => {
    realtime.events.removeEventListener('message', listener);
    realtime.events.removeEventListener('connect', listener);
  });
}

/** A message bubble. `mine` for the viewer's own messages; `at` (ISO) places it under its day. */
export function bubble({ who, body, time, mine, at = null, extra = null, testid = 'chat-message', dataset = {} }) {
  return h(
    'li',
    { class: ['chat-msg', mine ? 'chat-msg-me' : 'chat-msg-them'], 'data-testid': testid, dataset: at ? { ...dataset, at } : dataset },
    h('p', { class: 'chat-who' }, who),
    h('p', { class: 'chat-body' }, body),
    h('p', { class: 'chat-meta' }, time ? h('time', null, time) : null, extra),
  );
}

// --- date separators -------------------------------------------------------------------

/** "2026-12-04": the Oslo day of an instant. */
function osloDayKey(instant) {
  return osloToday(new Date(instant));
}

function dayBefore(key) {
  const [y, m, d] = key.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}

/** "I dag", "I går", or "Onsdag 2. desember" (with the year when it is not this year). */
export function dayLabel(key, now = new Date()) {
  const today = osloDayKey(now);
  if (key === today) return t('chat.day.today');
  if (key === dayBefore(today)) return t('chat.day.yesterday');
  const [y, m, d] = key.split('-').map(Number);
  const options = { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long' };
  if (key.slice(0, 4) !== today.slice(0, 4)) options.year = 'numeric';
  const text = new Intl.DateTimeFormat(locale(), options).format(new Date(Date.UTC(y, m - 1, d, 12)));
  return text[0].toUpperCase() + text.slice(1);
}

/**
 * The message list of a chat, with a date line before the first message of
 * each Oslo day. `render` adds, replaces and removes only what changed, so a
 * new message does not rebuild the list under a reader's (or screen reader's)
 * feet; each new message from someone else is said once, with its sender, in
 * a separate live region (the list itself is not live: it keeps its list
 * semantics and is not read again).
 *
 * Entries: {key, version, at, make, announce}. `key` names a message for
 * good; a different `version` remakes its node (a pending message that
 * failed); `at` (ISO, or null when not sent yet: it joins the day before it)
 * places it under its day; `announce` is the live region's text, or null.
 */
export function messageLog() {
  const list = h('ol', { class: 'chat-messages', 'aria-label': t('chat.messages_label'), 'data-testid': 'chat-messages' });
  const announcer = h('div', { class: 'visually-hidden', 'aria-live': 'polite', 'aria-relevant': 'additions', 'data-testid': 'chat-announcer' });
  let shown = null; // key → {node, version}, once rendered
  const said = new Set(); // keys that may not be announced (again)

  function dayEntry(key) {
    const label = dayLabel(key);
    return { key: `day:${key}`, version: label, make: () => h('li', { class: 'chat-day', 'data-testid': 'chat-day', 'data-day': key }, h('span', null, label)) };
  }

  /**
   * Show `entries` (in order). `announce: false` for history the reader has
   * not just received; the first render is taken to be history.
   */
  function render(entries, { announce = shown !== null } = {}) {
    const withDays = [];
    let lastDay = null;
    for (const entry of entries) {
      const day = entry.at ? osloDayKey(entry.at) : lastDay || osloDayKey(Date.now());
      if (day !== lastDay) withDays.push(dayEntry(day));
      lastDay = day;
      withDays.push(entry);
    }
    const next = new Map();
    for (const entry of withDays) {
      const kept = shown && shown.get(entry.key);
      const version = entry.version ?? '';
      next.set(entry.key, kept && kept.version === version ? kept : { node: entry.make(), version });
    }
    for (const [key, { node }] of shown || []) if (next.get(key)?.node !== node) node.remove();
    let cursor = list.firstChild;
    for (const { node } of next.values()) {
      if (node === cursor) cursor = cursor.nextSibling;
      else list.insertBefore(node, cursor);
    }
    shown = next;

    const news = [];
    for (const entry of entries) {
      if (!entry.announce || said.has(entry.key)) continue;
      said.add(entry.key);
      if (announce) news.push(entry.announce);
    }
    for (const text of news) announcer.append(h('p', null, text));
    while (announcer.childElementCount > 3) announcer.firstElementChild.remove();
  }

  return { list, announcer, render };
}

/**
 * A labelled textarea with a Send button: Enter sends, Shift+Enter breaks the
 * line, and a kind counter near the 4000 character limit.
 */
export function composer({ id, label, hint, sendLabel = t('chat.send'), onSend, onTyping }) {
  const hintId = `${id}-hint`;
  const countId = `${id}-count`;
  // On a touch screen there is no Shift key to speak of: the Send button is the way.
  const touch = Boolean(window.matchMedia && window.matchMedia('(pointer: coarse)').matches);
  const input = h('textarea', {
    id,
    name: id,
    rows: 2,
    class: 'chat-input',
    'aria-describedby': touch ? countId : `${hintId} ${countId}`,
    autocomplete: 'off',
    'data-testid': 'chat-input',
  });
  const count = h('p', { class: 'chat-count', id: countId, 'aria-live': 'polite' });
  const send = h('button', { type: 'submit', class: 'button-primary chat-send', 'data-testid': 'chat-send' }, sendLabel);
  const form = h(
    'form',
    { class: 'chat-composer', novalidate: true },
    h('label', { for: id, class: 'chat-label' }, label),
    touch ? null : h('p', { class: 'hint', id: hintId }, hint),
    h('div', { class: 'chat-compose-row' }, input, send),
    count,
  );
  function tooLong() {
    return input.value.trim().length > MAX_LENGTH;
  }
  function updateCount() {
    const length = input.value.trim().length;
    count.classList.toggle('chat-count-over', length > MAX_LENGTH);
    if (length > MAX_LENGTH) count.textContent = t('chat.too_long', { count: length });
    else if (length >= WARN_FROM) count.textContent = t('chat.chars_left', { count: MAX_LENGTH - length });
    else count.textContent = '';
    input.setAttribute('aria-invalid', length > MAX_LENGTH ? 'true' : 'false');
  }
  async function submit() {
    const text = input.value.trim();
    if (!text) {
      input.focus();
      return;
    }
    if (tooLong()) {
      updateCount();
      input.focus();
      return;
    }
    const ok = await onSend(text);
    if (ok !== false) {
      input.value = '';
      updateCount();
    }
    input.focus();
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  input.addEventListener('input', () => {
    updateCount();
    if (onTyping && input.value.trim()) onTyping();
  });
  return { form, input, send };
}

/** Call `fn` at most once every `ms`. */
export function throttle(fn, ms) {
  let last = 0;
  return (...args) => {
    const now = Date.now();
    if (now - last >= ms) {
      last = now;
      fn(...args);
    }
  };
}

/**
 * All messages after `afterId`, page by page (the server sends at most 200 at a
 * time); `page(after)` asks for one page. The state is the newest page's, but
 * tonight's reason (staff) comes only with the first load's first page: a long
 * conversation must not hide that she is red tonight.
 */
export async function allAfter(afterId, page) {
  let after = afterId;
  let first = null;
  let view = null;
  const messages = [];
  for (let n = 0; n < 50; n += 1) {
    view = await page(after);
    first = first || view;
    messages.push(...view.messages);
    if (view.messages.length < 200) break;
    after = view.messages[view.messages.length - 1].id;
  }
  return 'tonight' in first ? { ...view, tonight: first.tonight, messages } : { ...view, messages };
}
