// #/ for patients. The home screen is a list of tiles; later features
// (check-in, crisis plan, chat) add their tile to TILES.
import { h, clear } from '../dom.js';
import { t } from '../i18n.js';
import { firstName, partOfDay } from '../format.js';
import { pageTitle } from '../ui.js';
import { pendingReminderBanner } from '../checkins/checkin-ui.js';
import { pendingProposalsBanner } from '../plans/plan-ui.js';
import * as alertsApi from '../alerts/api.js';
import { onPush } from '../chat/chat-ui.js';
import { alertText, helpNow, needsHelpNow, reachableLine } from '../chat/routing-status.js';

const TILES = [
  // The crisis plan first and larger: one tap in a crisis (opens at "Dette kan jeg gjøre selv").
  { href: '#/kriseplan', key: 'plan', title: 'plan.tile_title', text: 'plan.tile_text', prominent: true },
  { href: '#/kveldssjekk', key: 'checkin', title: 'checkin.home.tile_title', text: 'checkin.home.tile_text' },
  { href: '#/chat', key: 'chat', title: 'chat.tile_title', text: 'chat.tile_text' },
  { href: '#/hvem-hjelper-meg', key: 'circle' },
  { href: '#/hvem-har-sett', key: 'audit' },
  { href: '#/parorende', key: 'next_of_kin' },
  { href: '#/mine-data', key: 'my_data', title: 'my_data.tile_title', text: 'my_data.tile_text' },
];

function tile({ href, key, title, text, prominent = false }) {
  return h(
    'li',
    { class: ['tile', prominent && 'tile-prominent'] },
    h(
      'a',
      { href, class: 'tile-link', 'data-tile': key },
      h('span', { class: ['tile-icon', `tile-icon-${key}`], 'aria-hidden': 'true' }),
      h('span', { class: 'tile-text' }, h('span', { class: 'tile-title' }, t(title || `home.tiles.${key}.title`)), h('span', { class: 'tile-desc' }, t(text || `home.tiles.${key}.text`))),
    ),
  );
}

// Shifts change on the hour or half hour: asked again this often, the line stays true.
const ROUTING_REFRESH_MS = 60 * 1000;

/**
 * Who can answer now (team kinds from the roster by the server's clock, never
 * names) and where tonight's alert about me stands, both as the server says,
 * kept live. With nobody to reach, the numbers to call are right here.
 */
function routingBox() {
  const box = h('div', { class: 'home-routing', 'data-testid': 'home-routing', hidden: true });
  function draw(routing) {
    const alert = routing.alert && routing.alert.status !== 'in_chat' ? routing.alert : null;
    const nobody = !(routing.reachability && routing.reachability.reachable_kinds && routing.reachability.reachable_kinds.length);
    const help = alert ? needsHelpNow(alert.status) || nobody : nobody;
    clear(
      box,
      reachableLine(routing.reachability),
      alert ? h('p', { class: 'home-alert', 'data-testid': 'home-alert-status', 'data-status': alert.status }, alertText(alert)) : null,
      help ? helpNow((alert && alert.reachability) || routing.reachability, { testid: 'home-help-now' }) : null,
    );
    box.hidden = false;
  }
  const load = () => alertsApi.myAlerts().then(draw).catch(() => {});
  const loaded = load();
  onPush(box, (name) => {
    if (name === 'connect' || name === 'alert:status') load();
  });
  const timer = setInterval(() => {
    if (!box.isConnected) clearInterval(timer);
    else if (document.visibilityState === 'visible') load();
  }, ROUTING_REFRESH_MS);
  return { node: box, loaded };
}

// The boxes above the tiles are drawn before the home is shown, so the tiles do
// not jump away under her finger; on a slow network the tiles wait no longer than this.
const FIRST_DRAW_WAIT_MS = 1000;

export default async function patientHome(ctx) {
  const when = partOfDay();
  const boxes = [pendingReminderBanner(), pendingProposalsBanner(ctx.user), routingBox()];
  await Promise.race([
    Promise.all(boxes.map((box) => box.loaded)),
    new Promise((resolve) => setTimeout(resolve, FIRST_DRAW_WAIT_MS)),
  ]);
  return h(
    'div',
    { class: 'patient-home', 'data-testid': 'patient-home' },
    pageTitle(t(`home.greeting.${when}`, { name: firstName(ctx.user.display_name) })),
    h('p', { class: 'lead' }, t(`home.sub.${when}`)),
    ...boxes.map((box) => box.node),
    h('h2', { class: 'visually-hidden' }, t('home.tiles_heading')),
    h('ul', { class: 'tiles' }, TILES.map(tile)),
  );
}
