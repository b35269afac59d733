// #/ for next of kin: the people who include me, with what they share and the
// "I am worried" button where they allow it.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import * as kinApi from './api.js';
import { firstName } from '../format.js';
import { loadFailed, pageTitle } from '../ui.js';
import { worryButton } from './kin-ui.js';
import { onPush } from '../chat/chat-ui.js';

function patientCard(patient) {
  return h(
    'li',
    { class: 'item kin-patient', 'data-testid': 'kin-patient', dataset: { patientId: String(patient.patient_id) } },
    h('h2', null, patient.patient_name),
    h('p', null, h('a', { href: `#/parorende-hjem/${patient.patient_id}`, 'data-testid': 'kin-plan-link' }, t('next_of_kin.kin.see_shared', { name: patient.patient_name }))),
    patient.may_signal_worry ? worryButton(patient) : null,
  );
}

export default async function kinHome(ctx) {
  const page = h('div', { class: 'narrow kin-home', 'data-testid': 'kin-home' }, pageTitle(t('next_of_kin.kin.title', { name: firstName(ctx.user.display_name) })));
  let home;
  try {
    home = await kinApi.kinHome();
  } catch (err) {
    page.append(loadFailed(err, ctx.retry));
    return page;
  }
  page.append(
    h('p', { class: 'lead' }, t('next_of_kin.kin.intro')),
    home.patients.length
      ? h('ul', { class: 'items' }, home.patients.map(patientCard))
      : h('p', { class: 'panel', 'data-testid': 'kin-none' }, t('next_of_kin.kin.none')),
  );
  onPush(page, (name) => {
    if (name === 'kin:access_ended') ctx.retry();
  });
  return page;
}
