// The patient's own crisis plan, kept on the phone so it opens with no
// network (localStorage, one copy per user). Refreshed on every fetch;
// removed when the patient turns the offline copy off, when they log out,
// when the session ends (device-data.js), and when someone else logs in on
// this device. Supporters never store plans.
import * as plansApi from './api.js';

const PREFIX = 'nattlys.plan.';
const OWNER = 'nattlys.plan-owner';

/** Set by the editor after a save, read once by the plan view ({section, version}). */
let justSaved = null;

export function markSaved(section, version) {
  justSaved = { section, version };
}

export function takeSaved() {
  const value = justSaved;
  justSaved = null;
  return value;
}

function keyFor(userId) {
  return `${PREFIX}${userId}`;
}

/** Keep a fresh copy of the plan the patient just fetched or saved. */
export function remember(user, plan) {
  if (!user || user.role !== 'patient' || !plan || plan.viewer !== 'patient' || plan.patient_id !== user.id) return;
  if (plan.offline_enabled === false) {
    forget(user.id);
    return;
  }
  try {
    localStorage.setItem(
      keyFor(user.id),
      JSON.stringify({ user: { id: user.id, role: user.role, display_name: user.display_name }, saved_at: new Date().toISOString(), plan }),
    );
    localStorage.setItem(OWNER, String(user.id));
  } catch {
    /* storage full or blocked: the plan still shows while online */
  }
}

/** {user, saved_at, plan} or null. */
export function load(userId) {
  try {
    const copy = JSON.parse(localStorage.getItem(keyFor(userId)) || 'null');
    return copy && copy.plan && copy.user && copy.user.id === userId ? copy : null;
  } catch {
    return null;
  }
}

/** The copy of whoever used this device last (for a start with no network). */
export function ownerCopy() {
  let owner = null;
  try {
    owner = Number.parseInt(localStorage.getItem(OWNER) || '', 10);
  } catch {
    return null;
  }
  return Number.isFinite(owner) ? load(owner) : null;
}

export function hasOfflineCopy() {
  return ownerCopy() !== null;
}

function storedKeys() {
  const keys = [];
  try {
    for (let i = 0; i < localStorage.length; i += 1) {
      const key = localStorage.key(i);
      if (key && key.startsWith(PREFIX)) keys.push(key);
    }
  } catch {
    /* no storage */
  }
  return keys;
}

export function forget(userId) {
  try {
    localStorage.removeItem(keyFor(userId));
    if (localStorage.getItem(OWNER) === String(userId)) localStorage.removeItem(OWNER);
  } catch {
    /* nothing stored */
  }
}

/** Logging out: no plan stays on the device. */
export function forgetAll() {
  try {
    storedKeys().forEach((key) => localStorage.removeItem(key));
    localStorage.removeItem(OWNER);
  } catch {
    /* nothing stored */
  }
}

/**
 * After login: only the logged-in patient's own copy may stay, and it is
 * fetched at once, so the plan opens with no network even if it was never
 * opened on this phone.
 */
export function start(user) {
  const keep = user && user.role === 'patient' ? keyFor(user.id) : null;
  try {
    storedKeys()
      .filter((key) => key !== keep)
      .forEach((key) => localStorage.removeItem(key));
    const owner = localStorage.getItem(OWNER);
    if (owner !== null && (!user || user.role !== 'patient' || owner !== String(user.id))) localStorage.removeItem(OWNER);
  } catch {
    /* no storage */
  }
  if (keep) {
    fetchOwnPlan(user).catch(() => {
      /* offline or refused: the plan screen says so when it is opened */
    });
  }
}

/** The patient's own plan from the server; the local copy is refreshed. */
export async function fetchOwnPlan(user) {
  const plan = await plansApi.plan(user.id);
  remember(user, plan);
  return plan;
}
