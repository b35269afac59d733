// Nattlys service worker. Caches the app shell only: never /api/ or
// /socket.io/ responses, so health data never lands in the cache.
// The server fills in VERSION (a hash of the shipped files) and SHELL (every
// file under app/) when it serves this file: nattlys/web/shell.py.

const VERSION = '__NATTLYS_SHELL_VERSION__';

const SHELL = ['__NATTLYS_SHELL_FILES__'];

// Vendored npm files: cached if present, but a missing one must not stop install.
const OPTIONAL = ['/vendor/socket.io.esm.min.js', '/vendor/uPlot.esm.js', '/vendor/uPlot.min.css'];

function neverCache(url) {
  return url.pathname.startsWith('/api/') || url.pathname === '/api' || url.pathname.startsWith('/socket.io/');
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(VERSION);
      await cache.addAll(SHELL.map((path) => new Request(path, { cache: 'reload' })));
      await Promise.all(OPTIONAL.map((path) => cache.add(new Request(path, { cache: 'reload' })).catch(() => undefined)));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((name) => name.startsWith('nattlys-') && name !== VERSION).map((name) => caches.delete(name)));
      await self.clients.claim();
    })(),
  );
});

async function networkFirstNavigation(request) {
  const cache = await caches.open(VERSION);
  try {
    const response = await fetch(request);
    const url = new URL(request.url);
    if (response.ok && url.pathname === '/') await cache.put('/', response.clone());
    return response;
  } catch {
    const shell = await cache.match('/');
    return shell || new Response('Offline', { status: 503, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  }
}

async function staleWhileRevalidate(event) {
  const cache = await caches.open(VERSION);
  const cached = await cache.match(event.request);
  const fresh = fetch(event.request)
    .then(async (response) => {
      if (response.ok && response.type === 'basic') await cache.put(event.request, response.clone());
      return response;
    })
    .catch(() => undefined);
  if (cached) {
    event.waitUntil(fresh);
    return cached;
  }
  const response = await fresh;
  return response || new Response('', { status: 504 });
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (neverCache(url)) return; // straight to the network, never stored
  if (request.mode === 'navigate') {
    event.respondWith(networkFirstNavigation(request));
    return;
  }
  if (url.pathname.startsWith('/app/') || url.pathname.startsWith('/vendor/') || url.pathname === '/manifest.webmanifest') {
    event.respondWith(staleWhileRevalidate(event));
  }
});

// Web push. The payload is one of a few fixed, discreet texts ("Tid for
// kveldssjekk", "Ny melding", "Noen trenger deg"): never anything clinical,
// since a lock screen may show it. The tag collapses repeats; data.url is the
// app route a tap opens.
function pushPayload(event) {
  try {
    return event.data ? event.data.json() : {};
  } catch {
    return {};
  }
}

function sameOriginPath(url) {
  try {
    const target = new URL(url || '/', self.location.origin);
    return target.origin === self.location.origin ? target.pathname + target.search + target.hash : '/';
  } catch {
    return '/';
  }
}

self.addEventListener('push', (event) => {
  const data = pushPayload(event);
  const title = typeof data.title === 'string' && data.title ? data.title : 'Nattlys';
  const options = {
    body: typeof data.body === 'string' ? data.body : '',
    tag: typeof data.tag === 'string' && data.tag ? data.tag : 'nattlys',
    renotify: true,
    icon: '/app/icons/icon-192.png',
    badge: '/app/icons/icon-192.png',
    data: { url: sameOriginPath(data.url) },
  };
  event.waitUntil(
    (async () => {
      await self.registration.showNotification(title, options);
      // Open windows of the app hear what was just shown (the same discreet text).
      const windows = await self.clients.matchAll({ type: 'window' });
      for (const client of windows) {
        client.postMessage({ type: 'push-shown', title, body: options.body, url: options.data.url });
      }
    })(),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const path = sameOriginPath(event.notification.data && event.notification.data.url);
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
      for (const client of windows) {
        if (new URL(client.url).origin !== self.location.origin) continue;
        await client.focus();
        if ('navigate' in client) {
          try {
            await client.navigate(path);
          } catch {
            client.postMessage({ type: 'navigate', url: path });
          }
        }
        return;
      }
      await self.clients.openWindow(path);
    })(),
  );
});
