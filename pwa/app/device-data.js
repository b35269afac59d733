// What this device keeps about the person who used it, and forgetting all of
// it: on logout, and as soon as the app learns its session has ended (a 401
// from any call, the start-up session check, the server ending the socket),
// whether it was revoked, the account disabled, the session expired or the
// account re-enrolled. Only the device's settings (language, text size, colours) stay.
import { DEVICE_SETTING_KEYS } from './device-settings.js';

const KEEP = new Set(DEVICE_SETTING_KEYS);
// The service worker's app-shell cache holds no patient data (it never stores
// /api/ answers); any other cache of ours is removed.
const SHELL_CACHE = 'nattlys-shell-';

function forgetStorage(storage) {
  try {
    const doomed = [];
    for (let i = 0; i < storage.length; i += 1) {
      const key = storage.key(i);
      if (key !== null && !KEEP.has(key)) doomed.push(key);
    }
    doomed.forEach((key) => storage.removeItem(key));
  } catch {
    /* no storage */
  }
}

async function forgetDatabases() {
  try {
    if (!globalThis.indexedDB || typeof indexedDB.databases !== 'function') return;
    const databases = await indexedDB.databases();
    await Promise.all(
      databases
        .filter((db) => db.name)
        .map(
          (db) =>
            new Promise((resolve) => {
              const request = indexedDB.deleteDatabase(db.name);
              request.onsuccess = request.onerror = request.onblocked = () => resolve();
            }),
        ),
    );
  } catch {
    /* nothing to forget */
  }
}

async function forgetCaches() {
  try {
    if (!globalThis.caches) return;
    const names = await caches.keys();
    await Promise.all(names.filter((name) => !name.startsWith(SHELL_CACHE)).map((name) => caches.delete(name)));
  } catch {
    /* nothing to forget */
  }
}

/** Remove the offline plan, the outbox and every other stored datum (the
 * synchronous part first, so nothing can open from storage afterwards). */
export function forgetPatientData() {
  forgetStorage(localStorage);
  forgetStorage(sessionStorage);
  return Promise.all([forgetDatabases(), forgetCaches()]);
}
