// #/samtale/<id> for supporters: the history, a reply box, take, hand over
// (to a named colleague or a tier, with a note) and close; the patient's
// crisis plan beside it on wide screens.
import { append, h } from '../dom.js';
import { t } from '../i18n.js';
import * as chatApi from './api.js';
import * as circlesApi from '../care-circles/api.js';
import * as realtime from '../realtime.js';
import { backLink, confirmStep, loadFailed, messageArea, pageTitle, showMessage, withBusy } from '../ui.js';
import { firstName } from '../format.js';
import { newClientId } from '../outbox.js';
import { compactSections, kindsText } from '../plans/plan-ui.js';
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
import { inboxList, waitingText } from './inbox.js';
import { clockTime, levelBadge, reasonText } from '../checkins/checkin-ui.js';
import { noteRequest, shiftSummary } from './continuity-ui.js';
import * as plansApi from '../plans/api.js';
import { drawMessages, messageStore, noticeEntry } from './messages.js';

const POLL_MS = 30000;

// --- the crisis plan beside the conversation ------------------------------------

function planAside(patientId, patientName) {
  const aside = h('aside', { class: 'conv-plan panel', 'data-testid': 'plan-aside', 'aria-labelledby': 'plan-aside-title', hidden: true });
  (async () => {
    let plan;
    try {
      plan = await plansApi.plan(patientId);
    } catch {
      return; // not in my care circle any more, or no network: the aside stays hidden
    }
    if (!plan || !plan.sections) return;
    const sections = compactSections(plan, { headingLevel: 3 }); // "how I want to be met" first
    const words = { name: patientName || t('plan.supporter.the_patient'), kinds: kindsText(plan.your_team_kinds) || t('plan.supporter.your_team') };
    append(
      aside,
      h('h2', { id: 'plan-aside-title' }, t('plan.supporter.aside_title')),
      h('p', { class: 'muted' }, t('plan.supporter.shared_note', words)),
      ...sections,
      sections.length ? null : h('p', null, t('plan.supporter.nothing_shared', words)),
      h('p', null, h('a', { href: `#/pasient/${patientId}/kriseplan`, 'data-testid': 'plan-aside-open' }, t('plan.supporter.open_full'))),
    );
    aside.hidden = false;
  })();
  return aside;
}

// --- hand over ---------------------------------------------------------------------

function handoverForm({ user, patientId, conversationId, currentTier, onDone }) {
  const select = h('select', { id: 'handover-to', name: 'handover-to', required: true, 'data-testid': 'handover-to' });
  const note = h('textarea', { id: 'handover-note', name: 'handover-note', rows: 3, maxlength: 1000, 'aria-describedby': 'handover-note-hint', 'data-testid': 'handover-note' });
  const error = messageArea('error');
  const submit = h('button', { type: 'submit', class: 'button-primary', 'data-testid': 'handover-submit' }, t('chat.conv.handover_submit'));
  const form = h(
    'form',
    { class: 'form conv-handover-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'handover-to' }, t('chat.conv.handover_to')), select),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'handover-note' }, t('chat.conv.handover_note')),
      h('p', { class: 'hint', id: 'handover-note-hint' }, t('chat.conv.handover_note_hint')),
      note,
    ),
    error,
    h('div', { class: 'actions' }, submit),
  );
  const details = h('details', { class: 'conv-handover', 'data-testid': 'handover' }, h('summary', { class: 'button-secondary' }, t('chat.conv.handover')), form);

  (async () => {
    const [teams, circle] = await Promise.all([
      circlesApi.teams().catch(() => []),
      circlesApi.careCircle(patientId).catch(() => null),
    ]);
    const colleagues = new Map();
    for (const team of teams) {
      for (const member of team.members || []) {
        if (member.id !== user.id && !colleagues.has(member.id)) colleagues.set(member.id, member.display_name);
      }
    }
    const tiers = circle && Array.isArray(circle.tiers) ? circle.tiers : [0, 1, 2].map((position) => ({ position, teams: [] }));
    const next = (currentTier ?? 0) + 1;
    const tierOptions = tiers.map((tier) => {
      const names = (tier.teams || []).map((team) => team.name).join(', ');
      let label = names ? t('chat.conv.handover_tier', { n: tier.position + 1, teams: names }) : t('chat.conv.handover_tier_plain', { n: tier.position + 1 });
      if (tier.position === next) label = t('chat.conv.handover_next', { label });
      return h('option', { value: `tier:${tier.position}`, selected: tier.position === next }, label);
    });
    select.replaceChildren(
      colleagues.size
        ? h(
            'optgroup',
            { label: t('chat.conv.handover_colleagues') },
            [...colleagues].sort((a, b) => a[1].localeCompare(b[1])).map(([id, name]) => h('option', { value: `user:${id}` }, name)),
          )
        : null,
      h('optgroup', { label: t('chat.conv.handover_tiers') }, tierOptions),
    );
  })();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    showMessage(error, '');
    const [kind, value] = select.value.split(':');
    const body = { note: note.value.trim() };
    if (kind === 'user') body.to_user_id = Number(value);
    else body.to_tier = Number(value);
    try {
      await withBusy(submit, t('common.saving'), () =>
        ask('chat:handover', { conversation_id: conversationId, ...body }, () => chatApi.handover(conversationId, body)),
      );
      onDone(t('chat.conv.handover_done'));
    } catch (err) {
      showMessage(error, chatErrorText(err));
    }
  });
  return details;
}

/** Why it may be urgent: tonight's level and the answers that made it so. */
function tonightReason(reason) {
  if (!reason) return null;
  const reasons = reason.reasons.map(reasonText).filter(Boolean);
  return h(
    'p',
    { class: ['conv-tonight', `conv-tonight-${reason.level}`], 'data-testid': 'conv-tonight', dataset: { level: reason.level } },
    t('alerts.tonight', { time: clockTime(reason.at) }),
    ' ',
    levelBadge(reason.level),
    reasons.length ? ` ${reasons.join(', ')}` : '',
    reason.wants_contact ? ` · ${t('checkin.tonight.wants_contact')}` : '',
  );
}

// --- the screen ----------------------------------------------------------------------

export default async function conversationView(ctx) {
  const conversationId = Number(ctx.params.conversationId);
  const me = ctx.user;
  const root = h('div', { class: 'wide chat chat-conv', 'data-testid': 'conversation', dataset: { conversationId: String(conversationId) } });

  let view;
  let rows;
  try {
    [view, rows] = await Promise.all([allAfter(0, (after) => chatApi.conversation(conversationId, after)), chatApi.inbox()]);
  } catch (err) {
    root.append(backLink('#/innboks', t('chat.conv.back')), pageTitle(t('chat.conv.title_plain')), err && err.code !== 'network' ? h('p', { class: 'panel panel-problem', role: 'alert' }, chatErrorText(err)) : loadFailed(err, ctx.retry));
    return root;
  }
  const patientId = view.patient_id;
  let row = rows.find((r) => r.conversation_id === conversationId) || null;
  let patientName = row ? row.patient_name : '';
  if (!patientName) {
    try {
      patientName = (await circlesApi.patient(patientId)).display_name;
    } catch {
      patientName = '';
    }
  }
  const patientFirst = firstName(patientName) || patientName;

  const state = {
    sending: new Map(), // client_id → body, while waiting for the server
    deliveredSent: 0,
    readSent: 0,
    typingTimer: null,
  };
  const relation = h('p', { class: 'conv-relation', 'data-testid': 'conv-relation', role: 'status', 'aria-live': 'polite' });
  const tonight = h('div', { class: 'conv-tonight-slot' }, tonightReason(view.tonight));
  const noteBox = h('p', { class: 'conv-note panel', 'data-testid': 'conv-note', hidden: true });
  const summarySlot = h('div', { class: 'conv-summary' });
  const noteRequestSlot = h('div');
  const actionError = messageArea('error');
  const takeButton = h('button', { type: 'button', class: 'button-primary', 'data-testid': 'take', hidden: true }, t('chat.conv.take'));
  const closeButton = h('button', { type: 'button', class: 'button-secondary', 'data-testid': 'close', hidden: true }, t('chat.conv.close'));
  const confirmSlot = h('div');
  const log = messageLog();
  const stored = messageStore();
  const typing = h('p', { class: 'chat-typing', 'data-testid': 'chat-typing', 'aria-live': 'polite' });
  const sendError = messageArea('error');

  function lastPatientId() {
    return stored.lastId((m) => m.sender_role === 'patient');
  }

  function mine() {
    return Boolean(row && row.mine);
  }

  function offered() {
    return Boolean(row && !row.mine);
  }

  function renderRelation() {
    let text;
    if (mine()) text = t('chat.conv.held_by_you');
    else if (offered()) text = t('chat.conv.offered');
    else text = t('chat.conv.not_yours');
    const waiting = row ? waitingText(row, row.fetchedAt || Date.now()) : '';
    relation.textContent = waiting ? `${text} ${t('chat.conv.waiting', { name: patientFirst, waiting })}` : text;
    takeButton.hidden = !offered();
    closeButton.hidden = !mine();
    handover.hidden = !mine();
    reply.form.hidden = !(mine() || offered());
    noteBox.hidden = !(row && row.handover_note);
    noteBox.textContent = row && row.handover_note ? t('chat.inbox.note', { note: row.handover_note }) : '';
    const summary = row ? row.shift_summary : view.shift_summary;
    const summaryKey = summary ? summary.at : '';
    if (summarySlot.dataset.at !== summaryKey) {
      summarySlot.dataset.at = summaryKey;
      summarySlot.replaceChildren(...(summary ? [shiftSummary(summary)] : []));
    }
    if (!mine()) noteRequestSlot.replaceChildren();
  }

  function messageEntry(m) {
    if (m.notice) return noticeEntry(m);
    const isPatient = m.sender_role === 'patient';
    const isMe = m.sender_id === me.id;
    const who = isPatient ? patientName : isMe ? t('chat.you') : supporterLabel(m.sender_name, m.sender_team_kind);
    return {
      key: `m:${m.id}`,
      at: m.created_at,
      announce: isMe ? null : t('chat.new_message', { who, body: m.body }),
      make: () => bubble({ who, body: m.body, time: timeOf(m.created_at), at: m.created_at, mine: !isPatient, dataset: { id: String(m.id) } }),
    };
  }

  function sendingEntry({ client_id: clientId, body }) {
    return {
      key: `sending:${clientId}`,
      at: null,
      make: () => bubble({ who: t('chat.you'), body, mine: true, extra: h('span', { class: 'chat-pending' }, t('chat.conv.sending')), dataset: { clientId } }),
    };
  }

  function renderMessages() {
    const unsent = [...state.sending].map(([clientId, body]) => ({ client_id: clientId, body }));
    drawMessages({ log, root, store: stored, messageEntry, unsent, unsentEntry: sendingEntry, margin: 160 });
    confirmDelivery();
    markRead();
  }

  function confirmDelivery() {
    const upto = lastPatientId();
    if (upto <= state.deliveredSent || !realtime.isConnected()) return;
    state.deliveredSent = upto;
    realtime.request('chat:delivered', { conversation_id: conversationId, upto_id: upto }).then(
      (answer) => {
        if (!answer || !('ok' in answer)) state.deliveredSent = 0;
      },
      () => {
        state.deliveredSent = 0;
      },
    );
  }

  function markRead() {
    if (!mine() || document.visibilityState !== 'visible' || !root.isConnected) return;
    const upto = lastPatientId();
    if (upto <= state.readSent || (row && upto <= row.read_upto_id)) return;
    state.readSent = upto;
    ask('chat:read', { conversation_id: conversationId, upto_id: upto }, () => chatApi.markRead(conversationId, upto)).catch(() => {
      state.readSent = 0;
    });
  }

  async function refreshRelation() {
    try {
      const fresh = await chatApi.inbox();
      row = fresh.find((r) => r.conversation_id === conversationId) || null;
      if (row) row.fetchedAt = Date.now();
      renderRelation();
      markRead();
    } catch {
      /* the next event or poll tries again */
    }
  }

  let syncing = false;
  async function sync() {
    if (syncing) return;
    syncing = true;
    try {
      const after = stored.lastId();
      const fresh = await allAfter(after, (from) =>
        ask('chat:sync', { conversation_id: conversationId, after_id: from }, () => chatApi.conversation(conversationId, from)),
      );
      stored.merge(fresh.messages);
      renderMessages();
    } catch {
      /* try again on the next event or poll */
    } finally {
      syncing = false;
    }
  }

  const sendTyping = throttle(() => {
    if (mine() && realtime.isConnected()) realtime.request('chat:typing', { conversation_id: conversationId }).catch(() => {});
  }, 3000);

  const reply = composer({
    id: 'reply-input',
    label: t('chat.conv.reply_label', { name: patientFirst }),
    hint: t('chat.conv.reply_hint'),
    onTyping: sendTyping,
    onSend: async (text) => {
      showMessage(sendError, '');
      const clientId = newClientId();
      state.sending.set(clientId, text);
      renderMessages();
      try {
        const message = await ask('chat:send', { conversation_id: conversationId, client_id: clientId, body: text }, () =>
          chatApi.reply(conversationId, { client_id: clientId, body: text }),
        );
        stored.merge([message]);
        return true;
      } catch (err) {
        showMessage(sendError, chatErrorText(err));
        reply.input.value = text;
        return false;
      } finally {
        state.sending.delete(clientId);
        renderMessages();
        if (!mine()) refreshRelation(); // answering an offer takes it
      }
    },
  });

  takeButton.addEventListener('click', async () => {
    showMessage(actionError, '');
    try {
      await withBusy(takeButton, t('chat.conv.taking'), () =>
        ask('chat:take', { conversation_id: conversationId }, () => chatApi.take(conversationId)),
      );
    } catch (err) {
      showMessage(actionError, chatErrorText(err));
    }
    await refreshRelation();
    if (mine()) reply.input.focus();
  });

  closeButton.addEventListener('click', () => {
    const step = confirmStep({
      question: t('chat.conv.close_question'),
      confirmLabel: t('chat.conv.close_confirm'),
      onCancel: () => {
        confirmSlot.replaceChildren();
        closeButton.focus();
      },
      onConfirm: async (yes) => {
        try {
          await withBusy(yes, t('common.saving'), () => ask('chat:close', { conversation_id: conversationId }, () => chatApi.close(conversationId)));
          ctx.flash(t('chat.conv.closed'));
          ctx.navigate('/innboks');
        } catch (err) {
          confirmSlot.replaceChildren();
          showMessage(actionError, chatErrorText(err));
        }
      },
    });
    confirmSlot.replaceChildren(step.box);
    step.focus();
  });

  const handover = handoverForm({
    user: me,
    patientId,
    conversationId,
    currentTier: row ? row.tier_position : 0,
    onDone: (text) => {
      ctx.flash(text);
      ctx.navigate('/innboks');
    },
  });

  const main = h(
    'section',
    { class: 'conv-main', 'aria-labelledby': 'conv-title' },
    relation,
    tonight,
    summarySlot,
    noteBox,
    noteRequestSlot,
    h('div', { class: 'actions' }, takeButton, closeButton),
    actionError,
    confirmSlot,
    log.list,
    log.announcer,
    typing,
    reply.form,
    sendError,
    handover,
  );
  const title = pageTitle(patientName ? t('chat.conv.title', { name: patientName }) : t('chat.conv.title_plain'));
  title.id = 'conv-title';
  const others = inboxList({ currentId: conversationId });
  others.load();
  const side = h(
    'div',
    { class: 'conv-side' },
    planAside(patientId, patientFirst),
    h('section', { class: 'conv-inbox', 'aria-labelledby': 'conv-inbox-title' }, h('h2', { id: 'conv-inbox-title' }, t('chat.inbox.title')), others.node),
  );
  root.append(backLink('#/innboks', t('chat.conv.back')), title, h('div', { class: 'conv-grid' }, main, side));

  function askForNote(shiftEndsAt) {
    if (!shiftEndsAt || noteRequestSlot.firstChild) return;
    noteRequestSlot.replaceChildren(noteRequest({ conversationId, shiftEndsAt, patientName: patientFirst, note: row ? row.handover_note : '' }));
  }

  if (row) row.fetchedAt = Date.now();
  stored.merge(view.messages);
  renderRelation();
  renderMessages();
  askForNote(view.note_requested_for);

  onPush(root, (name, data) => {
    if (name === 'connect') {
      sync();
      refreshRelation();
      return;
    }
    if (!data || data.conversation_id !== conversationId) return;
    if (name === 'chat:message') {
      stored.merge([data]);
      if (data.sender_role === 'patient') typing.textContent = '';
      renderMessages();
      if (data.sender_role === 'patient') refreshRelation();
    } else if (name === 'chat:taken') {
      showMessage(actionError, '');
      relation.textContent = t('chat.conv.taken_by', { name: firstName(data.by) });
      refreshRelation();
    } else if (name === 'chat:offer') {
      // The offer carries tonight's reason as this supporter may see it now.
      tonight.replaceChildren(...[tonightReason(data.tonight)].filter(Boolean));
      refreshRelation();
    } else if (name === 'chat:note_request') {
      askForNote(data.shift_ends_at);
    } else if (name === 'chat:nudge') {
      // The patient wrote and has waited the tier's time limit for an answer.
      showMessage(actionError, t('alerts.nudge', { name: patientFirst }));
    } else if (name === 'chat:typing' && data.who === 'patient') {
      typing.textContent = t('chat.typing', { name: patientFirst });
      clearTimeout(state.typingTimer);
      state.typingTimer = setTimeout(() => {
        typing.textContent = '';
      }, 5000);
    }
  });
  // What came while the conversation was loading was not heard: ask once for anything newer.
  sync();
  const onVisible = () => {
    if (document.visibilityState === 'visible') markRead();
  };
  document.addEventListener('visibilitychange', onVisible);
  const poll = setInterval(() => {
    sync();
    refreshRelation();
  }, POLL_MS);
  whileShown(root, () => {
    clearInterval(poll);
    clearTimeout(state.typingTimer);
    document.removeEventListener('visibilitychange', onVisible);
  });
  return root;
}
