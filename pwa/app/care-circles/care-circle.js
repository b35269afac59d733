// #/hvem-hjelper-meg: the patient's own care circle, tier by tier.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as circlesApi from './api.js';
import { teamKind } from '../format.js';
import { backLink, loadFailed, pageTitle } from '../ui.js';

function tierItem(tier, index) {
  return h(
    'li',
    { class: 'step' },
    h('h3', { class: 'step-title' }, index === 0 ? t('circle.first') : t('circle.then')),
    h(
      'ul',
      { class: 'plain-list' },
      tier.teams.map((team) => h('li', null, h('span', { class: 'team-name' }, team.name), ' ', h('span', { class: 'muted' }, `(${teamKind(team.kind)})`))),
    ),
  );
}

export default async function careCircleView(ctx) {
  const page = h('div', { class: 'narrow' }, backLink('#/', t('common.back_home')), pageTitle(t('circle.title')));
  let circle;
  try {
    circle = await circlesApi.careCircle(ctx.user.id);
  } catch (err) {
    page.append(loadFailed(err, ctx.retry));
    return page;
  }
  page.append(h('p', { class: 'lead' }, t('circle.intro')));

  page.append(h('h2', null, t('circle.order_heading')));
  if (circle.tiers.length) {
    page.append(h('p', null, t('circle.order_intro')), h('ol', { class: 'steps' }, circle.tiers.map(tierItem)));
  } else {
    page.append(h('p', { class: 'panel' }, t('circle.no_tiers')));
  }

  page.append(h('h2', null, t('circle.contacts_heading')));
  if (circle.primary_contacts.length) {
    page.append(
      h('p', null, t('circle.contacts_intro')),
      h('ul', { class: 'plain-list people' }, circle.primary_contacts.map((person) => h('li', null, person.display_name))),
    );
  } else {
    page.append(h('p', null, t('circle.no_contacts')));
  }
  page.append(h('p', { class: 'hint' }, t('circle.change_hint')));
  return page;
}
