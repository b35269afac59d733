// #/chat for patients: one conversation with whoever is on duty, an honest
// status line, and an outbox so nothing written is lost when the network is.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as chatApi from './api.js';
import * as realtime from '../realtime.js';
import * as outbox from '../outbox.js';
import { pageTitle } from '../ui.js';
import { firstName } from '../format.js';
import {
  allAfter,
  ask,
  bubble,
  chatErrorText,
  composer,
  messageLog,
  onPush,
  supporterLabel,
  throttle,
  timeOf,
  whileShown,
} from './chat-ui.js';
import { helpNow, isCurrent, needsHelpNow, reachableLine } from './routing-status.js';
import { drawMessages, messageStore, noticeEntry } from './messages.js';

const POLL_MS = 15000;

function statusText(status) {
  if (!status) return '';
  const who = supporterLabel(status.supporter_name, status.supporter_team_kind);
  switch (status.code) {
    case 'passed_on':
      return status.tier_kind
        ? t('chat.status.passed_on', { where: t(`chat.to_kind.${status.tier_kind}`) })
        : t('chat.status.passed_on_plain');
    case 'answering':
    case 'read':
      return t(`chat.status.${status.code}`, { who });
    case 'sent':
    case 'delivered':
    case 'waiting':
    case 'trying_others':
    case 'nobody_reachable':
    case 'nobody_on_duty':
      return t(`chat.status.${status.code}`);
    default:
      return '';
  }
}

/** Nobody can answer now: what is true, the numbers, the circle's own number, the plan. */
function nobodyPanel(status) {
  return h(
    'section',
    { class: 'chat-nobody', 'data-testid': 'nobody-on-duty', 'data-code': status.code, 'aria-labelledby': 'chat-nobody-title' },
    h('h2', { id: 'chat-nobody-title' }, t(status.code === 'nobody_reachable' ? 'chat.nobody.title_unanswered' : 'chat.nobody.title')),
    h('p', null, t(status.code === 'nobody_reachable' ? 'chat.nobody.text_unanswered' : 'chat.nobody.text')),
    helpNow(status.reachability, { testid: 'chat-help-now', headingLevel: 'h3' }),
  );
}

export default async function chatView(ctx) {
  const root = h('div', { class: 'narrow chat chat-patient', 'data-testid': 'chat' });
  const statusLine = h('p', { class: 'chat-status-line', 'data-testid': 'chat-status' });
  const waitLine = h('p', { class: 'chat-wait', 'data-testid': 'chat-wait', hidden: true });
  const offlineLine = h('p', { class: 'chat-offline', hidden: true }, t('chat.offline'));
  const problem = h('p', { class: 'message message-status', role: 'status', hidden: true });
  const nobody = h('div', { class: 'chat-nobody-slot' });
  const reachable = h('div', { class: 'chat-reachable' });
  const log = messageLog();
  const stored = messageStore();
  const empty = h('p', { class: 'chat-empty muted' }, t('chat.empty'));
  const typing = h('p', { class: 'chat-typing', 'data-testid': 'chat-typing', 'aria-live': 'polite' });

  const state = {
    conversationId: null,
    status: null,
    statusAt: 0,
    readSent: 0,
    typingTimer: null,
    loaded: false, // the history is in: what comes after it is new
  };

  function renderStatus() {
    const status = state.status;
    statusLine.textContent = statusText(status);
    statusLine.hidden = !statusLine.textContent;
    let waitText = '';
    if (status && status.state === 'offered' && typeof status.expected_wait_seconds === 'number' && !needsHelpNow(status.code)) {
      const left = status.expected_wait_seconds - (Date.now() - state.statusAt) / 1000;
      const minutes = Math.max(1, Math.ceil(left / 60));
      waitText = t('chat.wait', { count: minutes });
    }
    waitLine.textContent = waitText;
    waitLine.hidden = !waitText;
    const code = status ? status.code : '';
    if (nobody.dataset.code !== code) {
      nobody.dataset.code = code;
      nobody.replaceChildren(...(needsHelpNow(code) ? [nobodyPanel(status)] : []));
    }
    // Before writing and while waiting: who can answer now, from the roster
    // (not once someone answers, nor at the ceiling, where the panel says more).
    const showReach = status && status.reachability && !['answering', 'read', 'trying_others', 'nobody_reachable'].includes(code);
    reachable.replaceChildren(...(showReach ? [reachableLine(status.reachability)] : []));
    offlineLine.hidden = navigator.onLine !== false;
  }

  function pendingBubble(item) {
    const extra = item.error
      ? h(
          'span',
          { class: 'chat-failed', 'data-testid': 'not-sent' },
          h('span', null, t('chat.failed'), ' ', chatErrorText({ code: item.error })),
          h('button', { type: 'button', class: 'button-secondary chat-small', onclick: () => outbox.retry(item.client_id) }, t('chat.try_again')),
          h('button', { type: 'button', class: 'button-secondary chat-small', onclick: () => outbox.discard(item.client_id) }, t('chat.remove')),
        )
      : h('span', { class: 'chat-pending', 'data-testid': 'not-sent', title: t('chat.not_sent_explain') }, t('chat.not_sent'));
    return bubble({
      who: t('chat.you'),
      body: item.body,
      time: null, // the phone's clock may differ from the server's
      mine: true,
      extra,
      dataset: { clientId: item.client_id, pending: 'true' },
    });
  }

  function pendingEntry(item) {
    return { key: `pending:${item.client_id}`, version: item.error || '', at: null, make: () => pendingBubble(item) };
  }

  function messageEntry(m) {
    if (m.notice) return noticeEntry(m);
    const mine = m.sender_role === 'patient';
    const who = mine ? t('chat.you') : supporterLabel(m.sender_name, m.sender_team_kind);
    return {
      key: `m:${m.id}`,
      at: m.created_at,
      announce: mine ? null : t('chat.new_message', { who, body: m.body }),
      make: () => bubble({ who, body: m.body, time: timeOf(m.created_at), at: m.created_at, mine, dataset: { id: String(m.id), clientId: m.client_id } }),
    };
  }

  function renderMessages() {
    drawMessages({
      log,
      root,
      store: stored,
      messageEntry,
      unsent: outbox.pending(),
      unsentEntry: pendingEntry,
      margin: 120,
      empty,
      options: { announce: state.loaded },
    });
    markRead();
  }

  function markRead() {
    if (!state.conversationId || document.visibilityState !== 'visible' || !root.isConnected) return;
    const upto = stored.lastId((m) => m.sender_role !== 'patient');
    if (upto <= state.readSent) return;
    state.readSent = upto;
    const id = state.conversationId;
    ask('chat:read', { upto_id: upto }, () => chatApi.markRead(id, upto)).catch(() => {
      state.readSent = 0; // try again next time
    });
  }

  // A status pushed (socket event or send acknowledgement) while a load was
  // on its way is newer than the one the load brings back; so is one sent by
  // another server process that happened to arrive first.
  function showStatus(status) {
    if (!isCurrent(status, state.status)) return;
    state.status = status;
    state.statusAt = Date.now();
  }

  function applyStatus(status) {
    if (state.conversationId && status.conversation_id !== state.conversationId) return;
    showStatus(status);
    renderStatus();
  }

  function applyView(view) {
    state.conversationId = view.id;
    stored.merge(view.messages);
    showStatus(view.status);
    renderStatus();
    renderMessages();
    state.loaded = true;
  }

  let syncing = false;
  async function sync() {
    if (syncing || navigator.onLine === false) return;
    syncing = true;
    try {
      const after = stored.lastId();
      const view = await allAfter(after, (from) => ask('chat:sync', { after_id: from }, () => chatApi.ownConversation(from)));
      problem.hidden = true;
      applyView(view);
    } catch {
      /* the next reconnect, online event or poll tries again */
    } finally {
      syncing = false;
    }
  }

  const sendTyping = throttle(() => {
    if (realtime.isConnected()) realtime.request('chat:typing', {}).catch(() => {});
  }, 3000);

  const input = composer({
    id: 'chat-input',
    label: t('chat.input_label'),
    hint: t('chat.input_hint'),
    onSend: (text) => {
      outbox.add(text);
      return true;
    },
    onTyping: sendTyping,
  });

  root.append(
    pageTitle(t('chat.title')),
    h('p', { class: 'lead' }, t('chat.intro')),
    h('p', { class: 'chat-plan-link' }, h('a', { href: '#/kriseplan', class: 'button-link', 'data-testid': 'crisis-plan-link' }, t('chat.crisis_plan'))),
    h('div', { class: 'chat-status', role: 'status', 'aria-live': 'polite' }, reachable, statusLine, waitLine, offlineLine),
    nobody,
    problem,
    empty,
    log.list,
    log.announcer,
    typing,
    input.form,
  );

  // Live updates, heard from before the first load: what happens while it is
  // on its way (a slow phone) is not lost.
  onPush(root, (name, data) => {
    if (name === 'connect') {
      sync();
      return;
    }
    if (name === 'chat:message') {
      if (state.conversationId && data.conversation_id !== state.conversationId) return;
      state.conversationId = data.conversation_id;
      stored.merge([data]);
      if (data.sender_role !== 'patient') typing.textContent = '';
      renderMessages();
    } else if (name === 'chat:status') {
      applyStatus(data);
    } else if (name === 'chat:typing') {
      if (!data.who || data.who === 'patient') return;
      typing.textContent = t('chat.typing', { name: firstName(data.who) });
      clearTimeout(state.typingTimer);
      state.typingTimer = setTimeout(() => {
        typing.textContent = '';
      }, 5000);
    }
  });

  try {
    applyView(await allAfter(0, chatApi.ownConversation));
  } catch (err) {
    problem.textContent = err && err.code === 'network' ? t('chat.load_failed') : chatErrorText(err);
    problem.hidden = false;
    renderStatus();
    renderMessages();
  }

  const onOutboxChange = () => renderMessages();
  // The socket's acknowledgement is the message as stored, with the status
  // (this socket is not sent its own message back, and chat:status follows
  // only a change); an answer over HTTP is the message alone.
  const onSent = (event) => {
    const { status, ...message } = event.detail.message;
    stored.merge([message]);
    if (status) applyStatus(status);
    renderMessages();
  };
  const onOnline = () => {
    renderStatus();
    sync();
  };
  const onVisible = () => {
    if (document.visibilityState === 'visible') {
      markRead();
      sync();
    }
  };
  outbox.outboxEvents.addEventListener('change', onOutboxChange);
  outbox.outboxEvents.addEventListener('sent', onSent);
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', renderStatus);
  document.addEventListener('visibilitychange', onVisible);
  // A safety net when the socket is down, and the expected wait counts down.
  const poll = setInterval(() => {
    renderStatus();
    if (!realtime.isConnected()) sync();
  }, POLL_MS);
  whileShown(root, () => {
    outbox.outboxEvents.removeEventListener('change', onOutboxChange);
    outbox.outboxEvents.removeEventListener('sent', onSent);
    window.removeEventListener('online', onOnline);
    window.removeEventListener('offline', renderStatus);
    document.removeEventListener('visibilitychange', onVisible);
    clearInterval(poll);
    clearTimeout(state.typingTimer);
  });
  outbox.flush();
  return root;
}

