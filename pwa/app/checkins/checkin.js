// #/kveldssjekk for patients: the evening (or night) check-in on one screen,
// done in under a minute, and what follows from the answers. A check-in is
// put in the check-in outbox with its idempotency key before it is sent, so a
// double tap, a retry, a reload or a night without network never sends it
// twice and never loses it: with no network it waits and is sent on reconnect.
import { append, h, uid } from '../dom.js';
import { t } from '../i18n.js';
import * as checkinsApi from './api.js';
import { partOfDay } from '../format.js';
import { errorText, loadFailed, messageArea, pageTitle, showMessage } from '../ui.js';
import { bigNumbers, clockTime } from './checkin-ui.js';
import { checkins as outbox, newClientId } from '../outbox.js';
import * as planStore from '../plans/plan-store.js';
import { onPush } from '../chat/chat-ui.js';
import { alertText, contactText, helpNow, isCurrent, needsHelpNow } from '../chat/routing-status.js';

const MAX_NOTE = 1000;
const SENT_SHOWN_MS = 60000;

// A queued check-in the outbox sent while the app was busy elsewhere (the
// screen is drawn again when the network is back): shown once by the next view.
let lastSent = null;
outbox.events.addEventListener('sent', (event) => {
  lastSent = { result: event.detail.message, at: Date.now() };
});

function newKey() {
  return newClientId().replace(/-/g, '');
}

/**
 * A question answered with one tap: radio buttons drawn as big buttons.
 * options: [{value, label}]. Returns {node, value()}.
 */
function choice({ name, legend, hint, options, columns = null, ends = null }) {
  const id = uid(name);
  const hintId = hint ? `${id}-hint` : undefined;
  const fieldset = h(
    'fieldset',
    { class: ['checkin-q', `checkin-q-${name}`], 'data-question': name, 'aria-describedby': hintId },
    h('legend', { class: 'checkin-legend' }, legend),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    ends ? h('p', { class: 'checkin-ends', 'aria-hidden': 'true' }, h('span', null, ends[0]), h('span', null, ends[1])) : null,
    h(
      'div',
      { class: ['choices', columns && `choices-${columns}`] },
      options.map((o, i) => {
        const inputId = `${id}-${i}`;
        return h(
          'div',
          { class: 'choice' },
          h('input', { type: 'radio', id: inputId, name: id, value: String(o.value), 'data-value': String(o.value) }),
          h('label', { for: inputId, 'aria-label': o.ariaLabel }, o.label),
        );
      }),
    ),
  );
  return {
    node: fieldset,
    value() {
      const checked = fieldset.querySelector('input:checked');
      return checked ? checked.value : null;
    },
    focus() {
      fieldset.querySelector('input').focus();
    },
    mark(missing) {
      fieldset.classList.toggle('checkin-q-missing', missing);
    },
  };
}

function signsQuestion(signs) {
  if (!signs.length) {
    return {
      node: h(
        'fieldset',
        { class: 'checkin-q', 'data-question': 'warning_signs' },
        h('legend', { class: 'checkin-legend' }, t('checkin.form.signs')),
        h('p', { class: 'hint' }, t('checkin.form.signs_none'), ' ', h('a', { href: '#/kriseplan' }, t('checkin.form.signs_plan'))),
      ),
      value: () => [],
    };
  }
  const id = uid('sign');
  const node = h(
    'fieldset',
    { class: 'checkin-q', 'data-question': 'warning_signs' },
    h('legend', { class: 'checkin-legend' }, t('checkin.form.signs')),
    h('p', { class: 'hint' }, t('checkin.form.signs_hint')),
    h(
      'div',
      { class: 'checkin-signs' },
      signs.map((text, i) =>
        h('div', { class: 'checkin-sign' }, h('input', { type: 'checkbox', id: `${id}-${i}`, value: String(i) }), h('label', { for: `${id}-${i}` }, text)),
      ),
    ),
  );
  return {
    node,
    value: () => Array.from(node.querySelectorAll('input:checked'), (input) => Number(input.value)),
  };
}

function intensityOptions(prefix) {
  return ['none', 'some', 'strong'].map((value) => ({ value, label: t(`checkin.form.${prefix}.${value}`) }));
}

function checkinForm(state, { onResult, onQueued }) {
  const pressure = choice({
    name: 'pressure',
    legend: t('checkin.form.pressure'),
    hint: t('checkin.form.pressure_hint'),
    ends: [t('checkin.form.pressure_low'), t('checkin.form.pressure_high')],
    columns: 'pressure',
    options: Array.from({ length: 11 }, (_, n) => ({
      value: n,
      label: String(n),
      ariaLabel: n === 0 ? t('checkin.form.pressure_0') : n === 10 ? t('checkin.form.pressure_10') : undefined,
    })),
  });
  const mood = choice({
    name: 'mood',
    legend: t('checkin.form.mood'),
    columns: 'mood',
    options: [1, 2, 3, 4, 5].map((n) => ({ value: n, label: t(`checkin.form.mood_${n}`) })),
  });
  const sleep = choice({
    name: 'sleep',
    legend: t('checkin.form.sleep'),
    columns: 'four',
    options: ['good', 'ok', 'poor', 'none'].map((value) => ({ value, label: t(`checkin.form.sleep_${value}`) })),
  });
  const signs = signsQuestion(state.warning_signs || []);
  const selfHarm = choice({ name: 'self_harm_urge', legend: t('checkin.form.self_harm'), columns: 'three', options: intensityOptions('self_harm_answer') });
  const suicidal = choice({ name: 'suicidal_thoughts', legend: t('checkin.form.suicidal'), columns: 'three', options: intensityOptions('suicidal_answer') });
  const contact = choice({
    name: 'wants_contact',
    legend: t('checkin.form.contact'),
    hint: t('checkin.form.contact_hint'),
    columns: 'two',
    options: [
      { value: 'yes', label: t('checkin.form.contact_yes') },
      { value: 'no', label: t('checkin.form.contact_no') },
    ],
  });
  const noteId = uid('note');
  const note = h('textarea', { id: noteId, maxlength: MAX_NOTE, rows: 3, class: 'checkin-note' });
  const more = h(
    'details',
    { class: 'checkin-more' },
    h('summary', null, t('checkin.form.note_toggle')),
    h('div', { class: 'field' }, h('label', { for: noteId }, t('checkin.form.note')), note),
  );
  const required = [
    ['pressure', pressure],
    ['mood', mood],
    ['sleep', sleep],
    ['self_harm_urge', selfHarm],
    ['suicidal_thoughts', suicidal],
  ];
  const error = messageArea('error');
  const send = h('button', { type: 'submit', class: 'button-primary checkin-send', 'data-testid': 'checkin-send' }, t('checkin.form.send'));
  const form = h(
    'form',
    { class: 'checkin-form', novalidate: true, 'data-testid': 'checkin-form' },
    pressure.node,
    mood.node,
    sleep.node,
    signs.node,
    selfHarm.node,
    suicidal.node,
    contact.node,
    more,
    error,
    h('div', { class: 'actions' }, send),
    h('p', { class: 'hint' }, t('checkin.form.privacy')),
  );

  let sending = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (sending) return; // a double tap: the first one is on its way
    showMessage(error, '');
    const missing = required.filter(([, q]) => q.value() === null);
    required.forEach(([, q]) => q.mark(missing.some(([, m]) => m === q)));
    if (missing.length) {
      showMessage(error, t('checkin.form.missing', { count: missing.length }));
      missing[0][1].focus();
      return;
    }
    const signsChosen = signs.value();
    const body = {
      idempotency_key: newKey(),
      pressure: Number(pressure.value()),
      mood: Number(mood.value()),
      sleep: sleep.value(),
      // From the plan copy on the phone (offline) the texts, which stay right if the plan changes meanwhile.
      warning_signs: state.offline ? signsChosen.map((i) => state.warning_signs[i]) : signsChosen,
      self_harm_urge: selfHarm.value(),
      suicidal_thoughts: suicidal.value(),
      wants_contact: contact.value() === 'yes',
      note: note.value.trim().slice(0, MAX_NOTE),
    };
    sending = true;
    send.disabled = true;
    send.setAttribute('aria-busy', 'true');
    send.textContent = t('checkin.form.sending');
    const item = outbox.add({ client_id: body.idempotency_key, body });
    const outcome = await sendNow(item.client_id);
    if (outcome.result) {
      lastSent = null;
      onResult(outcome.result);
      return;
    }
    if (!outcome.error) {
      onQueued(item);
      return;
    }
    // Refused for good (not a network problem): the answers stay in the form to fix.
    outbox.discard(item.client_id);
    showMessage(error, errorText({ code: outcome.error }));
    if (body.self_harm_urge === 'strong' || body.suicidal_thoughts === 'strong') error.after(notSentHelp(form));
    sending = false;
    send.disabled = false;
    send.removeAttribute('aria-busy');
    send.textContent = t('checkin.form.try_again');
  });
  return form;
}

/** When the check-in could not be sent: the numbers and the plan, right there. */
function notSentHelp(form) {
  form.querySelector('.checkin-not-sent')?.remove();
  return h(
    'div',
    { class: 'checkin-not-sent panel' },
    h('p', null, t('checkin.form.not_sent_help')),
    bigNumbers(null),
    h('p', null, h('a', { href: '#/kriseplan', class: 'button-link' }, t('checkin.result.open_plan'))),
  );
}

function selfHelpList(steps, { heading }) {
  if (!steps || !steps.length) {
    return h(
      'section',
      { class: 'checkin-selfhelp panel', 'data-testid': 'checkin-self-help' },
      h('h2', null, heading),
      h('p', null, t('checkin.result.self_help_empty'), ' ', h('a', { href: '#/kriseplan' }, t('checkin.result.open_plan'))),
    );
  }
  return h(
    'section',
    { class: 'checkin-selfhelp panel', 'data-testid': 'checkin-self-help' },
    h('h2', null, heading),
    h('ul', { class: 'checkin-steps' }, steps.map((step) => h('li', null, step))),
  );
}

// The receipt says only what the server did: the alert's and the chat's
// routing outcome, updated live as they move on.
function contactPanel(result) {
  if (!result.checkin.wants_contact) return null;
  const line = h('p', { 'data-testid': 'checkin-contact-status', 'data-status': result.contact ? result.contact.code : '' }, contactText(result.contact));
  const panel = h(
    'section',
    { class: 'checkin-contact panel', 'data-testid': 'checkin-contact' },
    h('h2', null, t('routing.contact.title')),
    line,
    h('p', null, h('a', { href: '#/chat', class: 'button-primary' }, t('checkin.result.open_chat'))),
  );
  panel.update = (status) => {
    line.textContent = contactText(status);
    line.dataset.status = status.code;
  };
  return panel;
}

function alertLine(alert) {
  if (!alert || alert.status === 'in_chat') return null;
  const line = h('p', { class: 'checkin-alert-line', 'data-testid': 'checkin-alert-status', 'data-status': alert.status }, alertText(alert));
  line.update = (next) => {
    line.textContent = alertText(next);
    line.dataset.status = next.status;
  };
  return line;
}

/** The numbers, the circle's own number and the plan, once nobody can answer. */
function helpSlot(result) {
  const slot = h('div', { 'data-testid': 'checkin-help-slot' });
  slot.update = (code, reach) => {
    if (needsHelpNow(code) && !slot.firstChild) slot.append(helpNow(reach, { testid: 'checkin-help-now' }));
  };
  const status = result.alert && result.alert.status !== 'in_chat' ? result.alert : null;
  if (status) slot.update(status.status, status.reachability);
  if (result.contact) slot.update(result.contact.code, result.contact.reachability);
  return slot;
}

function followLive(page, result, { alert, contact, help }) {
  const shown = { alert: result.alert, contact: result.contact };
  onPush(page, (name, data) => {
    if (!data) return;
    if (name === 'alert:status' && alert && result.alert && data.alert_id === result.alert.alert_id) {
      if (!isCurrent(data, shown.alert)) return;
      shown.alert = data;
      alert.update(data);
      help.update(data.status, data.reachability);
    } else if (name === 'chat:status' && contact && data.conversation_id === result.conversation_id) {
      if (!isCurrent(data, shown.contact)) return;
      shown.contact = data;
      contact.update(data);
      help.update(data.code, data.reachability);
    }
  });
}

function resultView(result, { late = false } = {}) {
  const level = result.level;
  const page = h('div', { class: ['checkin-result', `checkin-result-${level}`], 'data-testid': 'checkin-result', 'data-level': level });
  const sentLate = late ? h('p', { class: 'message message-status', role: 'status', 'data-testid': 'checkin-sent-late' }, t('checkin.offline.sent')) : null;
  const alert = alertLine(result.alert);
  const contact = contactPanel(result);
  const help = helpSlot(result);
  followLive(page, result, { alert, contact, help });
  if (level === 'red') {
    const nobody = result.alert && needsHelpNow(result.alert.status);
    const numbers = h(
      'section',
      { class: 'checkin-urgent', 'aria-labelledby': 'checkin-numbers-title' },
      h('h2', { id: 'checkin-numbers-title' }, t('checkin.result.numbers_title')),
      bigNumbers(result.emergency_numbers),
    );
    const plan = h(
      'p',
      { class: 'checkin-plan-link' },
      h('a', { href: '#/kriseplan', class: 'button-primary checkin-big-link', 'data-testid': 'checkin-plan-link' }, t('checkin.result.open_plan')),
    );
    const chat = h(
      'p',
      { class: 'checkin-chat-link' },
      h('a', { href: '#/chat', class: 'button-secondary checkin-big-link', 'data-testid': 'checkin-chat-link' }, t('checkin.result.write_now')),
    );
    append(
      page,
      pageTitle(t('checkin.result.red_title')),
      sentLate,
      nobody ? numbers : null,
      alert,
      contact,
      help,
      nobody ? null : numbers,
      plan,
      chat,
      selfHelpList(result.self_help, { heading: t('checkin.result.self_help_title') }),
    );
  } else if (level === 'yellow') {
    append(
      page,
      pageTitle(t('checkin.result.yellow_title')),
      sentLate,
      h('p', { class: 'lead' }, t('checkin.result.yellow_text')),
      contact,
      help,
      selfHelpList(result.self_help, { heading: t('checkin.result.self_help_title') }),
      h('p', null, h('a', { href: '#/kriseplan' }, t('checkin.result.open_plan'))),
    );
  } else {
    append(
      page,
      pageTitle(t('checkin.result.green_title')),
      sentLate,
      h('p', { class: 'lead' }, t(`checkin.result.green_text_${partOfDay() === 'night' ? 'night' : 'evening'}`)),
      contact,
      help,
    );
  }
  append(
    page,
    h('p', { class: 'checkin-level-note muted' }, t('checkin.result.saved')),
    h(
      'ul',
      { class: 'checkin-after plain-list' },
      h('li', null, h('a', { href: '#/kveldssjekk/utvikling', 'data-testid': 'checkin-trend-link' }, t('checkin.links.trend'))),
      h('li', null, h('a', { href: '#/' }, t('checkin.links.home'))),
    ),
  );
  return page;
}

/**
 * Send a queued check-in now: {result} when the server has it, {error} when it
 * was refused for good, {} when it waits (no network, no answer).
 */
async function sendNow(clientId) {
  let result = null;
  const onSent = (event) => {
    if (event.detail.clientId === clientId) result = event.detail.message;
  };
  outbox.events.addEventListener('sent', onSent);
  try {
    await outbox.flush();
  } finally {
    outbox.events.removeEventListener('sent', onSent);
  }
  if (result) return { result };
  const left = outbox.pending().find((item) => item.client_id === clientId);
  return { error: left ? left.error || null : null };
}

function isUrgent(body) {
  return Boolean(body) && (body.self_harm_urge === 'strong' || body.suicidal_thoughts === 'strong');
}

/**
 * "Svarene dine er lagret på telefonen": the check-in waits in the outbox.
 * The emergency numbers and the plan are right there for strong answers;
 * when it has been sent, `onResult` shows what the server made of it.
 */
function queuedView(item, { onResult, onDiscarded }) {
  const failure = h('div', { class: 'checkin-queued-failed', hidden: true });
  const sendAgain = h('button', { type: 'button', class: 'button-secondary', 'data-testid': 'checkin-send-now' }, t('checkin.form.try_again'));
  sendAgain.addEventListener('click', () => outbox.flush());
  const page = h(
    'div',
    { class: 'checkin-queued', 'data-testid': 'checkin-queued' },
    pageTitle(t('checkin.offline.queued_title')),
    h('p', { class: 'lead', role: 'status', 'data-testid': 'checkin-queued-text' }, t(navigator.onLine === false ? 'checkin.offline.queued_text' : 'checkin.offline.queued_retrying')),
    h('p', { class: 'muted' }, t('checkin.offline.queued_at', { time: clockTime(item.queued_at) })),
    failure,
    h('div', { class: 'actions' }, sendAgain),
    h('p', null, t('checkin.offline.queued_urgent')),
    isUrgent(item.body) ? bigNumbers(null) : null,
    h('p', null, h('a', { href: '#/kriseplan', class: 'button-link' }, t('checkin.result.open_plan'))),
  );
  const onSent = (event) => {
    if (!page.isConnected) return outbox.events.removeEventListener('sent', onSent);
    if (event.detail.clientId !== item.client_id) return undefined;
    outbox.events.removeEventListener('sent', onSent);
    outbox.events.removeEventListener('change', onChange);
    return onResult(event.detail.message, { late: true });
  };
  const onChange = () => {
    if (!page.isConnected) return outbox.events.removeEventListener('change', onChange);
    const now = outbox.pending().find((other) => other.client_id === item.client_id);
    if (!now || !now.error) return undefined;
    const again = h('button', { type: 'button', class: 'button-secondary' }, t('checkin.offline.answer_again'));
    again.addEventListener('click', () => {
      outbox.discard(item.client_id);
      onDiscarded();
    });
    failure.replaceChildren(h('p', { role: 'alert' }, t('checkin.offline.failed', { reason: errorText({ code: now.error }) })), again);
    failure.hidden = false;
    return undefined;
  };
  outbox.events.addEventListener('sent', onSent);
  outbox.events.addEventListener('change', onChange);
  onChange();
  return page;
}

/** With no network: the warning signs from the plan copy on this phone, if there is one. */
function offlineState(user) {
  const copy = user ? planStore.load(user.id) : null;
  const signs = copy && copy.plan.sections ? copy.plan.sections.warning_signs : null;
  return { offline: true, pending_reminder: null, warning_signs: Array.isArray(signs) ? signs.filter((s) => typeof s === 'string' && s) : [] };
}

export default async function checkinView(ctx) {
  const root = h('div', { class: 'narrow checkin', 'data-testid': 'checkin' });
  let state = null;
  if (ctx.user) {
    try {
      state = await checkinsApi.checkinState();
    } catch (err) {
      if (err.code !== 'network') {
        root.append(pageTitle(t('checkin.title_evening')), loadFailed(err, () => window.location.reload()));
        return root;
      }
    }
  }
  if (!state) state = offlineState(ctx.user || ctx.offlineUser);

  function show(node) {
    root.replaceChildren(node);
    const heading = root.querySelector('h1');
    if (heading) {
      document.title = `${heading.textContent} – ${t('app.name')}`;
      heading.focus();
    }
    window.scrollTo(0, 0);
  }
  const showResult = (result, { late = false } = {}) => show(resultView(result, { late }));
  const showQueued = (item) => show(queuedView(item, { onResult: showResult, onDiscarded: () => ctx.retry() }));

  const sent = lastSent;
  lastSent = null;
  if (sent && Date.now() - sent.at < SENT_SHOWN_MS) {
    root.append(resultView(sent.result, { late: true }));
    return root;
  }
  const waiting = outbox.pending()[0];
  if (waiting) {
    root.append(queuedView(waiting, { onResult: showResult, onDiscarded: () => ctx.retry() }));
    return root;
  }
  const kind = state.pending_reminder ? state.pending_reminder.kind : partOfDay() === 'night' ? 'night' : 'evening';
  const form = checkinForm(state, { onResult: showResult, onQueued: showQueued });
  append(
    root,
    pageTitle(t(`checkin.title_${kind}`)),
    state.offline ? h('p', { class: 'panel checkin-offline', role: 'status', 'data-testid': 'checkin-offline' }, t('checkin.offline.notice')) : null,
    h('p', { class: 'lead' }, t('checkin.form.intro')),
    form,
    h(
      'ul',
      { class: 'checkin-after plain-list' },
      h('li', null, h('a', { href: '#/kveldssjekk/utvikling' }, t('checkin.links.trend'))),
      h('li', null, h('a', { href: '#/kveldssjekk/innstillinger' }, t('checkin.links.settings'))),
    ),
  );
  return root;
}
