// #/innstillinger for everyone (also before logging in, and offline): text
// size, colours and language on this device. A choice takes effect at once
// and is remembered here only (device-settings.js), never in the account.
import { h, uid } from '../dom.js';
import { t } from '../i18n.js';
import { choices, remember, setting } from '../device-settings.js';
import { backLink, messageArea, pageTitle, showMessage } from '../ui.js';

/** A radio group in a fieldset; `onChoose(value)` when another is picked. */
function choiceGroup({ name, legend, hint, labels, onChoose }) {
  const id = uid(name);
  const hintId = `${id}-hint`;
  const current = setting(name);
  return h(
    'fieldset',
    { class: 'setting-group', 'aria-describedby': hint ? hintId : undefined, 'data-testid': `setting-${name}` },
    h('legend', null, legend),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    choices(name).map((value) =>
      h(
        'div',
        { class: 'check' },
        h('input', { type: 'radio', name: id, id: `${id}-${value}`, value, checked: value === current, onchange: () => onChoose(value) }),
        h('label', { for: `${id}-${value}`, lang: name === 'language' ? value : undefined }, labels(value)),
      ),
    ),
  );
}

export default function settingsView(ctx) {
  const status = messageArea('status');
  const rememberHere = (name) => (value) => {
    remember(name, value);
    showMessage(status, t('settings.saved'));
  };
  return h(
    'div',
    { class: 'narrow', 'data-testid': 'settings' },
    ctx.user || ctx.offlineUser ? backLink('#/', t('common.back_home')) : backLink('#/logg-inn', t('statements.back_to_login')),
    pageTitle(t('settings.title')),
    h('p', { class: 'lead' }, t('settings.intro')),
    h(
      'div',
      { class: 'form' },
      choiceGroup({
        name: 'textSize',
        legend: t('settings.text_size'),
        hint: t('settings.text_size_hint'),
        labels: (value) => t(`settings.text_size_${value}`),
        onChoose: rememberHere('textSize'),
      }),
      choiceGroup({
        name: 'appearance',
        legend: t('settings.appearance'),
        hint: t('settings.appearance_hint'),
        labels: (value) => t(`settings.appearance_${value}`),
        onChoose: rememberHere('appearance'),
      }),
      choiceGroup({
        name: 'language',
        legend: t('language.label'),
        labels: (value) => t(`settings.language_${value}`),
        onChoose: (value) => ctx.changeLanguage(value, { focus: `#main input[name^="language"][value="${value}"]` }),
      }),
      status,
    ),
  );
}
