// One message catalogue per language (i18n/nb.json, i18n/en.json, same keys).
import { choices, remember, setting } from './device-settings.js';

export const LANGUAGES = choices('language');

let lang = 'nb';
let messages = {};
let plural = new Intl.PluralRules('nb');

export function savedLanguage() {
  return setting('language');
}

export function currentLanguage() {
  return lang;
}

/** The BCP 47 locale for Intl formatting. */
export function locale() {
  return lang === 'nb' ? 'nb-NO' : 'en-GB';
}

export async function loadLanguage(wanted) {
  const next = LANGUAGES.includes(wanted) ? wanted : 'nb';
  const response = await fetch(`/app/i18n/${next}.json`, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`catalogue ${next}: ${response.status}`);
  messages = await response.json();
  lang = next;
  plural = new Intl.PluralRules(next);
  document.documentElement.lang = next;
  remember('language', next);
}

function lookup(key) {
  let node = messages;
  for (const part of key.split('.')) {
    if (node === null || typeof node !== 'object' || !(part in node)) return undefined;
    node = node[part];
  }
  return node;
}

export function has(key) {
  return lookup(key) !== undefined;
}

/**
 * The message for `key`, with {name} placeholders filled from `params`.
 * A message that is an object {one, other} is chosen by params.count.
 */
export function t(key, params = {}) {
  let message = lookup(key);
  if (message !== null && typeof message === 'object') {
    const form = typeof params.count === 'number' ? plural.select(params.count) : 'other';
    message = message[form] ?? message.other;
  }
  if (typeof message !== 'string') return key;
  return message.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}
