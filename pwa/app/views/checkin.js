// #/kveldssjekk for patients: the evening (or night) check-in on one screen,
// done in under a minute, and what follows from the answers. The idempotency
// key is kept until the server has the check-in, so a double tap, a retry or a
// reload never sends it twice.
import { append, h, uid } from '../dom.js';
import { t } from '../i18n.js';
import { api } from '../api.js';
import { partOfDay } from '../format.js';
import { errorText, loadFailed, messageArea, pageTitle, showMessage } from '../ui.js';
import { bigNumbers } from '../checkin-ui.js';
import { onPush } from '../chat-ui.js';
import { alertText, contactText, helpNow, needsHelpNow } from '../routing-status.js';

const KEY_STORE = 'nattlys.checkin.key';
const MAX_NOTE = 1000;

function newKey() {
  if (window.crypto && typeof window.crypto.randomUUID === 'function') return window.crypto.randomUUID().replace(/-/g, '');
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The key for the check-in being written now: the same one until it has been sent. */
function currentKey() {
  try {
    let key = sessionStorage.getItem(KEY_STORE);
    if (!key || !/^[A-Za-z0-9_-]{8,64}$/.test(key)) {
      key = newKey();
      sessionStorage.setItem(KEY_STORE, key);
    }
    return key;
  } catch {
    return null;
  }
}

function forgetKey() {
  try {
    sessionStorage.removeItem(KEY_STORE);
  } catch {
    /* private mode */
  }
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

function checkinForm(state, onResult) {
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
    const key = currentKey() || newKey();
    const body = {
      idempotency_key: key,
      pressure: Number(pressure.value()),
      mood: Number(mood.value()),
      sleep: sleep.value(),
      warning_signs: signs.value(),
      self_harm_urge: selfHarm.value(),
      suicidal_thoughts: suicidal.value(),
      wants_contact: contact.value() === 'yes',
      note: note.value.trim().slice(0, MAX_NOTE),
    };
    sending = true;
    send.disabled = true;
    send.setAttribute('aria-busy', 'true');
    send.textContent = t('checkin.form.sending');
    try {
      const result = await api('POST', '/api/checkins', body);
      forgetKey();
      onResult(result, body);
    } catch (err) {
      // Not sent (or no answer): the same key is kept, so trying again is safe.
      const offline = err && (err.code === 'network' || err.status >= 500);
      showMessage(error, offline ? t('checkin.form.not_sent') : errorText(err));
      if (offline || body.self_harm_urge === 'strong' || body.suicidal_thoughts === 'strong') {
        error.after(notSentHelp(form));
      }
      sending = false;
      send.disabled = false;
      send.removeAttribute('aria-busy');
      send.textContent = t('checkin.form.try_again');
    }
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
  onPush(page, (name, data) => {
    if (!data) return;
    if (name === 'alert:status' && alert && result.alert && data.alert_id === result.alert.alert_id) {
      alert.update(data);
      help.update(data.status, data.reachability);
    } else if (name === 'chat:status' && contact && data.conversation_id === result.conversation_id) {
      contact.update(data);
      help.update(data.code, data.reachability);
    }
  });
}

function resultView(result) {
  const level = result.level;
  const page = h('div', { class: ['checkin-result', `checkin-result-${level}`], 'data-testid': 'checkin-result', 'data-level': level });
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

export default async function checkinView() {
  const root = h('div', { class: 'narrow checkin', 'data-testid': 'checkin' });
  let state;
  try {
    state = await api('GET', '/api/checkins/state');
  } catch (err) {
    root.append(pageTitle(t('checkin.title_evening')), loadFailed(err, () => window.location.reload()));
    return root;
  }
  const kind = state.pending_reminder ? state.pending_reminder.kind : partOfDay() === 'night' ? 'night' : 'evening';
  const form = checkinForm(state, (result) => {
    root.replaceChildren(resultView(result));
    const heading = root.querySelector('h1');
    if (heading) {
      document.title = `${heading.textContent} – ${t('app.name')}`;
      heading.focus();
    }
    window.scrollTo(0, 0);
  });
  root.append(
    pageTitle(t(`checkin.title_${kind}`)),
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
