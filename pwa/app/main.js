// Boot: load the message catalogue, ask the server who is logged in, route.
import { h, clear } from './dom.js';
import { loadLanguage, savedLanguage, t } from './i18n.js';
import { setCsrfToken, setUnauthorizedHandler } from './api.js';
import * as accountsApi from './accounts/api.js';
import { createRouter } from './router.js';
import { emergencyBar, languageSwitch } from './ui.js';
import * as realtime from './realtime.js';
import * as outbox from './outbox.js';
import { followLanguage, forgetOnLogout as forgetPush } from './settings/push.js';
import * as planStore from './plans/plan-store.js';

const HOME_VIEW = { patient: 'home/patient-home', supporter: 'care-circles/supporter-home', admin: 'home/admin-home', next_of_kin: 'kin/kin-home' };

const ROUTES = [
  { pattern: /^\/logg-inn$/, view: 'accounts/login', public: true },
  { pattern: /^\/logg-inn\/eid\/([a-z_]{1,40})$/, view: 'accounts/login', public: true, params: ['eidError'] },
  { pattern: /^\/passnokler$/, view: 'accounts/my-passkeys' },
  { pattern: /^\/invitasjon\/([A-Za-z0-9_-]{10,200})$/, view: 'accounts/enrol', public: true, params: ['token'] },
  { pattern: /^\/$/, view: (user) => HOME_VIEW[user.role] || 'home/not-found' },
  { pattern: /^\/hvem-hjelper-meg$/, view: 'care-circles/care-circle', roles: ['patient'] },
  { pattern: /^\/hvem-har-sett$/, view: 'audit/my-audit', roles: ['patient'] },
  { pattern: /^\/mine-data$/, view: 'privacy/my-data', roles: ['patient'] },
  // Next of kin: the patient chooses who and what (#/parorende); their own screens (#/parorende-hjem, a push opens it).
  { pattern: /^\/parorende$/, view: 'kin/next-of-kin', roles: ['patient'] },
  { pattern: /^\/parorende-hjem$/, view: 'kin/kin-home', roles: ['next_of_kin'] },
  { pattern: /^\/parorende-hjem\/(\d+)$/, view: 'kin/kin-plan', roles: ['next_of_kin'], params: ['patientId'] },
  { pattern: /^\/personvern$/, view: 'privacy/statement', public: true, fixed: { kind: 'privacy' } },
  { pattern: /^\/tilgjengelighet$/, view: 'privacy/statement', public: true, fixed: { kind: 'accessibility' } },
  { pattern: /^\/chat$/, view: 'chat/chat', roles: ['patient'], offline: true },
  { pattern: /^\/innboks$/, view: 'chat/inbox', roles: ['supporter'] },
  { pattern: /^\/samtale\/(\d+)$/, view: 'chat/conversation', roles: ['supporter'], params: ['conversationId'] },
  { pattern: /^\/admin\/(brukere|team|pasienter|logg|vaktplan|dekning|nodtilgang|alene|resultater)$/, view: 'home/admin-home', roles: ['admin'], params: ['section'] },
  { pattern: /^\/admin\/vaktplan\/(\d+)$/, view: 'home/admin-home', roles: ['admin'], params: ['teamId'], fixed: { section: 'vaktplan' } },
  { pattern: /^\/mine-vakter$/, view: 'rosters/my-shifts', roles: ['supporter'] },
  // Check-ins (kveldssjekk): the push reminder opens #/kveldssjekk, a supporter's alert #/i-kveld.
  { pattern: /^\/kveldssjekk$/, view: 'checkins/checkin', roles: ['patient'], offline: true },
  { pattern: /^\/kveldssjekk\/innstillinger$/, view: 'checkins/checkin-schedule', roles: ['patient'] },
  { pattern: /^\/kveldssjekk\/utvikling$/, view: 'checkins/checkin-trend', roles: ['patient'] },
  { pattern: /^\/i-kveld$/, view: 'checkins/tonight', roles: ['supporter'] },
  { pattern: /^\/pasient\/(\d+)$/, view: 'care-circles/supporter-patient', roles: ['supporter'], params: ['patientId'] },
  // The crisis plan; `offline: true` routes also open with no network, from the copy on the phone.
  { pattern: /^\/kriseplan(?:\/del\/([a-z_]+))?$/, view: 'plans/plan', roles: ['patient'], params: ['section'], offline: true },
  { pattern: /^\/kriseplan\/endre\/([a-z_]+)$/, view: 'plans/plan-edit', roles: ['patient'], params: ['section'] },
  { pattern: /^\/kriseplan\/versjoner(?:\/(\d+))?$/, view: 'plans/plan-versions', roles: ['patient'], params: ['number'] },
  { pattern: /^\/kriseplan\/deling$/, view: 'plans/plan-sharing', roles: ['patient'] },
  { pattern: /^\/kriseplan\/forslag$/, view: 'plans/plan-proposals', roles: ['patient'] },
  { pattern: /^\/pasient\/(\d+)\/kriseplan$/, view: 'plans/patient-plan', roles: ['supporter'], params: ['patientId'] },
  // My account (every role): devices, password, account events, links to confirm.
  { pattern: /^\/min-konto$/, view: 'accounts/account' },
  // This device's text size, colours and language: for everyone, also before logging in and offline.
  { pattern: /^\/innstillinger$/, view: 'settings/settings', public: true },
  {
    pattern: /^\/admin\/pasienter\/(\d+)$/,
    view: 'home/admin-home',
    roles: ['admin'],
    params: ['patientId'],
    fixed: { section: 'pasienter' },
  },
];

const state = { user: null, offline: false, flash: null, renders: 0, firstRender: true };
// The patient last logged in on this phone ({id, role, display_name}): with no
// network at start, check-in and chat open for them and wait to send.
const LAST_PATIENT = 'nattlys.last-patient';

function rememberPatient(user) {
  try {
    if (user && user.role === 'patient') {
      localStorage.setItem(LAST_PATIENT, JSON.stringify({ id: user.id, role: user.role, display_name: user.display_name }));
    } else {
      localStorage.removeItem(LAST_PATIENT);
    }
  } catch {
    /* no storage: nothing opens offline */
  }
}

function lastPatient() {
  try {
    const user = JSON.parse(localStorage.getItem(LAST_PATIENT) || 'null');
    return user && Number.isInteger(user.id) && user.role === 'patient' ? user : null;
  } catch {
    return null;
  }
}

let shell;
let router;

// A click outside the open menu closes it.
document.addEventListener('click', (event) => {
  const open = document.querySelector('details.menu[open]');
  if (open && !open.contains(event.target)) open.open = false;
});

function buildShell() {
  const skip = h('a', { class: 'skip-link', href: '#main' });
  const header = h('header', { class: 'site-header' });
  const notice = h('p', { class: 'notice is-empty', role: 'status', 'aria-live': 'polite' });
  const main = h('main', { id: 'main', tabindex: '-1' });
  const footer = h('div', { class: 'emergency-slot' });
  const busy = h('p', { class: 'busy is-empty', role: 'status', 'data-testid': 'busy' });
  skip.addEventListener('click', (event) => {
    event.preventDefault();
    main.focus();
  });
  // The page and the emergency bar go in with the filled header (renderChrome),
  // so the page does not jump down when the header fills in.
  clear(document.getElementById('app'), skip, header, busy);
  shell = { skip, header, notice, main, footer, busy, page: h('div', { class: 'page' }, notice, main) };
  reserveEmergencySpace(footer);
}

/**
 * The emergency bar stays at the bottom of the screen: keep its real height
 * (it wraps with big text or a narrow screen) as the space a focused or
 * scrolled-to control is kept clear of.
 */
function reserveEmergencySpace(footer) {
  const root = document.documentElement;
  const update = () => root.style.setProperty('--emergency-height', `${Math.ceil(footer.getBoundingClientRect().height)}px`);
  update();
  if ('ResizeObserver' in window) new ResizeObserver(update).observe(footer);
}

// A wait shorter than this shows nothing (no flicker); a longer one shows "Henter …".
const BUSY_AFTER_MS = 100;
let busyTimer = null;

/** While a screen waits on the network: a calm "Henter …" and aria-busy on main. Returns the stop. */
function showBusy() {
  clearTimeout(busyTimer);
  shell.main.setAttribute('aria-busy', 'true');
  busyTimer = setTimeout(() => {
    shell.busy.textContent = t('common.loading');
    shell.busy.classList.remove('is-empty');
  }, BUSY_AFTER_MS);
  return () => {
    clearTimeout(busyTimer);
    shell.main.removeAttribute('aria-busy');
    shell.busy.textContent = '';
    shell.busy.classList.add('is-empty');
  };
}

function showsEmergencyNumbers() {
  return !state.user || state.user.role === 'patient' || state.user.role === 'next_of_kin';
}

function renderChrome() {
  shell.skip.textContent = t('common.skip_to_content');
  const brand = h(
    'a',
    { class: 'brand', href: '#/' },
    h('img', { src: '/app/icons/icon.svg', alt: '', width: 28, height: 28, class: 'brand-icon' }),
    h('span', null, t('app.name')),
  );
  const menu = state.user
    ? h(
        'details',
        { class: 'menu' },
        h('summary', { class: 'menu-button' }, t('menu.title')),
        h(
          'div',
          { class: 'menu-panel' },
          h('p', { class: 'menu-user' }, t('menu.logged_in_as', { name: state.user.display_name })),
          h('a', { href: '#/min-konto', class: 'menu-link', 'data-testid': 'menu-account' }, t('account.menu')),
          h('a', { href: '#/innstillinger', class: 'menu-link', 'data-testid': 'menu-settings' }, t('settings.menu')),
          h('a', { href: '#/passnokler', class: 'menu-link' }, t('strong.menu_passkeys')),
          h('button', { type: 'button', class: 'button-secondary', onclick: logout }, t('menu.log_out')),
        ),
      )
    : null;
  if (menu) {
    menu.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && menu.open) {
        menu.open = false;
        menu.querySelector('summary').focus();
      }
    });
  }
  clear(shell.header, h('div', { class: 'header-inner' }, brand, h('div', { class: 'header-tools' }, languageSwitch(changeLanguage), menu)));
  clear(shell.footer, showsEmergencyNumbers() ? emergencyBar() : null);
  document.body.classList.toggle('with-emergency', showsEmergencyNumbers());
  if (!shell.page.isConnected) shell.busy.after(shell.page, shell.footer);
}

function setNotice(text) {
  shell.notice.textContent = text || '';
  shell.notice.classList.toggle('is-empty', !text);
}

/** Show `text` in the notice area after the next screen change. */
function flash(text) {
  state.flash = text;
}

function setSession(session) {
  state.user = session.user;
  setCsrfToken(session.csrf_token);
  realtime.connect();
  outbox.start(session.user);
  outbox.checkins.start(session.user);
  planStore.start(session.user);
  rememberPatient(session.user);
  if (session.user.role === 'patient') {
    // Loaded with the session, so a tap on the plan draws her copy at once, even before a service worker holds the screen's code.
    import('./plans/plan.js').catch(() => {
      /* offline: the tap loads it, or says the screen could not be opened */
    });
  }
}

function forgetSession() {
  state.user = null;
  setCsrfToken(null);
  realtime.disconnect();
  outbox.stop();
  outbox.checkins.stop();
}

async function logout() {
  await forgetPush(); // while still logged in: this browser stops getting this person's reminders
  let providerLogout = null;
  try {
    // Ends this session; after an eID login also says where the provider ends its own.
    providerLogout = (await accountsApi.eidLogout()).end_session_url;
  } catch {
    /* already logged out on the server, or offline: forget it here anyway */
  }
  outbox.stop({ forget: true });
  outbox.checkins.stop({ forget: true });
  rememberPatient(null);
  planStore.forgetAll();
  forgetSession();
  flash(t('auth.logged_out'));
  if (providerLogout) {
    window.location.assign(providerLogout);
    return;
  }
  router.go('/logg-inn');
}

function sessionLost() {
  if (!state.user) return;
  forgetSession();
  flash(t('auth.session_ended'));
  router.go('/logg-inn');
}

/** The server ended the live connection: if the session has ended, a 401
 * here shows the login screen; if not, connect again. */
async function socketEnded() {
  if (!state.user) return;
  try {
    await accountsApi.session();
  } catch {
    /* a 401 has led to the login screen (and dropped the socket); any other
       failure: try the socket again, the server refuses it if the session ended */
  }
  realtime.reconnect();
}

/** The app in another language; `focus` is the control that made the change,
 * found again in the screen drawn anew (the header's switch unless said). */
async function changeLanguage(code, { focus = `header [data-lang="${code}"]` } = {}) {
  try {
    await loadLanguage(code);
  } catch {
    return;
  }
  followLanguage();
  await render(router.current(), { focus });
}

function match(path) {
  for (const route of ROUTES) {
    const found = route.pattern.exec(path);
    if (found) {
      const params = { ...(route.fixed || {}) };
      (route.params || []).forEach((name, i) => {
        params[name] = decodeURIComponent(found[i + 1]);
      });
      return { route, params };
    }
  }
  return null;
}

async function render(path, { focus = null } = {}) {
  const seq = ++state.renders;
  const found = match(path);
  let viewName = 'home/not-found';
  let params = {};
  const offlineUser = state.offline ? lastPatient() || planStore.ownerCopy()?.user || null : null;
  if (state.offline && found && found.route.offline && offlineUser) {
    viewName = found.route.view;
    params = found.params;
  } else if (state.offline && !(found && found.route.public)) {
    viewName = 'home/offline';
  } else if (found) {
    const { route } = found;
    params = found.params;
    if (!route.public && !state.user) {
      router.go('/logg-inn', { replace: true });
      return;
    }
    if (route.view === 'accounts/login' && state.user) {
      router.go('/', { replace: true });
      return;
    }
    if (route.roles && !route.roles.includes(state.user.role)) {
      router.go('/', { replace: true });
      return;
    }
    viewName = typeof route.view === 'function' ? route.view(state.user) : route.view;
  }

  renderChrome();
  setNotice(state.flash);
  state.flash = null;

  let node;
  const stopBusy = showBusy();
  try {
    const module = await import(`./${viewName}.js`);
    if (seq !== state.renders) return;
    node = await module.default({
      user: state.user,
      offlineUser,
      params,
      path,
      navigate: (to, options) => router.go(to, options),
      changeLanguage,
      setSession,
      flash,
      retry: () => router.refresh(),
      recheck: async () => {
        await checkSession();
        router.refresh();
      },
    });
  } catch (error) {
    if (error && error.code === 'unauthorized') return;
    node = h('div', null, h('h1', { tabindex: '-1' }, t('errors.page_title')), h('p', { role: 'alert' }, t('errors.generic')));
  } finally {
    if (seq === state.renders) stopBusy();
  }
  if (seq !== state.renders) return;
  clear(shell.main, node);
  const heading = shell.main.querySelector('h1');
  document.title = heading ? `${heading.textContent} – ${t('app.name')}` : t('app.name');
  if (focus) {
    document.querySelector(focus)?.focus();
  } else {
    if (!state.firstRender && heading) heading.focus({ preventScroll: false });
    window.scrollTo(0, 0);
  }
  state.firstRender = false;
}

async function checkSession() {
  try {
    setSession(await accountsApi.session({ quiet401: true }));
    state.offline = false;
  } catch (error) {
    state.user = null;
    state.offline = error && error.code === 'network';
    const last = state.offline ? lastPatient() || planStore.ownerCopy()?.user : null;
    if (last) {
      outbox.hold(last.id);
      outbox.checkins.hold(last.id);
    }
  }
}

function accountNotice(action) {
  if (action === 'user.disable_request') return 'account.notice_disable_request';
  if (action === 'user.disable_decline') return 'account.notice_disable_decline';
  return action.startsWith('invitation.') ? 'account.notice_link' : 'account.notice_event';
}

async function boot() {
  try {
    await loadLanguage(savedLanguage());
  } catch {
    await loadLanguage('nb');
  }
  buildShell();
  setUnauthorizedHandler(sessionLost);
  realtime.events.addEventListener('ended', socketEnded);
  // Something happened to my account (a new device, a new login link, a request
  // to disable it): say so on every screen of every device; the details are on
  // "Min konto" or "Hvem har sett mine data".
  realtime.events.addEventListener('message', (event) => {
    if (event.detail.name !== 'account:event' || !state.user) return;
    const action = String((event.detail.args[0] || {}).action || '');
    setNotice(t(accountNotice(action)));
  });
  const stopBusy = showBusy();
  await checkSession();
  stopBusy();
  router = createRouter(render);
  window.addEventListener('online', async () => {
    if (!state.offline) return;
    await checkSession();
    router.refresh();
  });
  router.start();
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {});
  }
}

boot();
