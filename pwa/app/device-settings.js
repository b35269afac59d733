// Choices kept on this device, not in the account (they are not health data):
// the language, the text size and the colours. index.html loads this module
// render-blocking, so <html> carries them before the first frame is drawn.

// The first choice is what a device that has chosen nothing gets.
const SETTINGS = {
  language: { key: 'nattlys.lang', choices: ['nb', 'en'] },
  textSize: { key: 'nattlys.text-size', choices: ['normal', 'large', 'largest'] },
  appearance: { key: 'nattlys.appearance', choices: ['system', 'light', 'night'] },
};

// The browser bar's colour for each palette; "system" lets the phone's light or dark setting choose.
const BAR_COLOUR_MEDIA = { light: '(prefers-color-scheme: light)', dark: '(prefers-color-scheme: dark)', night: 'not all' };

/** Storage keys that stay when the device forgets the person who used it (device-data.js). */
export const DEVICE_SETTING_KEYS = Object.values(SETTINGS).map((setting) => setting.key);

// What was chosen on this page, for a browser that cannot store it (private mode).
const chosenHere = {};

export function choices(name) {
  return SETTINGS[name].choices;
}

export function setting(name) {
  const { key, choices: allowed } = SETTINGS[name];
  let value = chosenHere[name];
  try {
    value = localStorage.getItem(key) ?? value;
  } catch {
    /* no storage: what was chosen on this page, if anything */
  }
  return allowed.includes(value) ? value : allowed[0];
}

export function remember(name, value) {
  const { key, choices: allowed } = SETTINGS[name];
  if (!allowed.includes(value)) return;
  chosenHere[name] = value;
  try {
    localStorage.setItem(key, value);
  } catch {
    /* private mode: the choice lasts for this page only */
  }
  applyToPage();
}

/** Text size and colours as attributes on <html>, which the style sheets follow. */
function applyToPage() {
  const root = document.documentElement;
  const textSize = setting('textSize');
  const appearance = setting('appearance');
  if (textSize === 'normal') delete root.dataset.textSize;
  else root.dataset.textSize = textSize;
  if (appearance === 'system') delete root.dataset.appearance;
  else root.dataset.appearance = appearance;
  for (const meta of document.querySelectorAll('meta[name="theme-color"][data-for]')) {
    const palette = meta.dataset.for;
    if (appearance === 'system') meta.media = BAR_COLOUR_MEDIA[palette];
    else meta.media = palette === appearance ? 'all' : 'not all';
  }
}

applyToPage();
// A choice made in another tab of the app shows here too.
window.addEventListener('storage', applyToPage);
