// #/mine-vakter for supporters: my coming shifts, whom I take over from, and a
// private calendar (iCal) link. Also the "your shift starts soon" banner on
// the supporter home.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as rostersApi from './api.js';
import { backLink, confirmStep, errorText, field, loadFailed, messageArea, pageTitle, showMessage, withBusy } from '../ui.js';
import { clockTime, dayKey, dayName, listText } from './roster-time.js';

const DAYS_AHEAD = 28;

function takesOver(shift) {
  return shift.takes_over_from.length ? t('my_shifts.takes_over', { names: listText(shift.takes_over_from) }) : null;
}

/** The banner on the supporter home when a shift starts within the hour; empty otherwise. */
export function shiftNotice() {
  const node = h('div', { class: 'shift-notice-slot', 'data-testid': 'shift-notice-slot' });
  rostersApi.myShifts({ days: 1 })
    .then((shifts) => {
      const soon = shifts.filter((s) => s.starts_soon);
      if (!soon.length) return;
      node.replaceChildren(
        h(
          'section',
          { class: 'shift-notice', role: 'status', 'data-testid': 'shift-notice' },
          h('span', { class: 'shift-notice-icon', 'aria-hidden': 'true' }),
          h(
            'div',
            null,
            soon.map((s) => h('p', null, h('strong', null, t('my_shifts.soon', { team: s.team.name, time: clockTime(s.starts_at) })), ' ', takesOver(s) || '')),
            h('p', null, h('a', { href: '#/mine-vakter' }, t('my_shifts.see_all'))),
          ),
        ),
      );
    })
    .catch(() => {
      /* the banner is a convenience; the shifts page shows errors */
    });
  return node;
}

async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    input.select();
    try {
      return document.execCommand('copy');
    } catch {
      return false;
    }
  }
}

function calendarFeed() {
  const area = h('div', { 'data-testid': 'feed-area' });
  const status = messageArea('status');
  const error = messageArea('error');
  const create = h('button', { type: 'button', class: 'button-primary', 'data-testid': 'feed-create' }, t('my_shifts.feed_create'));
  const revoke = h('button', { type: 'button', class: 'button-secondary', 'data-testid': 'feed-revoke' }, t('my_shifts.feed_revoke'));
  const confirmArea = h('div');

  create.addEventListener('click', async () => {
    showMessage(error, '');
    showMessage(status, '');
    try {
      const feed = await withBusy(create, t('common.saving'), () => rostersApi.createCalendarFeed());
      const link = field({ id: 'feed-url', label: t('my_shifts.feed_link'), value: feed.url, readOnly: true, class: 'invitation-url', spellcheck: 'false' });
      link.input.addEventListener('focus', () => link.input.select());
      const copy = h('button', { type: 'button', class: 'button-secondary' }, t('my_shifts.feed_copy'));
      copy.addEventListener('click', async () => {
        showMessage(status, (await copyText(feed.url, link.input)) ? t('my_shifts.feed_copied') : t('my_shifts.feed_copy_failed'));
      });
      area.replaceChildren(
        h(
          'div',
          { class: 'panel feed-panel' },
          h('p', { class: 'feed-warning', role: 'note' }, h('strong', null, t('my_shifts.feed_warning_title')), ' ', t('my_shifts.feed_warning')),
          link.wrap,
          h('div', { class: 'actions' }, copy),
          h('p', { class: 'hint' }, t('my_shifts.feed_how')),
        ),
      );
      create.textContent = t('my_shifts.feed_new');
      showMessage(status, t('my_shifts.feed_created'));
      link.input.focus();
    } catch (err) {
      showMessage(error, errorText(err));
    }
  });

  revoke.addEventListener('click', () => {
    const { box, focus } = confirmStep({
      question: t('my_shifts.feed_revoke_question'),
      confirmLabel: t('my_shifts.feed_revoke_confirm'),
      onConfirm: async (button) => {
        try {
          await withBusy(button, t('common.saving'), () => rostersApi.removeCalendarFeed());
          area.replaceChildren();
          confirmArea.replaceChildren();
          create.textContent = t('my_shifts.feed_create');
          showMessage(status, t('my_shifts.feed_revoked'));
          revoke.focus();
        } catch (err) {
          showMessage(error, errorText(err));
        }
      },
      onCancel: () => {
        confirmArea.replaceChildren();
        revoke.focus();
      },
    });
    confirmArea.replaceChildren(box);
    focus();
  });

  return h(
    'section',
    { class: 'section', 'aria-labelledby': 'feed-heading', 'data-testid': 'calendar-feed' },
    h('h2', { id: 'feed-heading' }, t('my_shifts.feed_title')),
    h('p', null, t('my_shifts.feed_intro')),
    h('p', { class: 'hint' }, t('my_shifts.feed_old_links')),
    area,
    status,
    error,
    h('div', { class: 'actions' }, create, revoke),
    confirmArea,
  );
}

function shiftItem(s, nowMs) {
  const started = new Date(s.starts_at).getTime() <= nowMs + 1000;
  const crosses = dayKey(s.ends_at) !== dayKey(s.starts_at);
  const time = `${clockTime(s.starts_at)}–${clockTime(s.ends_at)}${crosses ? ` ${t('roster.next_day_suffix')}` : ''}`;
  return h(
    'li',
    { class: ['item', 'shift-item', (s.starts_soon || started) && 'shift-item-soon'], 'data-testid': 'my-shift' },
    h('p', { class: 'item-title shift-day' }, started ? t('my_shifts.on_duty_now') : dayName(s.starts_at)),
    h('p', { class: 'shift-when' }, started ? t('my_shifts.now_until', { time: clockTime(s.ends_at), day: dayKey(s.ends_at) === dayKey(new Date(nowMs)) ? '' : t('my_shifts.tomorrow_prefix') }) : time, h('span', { class: 'muted' }, ` · ${s.team.name}`)),
    s.starts_soon ? h('p', { class: 'badges' }, h('span', { class: 'badge badge-warm' }, t('my_shifts.starts_soon'))) : null,
    !started && takesOver(s) ? h('p', { class: 'takes-over', 'data-testid': 'takes-over' }, takesOver(s)) : null,
  );
}

export default async function myShifts(ctx) {
  const page = h('div', { class: 'narrow', 'data-testid': 'my-shifts' }, backLink('#/', t('common.back_home')), pageTitle(t('my_shifts.title')), h('p', { class: 'lead' }, t('my_shifts.intro')));
  let shifts;
  let teams;
  try {
    // /api/on-duty tells the server's "now" (its clock may differ from this device's).
    [shifts, teams] = await Promise.all([rostersApi.myShifts({ days: DAYS_AHEAD }), rostersApi.onDuty()]);
  } catch (err) {
    if (err.code === 'unauthorized') throw err;
    page.append(loadFailed(err, ctx.retry));
    return page;
  }
  const nowMs = teams.length ? new Date(teams[0].at).getTime() : Date.now();
  page.append(
    h(
      'section',
      { class: 'section', 'aria-labelledby': 'shifts-heading' },
      h('h2', { id: 'shifts-heading' }, t('my_shifts.list_title', { count: DAYS_AHEAD })),
      shifts.length ? h('ul', { class: 'items' }, shifts.map((s) => shiftItem(s, nowMs))) : h('p', { class: 'panel' }, t('my_shifts.none')),
    ),
    calendarFeed(),
  );
  return page;
}

/** The link to "Mine vakter" on the supporter home. */
export function myShiftsLink() {
  return h(
    'a',
    { href: '#/mine-vakter', class: 'tile-link my-shifts-link', 'data-testid': 'my-shifts-link' },
    h('span', { class: 'tile-icon tile-icon-shifts', 'aria-hidden': 'true' }),
    h('span', { class: 'tile-text' }, h('span', { class: 'tile-title' }, t('my_shifts.title')), h('span', { class: 'tile-desc' }, t('my_shifts.link_desc'))),
  );
}
