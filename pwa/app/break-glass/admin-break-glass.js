// Administrators: every break-glass opening (nødtilgang) for review, newest
// first; the check-ins themselves are never shown here.
import { h, uid } from '../dom.js';
import { t } from '../i18n.js';
import * as breakGlassApi from './api.js';
import { loadFailed } from '../ui.js';
import { openingForReview } from './break-glass-ui.js';

export default async function adminBreakGlass(ctx) {
  const id = uid('unreviewed');
  const onlyOpen = h('input', { id, type: 'checkbox', checked: true, 'data-testid': 'break-glass-unreviewed' });
  const list = h('ul', { class: 'items', 'data-testid': 'break-glass-review-list' });
  const empty = h('p', { class: 'panel', hidden: true }, t('break_glass.admin_empty'));
  const section = h(
    'section',
    { class: 'section', 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, t('break_glass.admin_title')),
    h('p', { class: 'lead' }, t('break_glass.admin_intro')),
    h('div', { class: 'field field-check' }, onlyOpen, h('label', { for: id }, t('break_glass.admin_only_unreviewed'))),
    empty,
    list,
  );
  async function load() {
    const openings = await breakGlassApi.openings({ unreviewed: onlyOpen.checked });
    list.replaceChildren(...openings.map((o) => openingForReview(o, () => {})));
    empty.hidden = openings.length > 0;
  }
  try {
    await load();
  } catch (err) {
    if (err.code === 'unauthorized') throw err;
    return loadFailed(err, ctx.retry);
  }
  onlyOpen.addEventListener('change', () => load().catch((err) => section.replaceChildren(loadFailed(err, ctx.retry))));
  return section;
}
