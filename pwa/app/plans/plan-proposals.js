// #/kriseplan/forslag for patients: changes proposed by supporters, with
// who and when, what would change, a warning when the plan changed since,
// and "Godta" / "Avvis". Nothing changes until the patient approves. A change
// a supporter wrote down as "avtalt i møte" asks "Stemmer det?" instead.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { formatDateTime } from '../format.js';
import { backLink, loadFailed, messageArea, pageTitle, showMessage, withBusy } from '../ui.js';
import { diffView, kindsText, planErrorText, sectionTitle } from './plan-ui.js';
import * as store from './plan-store.js';
import * as plansApi from './api.js';

export function proposalAuthor(p) {
  const who = p.author ? p.author.display_name : t('audit.unknown_actor');
  const kinds = kindsText(p.author_team_kinds);
  return kinds ? `${who} (${kinds})` : who;
}

function historyRow(p) {
  return h(
    'li',
    { class: 'item', 'data-testid': 'plan-proposal-closed' },
    h('p', { class: 'item-title' }, t('plan.proposals.from', { name: proposalAuthor(p), when: formatDateTime(p.created_at) })),
    h('p', null, h('span', { class: 'badge' }, t(`plan.proposals.status.${p.status}`)), p.resulting_version ? ` ${t('plan.proposals.became', { n: p.resulting_version })}` : ''),
    p.decision_note ? h('p', { class: 'plan-note' }, t('plan.versions.note', { note: p.decision_note })) : null,
  );
}

export default async function planProposalsView(ctx) {
  const page = h('div', { class: 'narrow plan-page', 'data-testid': 'plan-proposals-page' }, backLink('#/kriseplan', t('plan.back')), pageTitle(t('plan.proposals.title')));
  let plan;
  let proposals;
  try {
    [plan, proposals] = await Promise.all([store.fetchOwnPlan(ctx.user), plansApi.proposals(ctx.user.id)]);
  } catch (err) {
    page.append(err.code === 'network' ? h('p', { class: 'panel panel-problem', role: 'alert' }, t('plan.offline.need_network')) : loadFailed(err, ctx.retry));
    return page;
  }
  const open = (p) => p.status === 'pending' || p.status === 'awaiting_confirmation';
  const pending = proposals.filter(open);
  const closed = proposals.filter((p) => !open(p));
  page.append(h('p', { class: 'lead' }, t('plan.proposals.intro')));
  if (!pending.length) page.append(h('p', { class: 'panel', 'data-testid': 'plan-proposals-empty' }, t('plan.proposals.empty')));

  const list = h('ul', { class: 'items plan-proposals' });
  for (const p of pending) {
    const error = messageArea('error');
    const meeting = p.status === 'awaiting_confirmation';
    const approve = h('button', { type: 'button', class: 'button-primary', 'data-testid': 'plan-approve' }, t(meeting ? 'plan.proposals.confirm' : 'plan.proposals.approve'));
    const reject = h('button', { type: 'button', class: 'button-secondary', 'data-testid': 'plan-reject' }, t(meeting ? 'plan.proposals.not_agreed' : 'plan.proposals.reject'));
    const item = h(
      'li',
      { class: 'item plan-proposal', 'data-testid': 'plan-proposal', dataset: { id: p.id } },
      h('h2', { class: 'item-title' }, t('plan.proposals.from', { name: proposalAuthor(p), when: formatDateTime(p.created_at) })),
      meeting
        ? h('p', { class: 'panel', 'data-testid': 'plan-meeting-question' }, t('plan.proposals.meeting_from', { name: p.meeting_recorded_by ? p.meeting_recorded_by.display_name : t('audit.unknown_actor'), when: formatDateTime(p.meeting_recorded_at) }))
        : null,
      meeting && p.decision_note ? h('p', { class: 'plan-note' }, t('plan.versions.note', { note: p.decision_note })) : null,
      p.note ? h('p', { class: 'plan-note' }, t('plan.proposals.note', { note: p.note })) : null,
      p.conflicts && p.conflicts.length
        ? h('p', { class: 'panel panel-problem plan-proposal-conflict', role: 'note', 'data-testid': 'plan-proposal-conflict' }, t('plan.proposals.conflict', { sections: p.conflicts.map(sectionTitle).join(', ') }))
        : null,
      diffView(p.diff, { headingLevel: 3 }),
      error,
      h('div', { class: 'actions' }, approve, reject),
    );
    approve.addEventListener('click', async () => {
      showMessage(error, '');
      try {
        const done = await withBusy(approve, t('common.saving'), () => plansApi.answerProposal(ctx.user.id, p.id, 'approve', { base_version: plan.version }));
        ctx.flash(t('plan.proposals.approved', { n: done.resulting_version, name: p.author ? p.author.display_name : '' }));
        ctx.retry();
      } catch (err) {
        showMessage(error, planErrorText(err));
        if (err.code === 'stale_version') {
          try {
            plan = await store.fetchOwnPlan(ctx.user);
          } catch {
            /* shown when tried again */
          }
        }
      }
    });
    reject.addEventListener('click', async () => {
      showMessage(error, '');
      try {
        await withBusy(reject, t('common.saving'), () => plansApi.answerProposal(ctx.user.id, p.id, 'reject'));
        ctx.flash(t('plan.proposals.rejected', { name: p.author ? p.author.display_name : '' }));
        ctx.retry();
      } catch (err) {
        showMessage(error, planErrorText(err));
      }
    });
    list.append(item);
  }
  page.append(list);
  if (closed.length) {
    page.append(
      h('details', { class: 'plan-history' }, h('summary', null, t('plan.proposals.history', { count: closed.length })), h('ul', { class: 'items' }, closed.map(historyRow))),
    );
  }
  return page;
}
