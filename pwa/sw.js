// Nattlys service worker. Caches the app shell only: never /api/ or
// /socket.io/ responses, so health data never lands in the cache.
// Bump VERSION whenever a file in SHELL changes.

const VERSION = 'nattlys-shell-v1';

const SHELL = [
  '/',
  '/manifest.webmanifest',
  '/app/styles.css',
  '/app/main.js',
  '/app/api.js',
  '/app/audit-text.js',
  '/app/dom.js',
  '/app/format.js',
  '/app/i18n.js',
  '/app/patient-form.js',
  '/app/realtime.js',
  '/app/router.js',
  '/app/ui.js',
  '/app/i18n/nb.json',
  '/app/i18n/en.json',
  '/app/views/admin-audit.js',
  '/app/views/admin-home.js',
  '/app/views/admin-patients.js',
  '/app/views/admin-teams.js',
  '/app/views/admin-users.js',
  '/app/views/care-circle.js',
  '/app/views/enrol.js',
  '/app/views/login.js',
  '/app/views/my-audit.js',
  '/app/views/not-found.js',
  '/app/views/offline.js',
  '/app/views/patient-home.js',
  '/app/views/supporter-home.js',
  '/app/icons/icon.svg',
  '/app/icons/icon-192.png',
  '/app/icons/icon-512.png',
  '/app/icons/icon-maskable-512.png',
];
// Vendored npm files: cached if present, but a missing one must not stop install.
const OPTIONAL = ['/vendor/socket.io.esm.min.js'];

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
