// Shared pieces of the interface: emergency numbers, language switch, form
// fields, messages and the invitation link with its QR code.
import { h, uid } from './dom.js';
import { t, has, currentLanguage, locale, LANGUAGES } from './i18n.js';
import { formatDateTime } from './format.js';
import { ApiError } from './api.js';
import { EMERGENCY_NUMBERS, isFirst } from './emergency.js';

export function emergencyBar() {
  const titleId = uid('emergency');
  return h(
    'aside',
    { class: 'emergency', 'data-testid': 'emergency-numbers', 'aria-labelledby': titleId },
    h('p', { class: 'emergency-title', id: titleId }, t('emergency.title')),
    h(
      'ul',
      { class: 'emergency-list' },
      EMERGENCY_NUMBERS.map((n) =>
        h(
          'li',
          null,
          h(
            'a',
            { href: `tel:${n.tel}`, class: ['emergency-call', isFirst(n) && 'emergency-call-first'] },
            h('span', { class: 'visually-hidden' }, t('emergency.call'), ' '),
            h('span', { class: 'emergency-number' }, n.shown),
            h('span', { class: 'emergency-name' }, t(`emergency.${n.key}`)),
          ),
        ),
      ),
    ),
  );
}

export function languageSwitch(onChange) {
  const active = currentLanguage();
  return h(
    'div',
    { class: 'lang-switch', role: 'group', 'aria-label': t('language.label') },
    LANGUAGES.map((code) =>
      h(
        'button',
        {
          type: 'button',
          class: 'lang-button',
          lang: code,
          'data-lang': code,
          'aria-pressed': code === active ? 'true' : 'false',
          onclick: () => {
            if (code !== currentLanguage()) onChange(code);
          },
        },
        t(`language.${code}`),
      ),
    ),
  );
}

/** A labelled input. Returns {wrap, input}. */
export function field({ label, hint, id = uid('field'), tag = 'input', ...attrs }) {
  const hintId = hint ? `${id}-hint` : undefined;
  const input = h(tag, { id, name: id, 'aria-describedby': hintId, ...attrs });
  const wrap = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    input,
  );
  return { wrap, input };
}

/** A <select> with a label. options: [{value, label}] */
export function selectField({ label, options, value, id = uid('select'), ...attrs }) {
  const select = h(
    'select',
    { id, name: id, ...attrs },
    options.map((o) => h('option', { value: String(o.value), selected: String(o.value) === String(value ?? '') }, o.label)),
  );
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, label), select);
  return { wrap, input: select };
}

/** A password input with a show/hide button. Returns {wrap, input}. */
export function passwordField({ id, label, autocomplete, hint }) {
  const hintId = hint ? `${id}-hint` : undefined;
  const input = h('input', {
    id,
    name: id,
    type: 'password',
    autocomplete,
    autocapitalize: 'none',
    spellcheck: 'false',
    required: true,
    'aria-describedby': hintId,
  });
  const toggle = h(
    'button',
    {
      type: 'button',
      class: 'button-secondary password-toggle',
      'aria-controls': id,
      'aria-pressed': 'false',
    },
    t('common.show_password'),
  );
  toggle.addEventListener('click', () => {
    const show = input.type === 'password';
    input.type = show ? 'text' : 'password';
    toggle.setAttribute('aria-pressed', show ? 'true' : 'false');
    toggle.textContent = show ? t('common.hide_password') : t('common.show_password');
  });
  const wrap = h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    h('div', { class: 'password-row' }, input, toggle),
  );
  return { wrap, input };
}

/** A live region for a form's errors (role=alert) or status (role=status). */
export function messageArea(kind = 'error') {
  return h('p', {
    class: ['message', `message-${kind}`],
    role: kind === 'error' ? 'alert' : 'status',
    'aria-live': kind === 'error' ? 'assertive' : 'polite',
  });
}

export function showMessage(area, text) {
  area.textContent = text || '';
  area.classList.toggle('is-empty', !text);
}

function fieldNames(fields) {
  const names = [];
  for (const item of fields || []) {
    const loc = Array.isArray(item.loc) ? item.loc : [];
    const name = loc.find((part) => has(`fields.${part}`));
    const label = name ? t(`fields.${name}`) : null;
    if (label && !names.includes(label)) names.push(label);
  }
  return names;
}

/** The friendly, translated text for an error from api(). Never the server's English text. */
export function errorText(error) {
  const code = error && error.code ? error.code : 'unknown';
  if (code === 'rate_limited') {
    const minutes = Math.max(1, Math.ceil((error.retryAfter || 60) / 60));
    return t('errors.rate_limited', { count: minutes });
  }
  if (code === 'invalid_input') {
    const names = fieldNames(error.fields);
    if (names.length) return t('errors.invalid_input_fields', { fields: names.join(', ') });
  }
  if (has(`errors.${code}`)) return t(`errors.${code}`);
  if (error && error.status >= 500) return t('errors.internal_error');
  return t('errors.generic');
}

/**
 * A step that failed at the server, which said why (its errors.<code> text), or
 * in the browser itself (a passkey prompt cancelled, no passkey): `fallback`.
 */
export function serverErrorText(error, fallback) {
  return error instanceof ApiError && has(`errors.${error.code}`) ? errorText(error) : fallback;
}

/** While a request runs: the button is disabled and says what is happening. */
export async function withBusy(button, busyText, work) {
  const label = button.textContent;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  if (busyText) button.textContent = busyText;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.textContent = label;
  }
}

export function loading() {
  return h('p', { class: 'loading', role: 'status' }, t('common.loading'));
}

/** A failed load: a calm message and a button to try again. */
export function loadFailed(error, retry) {
  return h(
    'div',
    { class: 'panel panel-problem' },
    h('p', { role: 'alert' }, errorText(error)),
    retry ? h('button', { type: 'button', class: 'button-secondary', onclick: retry }, t('common.try_again')) : null,
  );
}

function utf8Base64(text) {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * The server's QR code SVG as an <img> data URL (never as markup in the page).
 * The server's SVG has no xmlns attribute, without which browsers will not draw
 * an SVG loaded as an image; it is added here (reported as a server issue).
 */
export function qrImage(svg, alt) {
  let source = String(svg || '');
  const openEnd = source.indexOf('>');
  if (source.startsWith('<svg') && openEnd > 0 && !/\sxmlns=/.test(source.slice(0, openEnd))) {
    source = `<svg xmlns="http://www.w3.org/2000/svg"${source.slice(4)}`;
  }
  return h('img', { class: 'qr', src: `data:image/svg+xml;base64,${utf8Base64(source)}`, alt, width: 200, height: 200 });
}

async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    input.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

/** Link, copy button, QR code and "valid until" for a new invitation. */
export function invitationPanel(invitation, { name, headingLevel = 3 } = {}) {
  const status = messageArea('status');
  const linkField = field({
    label: t('invitation.link_label'),
    value: invitation.url,
    readOnly: true,
    class: 'invitation-url',
    spellcheck: 'false',
  });
  linkField.input.addEventListener('focus', () => linkField.input.select());
  const copy = h('button', { type: 'button', class: 'button-secondary' }, t('invitation.copy'));
  copy.addEventListener('click', async () => {
    const ok = await copyText(invitation.url, linkField.input);
    showMessage(status, ok ? t('invitation.copied') : t('invitation.copy_failed'));
  });
  return h(
    'section',
    { class: 'panel invitation', 'data-testid': 'invitation' },
    h(`h${headingLevel}`, null, name ? t('invitation.title_for', { name }) : t('invitation.title')),
    h('p', null, t('invitation.explain', { name: name || '' })),
    invitation.awaiting
      ? h('p', { class: 'panel panel-problem', 'data-testid': 'invitation-awaiting' }, t(`account.awaiting_${invitation.awaiting}`, { name: name || '' }))
      : null,
    h('p', { class: 'invitation-expiry' }, t('invitation.valid_until', { time: formatDateTime(invitation.expires_at) })),
    linkField.wrap,
    h('div', { class: 'actions' }, copy),
    status,
    h('div', { class: 'qr-frame' }, qrImage(invitation.qr_svg, t('invitation.qr_alt'))),
  );
}

/** An inline "are you sure?" step before something with big effects. */
export function confirmStep({ question, confirmLabel, onConfirm, onCancel }) {
  const yes = h('button', { type: 'button', class: 'button-danger' }, confirmLabel);
  const no = h('button', { type: 'button', class: 'button-secondary' }, t('common.cancel'));
  const box = h('div', { class: 'confirm', role: 'group', 'aria-label': question }, h('p', null, question), h('div', { class: 'actions' }, yes, no));
  yes.addEventListener('click', () => onConfirm(yes));
  no.addEventListener('click', () => onCancel());
  return { box, focus: () => no.focus() };
}

function pickedText(type, value) {
  if (!value) return '';
  const [day, clock] = type === 'time' ? [null, value] : value.split('T');
  const date = day ? new Intl.DateTimeFormat(locale(), { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`)) : null;
  const time = clock ? clock.slice(0, 5) : null;
  return t(`common.picked.${date && time ? 'date_time' : date ? 'date' : 'time'}`, { date, time });
}

/**
 * Under a native time, date or datetime-local input: its value in the app's
 * language and the 24-hour clock ("Valgt: kl. 21:30"). Browsers draw these
 * controls in the device's own format (12-hour on an English-set phone, whatever
 * the page's lang); the native control stays, as the most accessible there is.
 */
export function pickedEcho(input) {
  const echo = h('p', { class: 'hint picked', id: uid('picked'), 'data-testid': 'picked' });
  const update = () => {
    echo.textContent = pickedText(input.type, input.value);
  };
  input.addEventListener('input', update);
  input.addEventListener('change', update);
  update();
  input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), echo.id].filter(Boolean).join(' '));
  return echo;
}

/** A page heading that receives focus when the screen changes. */
export function pageTitle(text) {
  return h('h1', { tabindex: '-1', class: 'page-title' }, text);
}

export function backLink(href, text) {
  return h('p', { class: 'back' }, h('a', { href, class: 'back-link' }, h('span', { 'aria-hidden': 'true' }, '←'), text));
}
