// #/parorende-hjem/<id> for next of kin: only the parts of her crisis plan she
// shares with me, with numbers to tap; the emergency numbers stay at the bottom.
import { append, h } from '../dom.js';
import { t } from '../i18n.js';
import * as kinApi from './api.js';
import { backLink, loadFailed, pageTitle } from '../ui.js';
import { compactSections } from '../plans/plan-ui.js';
import { worryButton } from './kin-ui.js';
import { onPush } from '../chat/chat-ui.js';

export default async function kinPlan(ctx) {
  const patientId = Number(ctx.params.patientId);
  const page = h('div', { class: 'narrow plan-page kin-plan', 'data-testid': 'kin-plan' }, backLink('#/', t('next_of_kin.kin.back')));
  let plan;
  try {
    plan = await kinApi.kinPlan(patientId);
  } catch (err) {
    page.append(pageTitle(t('next_of_kin.kin.plan_title_unknown')), loadFailed(err, null));
    return page;
  }
  const sections = compactSections(plan, { headingLevel: 2 });
  append(
    page,
    pageTitle(t('next_of_kin.kin.plan_title', { name: plan.patient_name })),
    ...(sections.length ? sections : [h('p', { class: 'panel', 'data-testid': 'kin-plan-empty' }, t('next_of_kin.kin.plan_empty', { name: plan.patient_name }))]),
    plan.may_signal_worry ? worryButton({ patient_id: patientId, patient_name: plan.patient_name, open_worry: null }) : null,
  );
  // She withdrew her consent while this was open: it goes at once.
  onPush(page, (name, args) => {
    if (name === 'kin:access_ended' && args && args.patient_id === patientId) {
      ctx.flash(t('next_of_kin.kin.access_ended', { name: plan.patient_name }));
      ctx.navigate('/', { replace: true });
    }
  });
  return page;
}
