// Web push for this browser: subscribe with the server's VAPID key, tell the
// server, and undo both. The service worker (sw.js) shows the notifications.
import { h, uid } from '../dom.js';
import { currentLanguage, t } from '../i18n.js';
import * as pushApi from './api.js';
import { errorText } from '../ui.js';

/** The VAPID public key (base64url) as the bytes pushManager.subscribe wants. */
export function urlBase64ToUint8Array(base64String) {
  const padding = '='.repeat((4 - (base64String.length % 4)) % 4);
  const base64 = (base64String + padding).replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(base64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i += 1) out[i] = raw.charCodeAt(i);
  return out;
}

export function pushSupported() {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

function withTimeout(promise, ms) {
  return Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve(null), ms))]);
}

async function registration({ wait = true } = {}) {
  if (!pushSupported()) return null;
  const existing = await navigator.serviceWorker.getRegistration('/');
  if ((existing && existing.active) || !wait) return existing || null;
  return withTimeout(navigator.serviceWorker.ready, 5000);
}

/** Tell the server about this browser's subscription, in the app's language now (again is fine). */
function tellServer(subscription) {
  const json = subscription.toJSON();
  return pushApi.subscribe({ endpoint: json.endpoint, keys: json.keys, language: currentLanguage() });
}

function sameKey(subscription, keyBytes) {
  const current = subscription.options && subscription.options.applicationServerKey;
  if (!current) return true;
  const a = new Uint8Array(current);
  return a.length === keyBytes.length && a.every((byte, i) => byte === keyBytes[i]);
}

/** {supported, enabled, publicKey, subscribed, permission} for this browser. */
export async function pushStatus() {
  if (!pushSupported()) return { supported: false, enabled: false, subscribed: false, permission: 'default' };
  const key = await pushApi.pushKey();
  const reg = await registration();
  const sub = reg ? await reg.pushManager.getSubscription() : null;
  if (sub && key.enabled && Notification.permission === 'granted') {
    // "Again is fine": makes sure the server has it for the person logged in now.
    await tellServer(sub).catch(() => null);
  }
  return {
    supported: Boolean(reg),
    enabled: Boolean(key.enabled && key.public_key),
    publicKey: key.public_key,
    subscribed: Boolean(sub) && Notification.permission === 'granted',
    permission: Notification.permission,
  };
}

/** Ask for permission, subscribe and tell the server. Resolves to 'on' | 'denied'. */
export async function turnOn(publicKey) {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return 'denied';
  const reg = await registration();
  if (!reg) throw Object.assign(new Error('no service worker'), { code: 'push_unavailable' });
  const keyBytes = urlBase64ToUint8Array(publicKey);
  let sub = await reg.pushManager.getSubscription();
  if (sub && !sameKey(sub, keyBytes)) {
    await sub.unsubscribe();
    sub = null;
  }
  if (!sub) sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes });
  try {
    await tellServer(sub);
  } catch (err) {
    await sub.unsubscribe().catch(() => false); // the server does not know it: no half-on state
    throw err;
  }
  return 'on';
}

/** After a language change: this browser's notifications follow it. Never throws. */
export async function followLanguage() {
  if (!pushSupported() || Notification.permission !== 'granted') return;
  try {
    const reg = await registration({ wait: false });
    const sub = reg ? await reg.pushManager.getSubscription() : null;
    if (sub) await tellServer(sub);
  } catch {
    /* offline: the push setting says it again on the next visit */
  }
}

/** Unsubscribe this browser and tell the server to forget it. */
export async function turnOff({ wait = true } = {}) {
  const reg = await registration({ wait });
  const sub = reg ? await reg.pushManager.getSubscription() : null;
  if (!sub) return;
  const { endpoint } = sub;
  try {
    await pushApi.unsubscribe(endpoint);
  } finally {
    await sub.unsubscribe().catch(() => false);
  }
}

/**
 * Before logging out: reminders for this person must not keep arriving on a
 * browser they have left. Never throws, and gives up after a few seconds.
 */
export async function forgetOnLogout() {
  if (!pushSupported()) return;
  try {
    await withTimeout(turnOff({ wait: false }), 4000);
  } catch {
    /* offline or already gone: the push service will expire it */
  }
}

/**
 * "Få påminnelse på telefonen": a switch that subscribes this browser.
 * `who` is 'patient' or 'supporter' (the words differ a little).
 */
export function pushSwitch({ who = 'patient' } = {}) {
  const id = uid('push');
  const input = h('input', { type: 'checkbox', id, role: 'switch', class: 'switch-input', disabled: true, 'data-testid': 'push-switch' });
  const status = h('p', { class: 'hint', id: `${id}-status`, role: 'status', 'data-testid': 'push-status' }, t('common.loading'));
  input.setAttribute('aria-describedby', `${id}-status`);
  const box = h(
    'div',
    { class: 'panel push-panel', 'data-testid': 'push-panel' },
    h('div', { class: 'switch-row' }, input, h('label', { for: id, class: 'switch-label' }, t(`checkin.push.label_${who}`))),
    status,
  );
  let publicKey = null;

  function say(key, params) {
    status.textContent = t(key, params);
  }

  async function refresh() {
    let state;
    try {
      state = await pushStatus();
    } catch (err) {
      status.textContent = errorText(err);
      return;
    }
    publicKey = state.publicKey;
    input.checked = state.subscribed && state.enabled;
    if (!state.supported) {
      input.disabled = true;
      say(`checkin.push.unsupported_${who}`);
    } else if (!state.enabled) {
      input.disabled = true;
      say(`checkin.push.server_off_${who}`);
    } else if (state.permission === 'denied') {
      input.disabled = true;
      say('checkin.push.denied');
    } else {
      input.disabled = false;
      say(input.checked ? `checkin.push.on_${who}` : `checkin.push.off_${who}`);
    }
    box.dataset.state = input.checked ? 'on' : 'off';
  }

  input.addEventListener('change', async () => {
    const wanted = input.checked;
    input.disabled = true;
    say(wanted ? 'checkin.push.turning_on' : 'checkin.push.turning_off');
    try {
      if (wanted) {
        const result = await turnOn(publicKey);
        if (result === 'denied') {
          input.checked = false;
          say('checkin.push.denied');
          return;
        }
      } else {
        await turnOff();
      }
      await refresh();
    } catch (err) {
      input.checked = !wanted;
      input.disabled = false;
      status.textContent = err && err.code ? errorText(err) : t('checkin.push.failed');
    }
  });

  refresh();
  return box;
}
