// #/parorende for patients: the next of kin I include, what each may see and
// do, inviting one more, and taking it back (at once) with a confirmation.
import { h, clear } from '../dom.js';
import { t } from '../i18n.js';
import * as kinApi from './api.js';
import { backLink, confirmStep, errorText, field, invitationPanel, loadFailed, messageArea, pageTitle, showMessage, withBusy } from '../ui.js';
import { consentChoices } from './kin-ui.js';

function consentCard(consent, patientId, reload, pageStatus) {
  const card = h('li', { class: 'item kin-consent', 'data-testid': 'kin-consent', dataset: { consentId: String(consent.id) } });
  const status = messageArea('status');
  const choices = consentChoices(consent);
  const save = h('button', { type: 'submit', class: 'button-primary', 'data-testid': 'kin-save' }, t('next_of_kin.patient.save'));
  const form = h('form', { class: 'form' }, choices.nodes, h('div', { class: 'actions' }, save), status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await withBusy(save, t('common.saving'), () => kinApi.updateConsent(patientId, consent.id, choices.value()));
      showMessage(status, t('next_of_kin.patient.saved', { name: consent.display_name }));
    } catch (err) {
      showMessage(status, errorText(err));
    }
  });
  const withdraw = h('button', { type: 'button', class: 'button-danger', 'data-testid': 'kin-withdraw' }, t('next_of_kin.patient.withdraw', { name: consent.display_name }));
  const actions = h('div', { class: 'actions' }, withdraw);
  withdraw.addEventListener('click', () => {
    const step = confirmStep({
      question: t('next_of_kin.patient.withdraw_confirm', { name: consent.display_name }),
      confirmLabel: t('next_of_kin.patient.withdraw_yes'),
      onConfirm: async (yes) => {
        try {
          await withBusy(yes, t('common.saving'), () => kinApi.withdrawConsent(patientId, consent.id));
          showMessage(pageStatus, t('next_of_kin.patient.withdrawn', { name: consent.display_name }));
          reload();
        } catch (err) {
          clear(actions, withdraw);
          showMessage(status, errorText(err));
        }
      },
      onCancel: () => {
        clear(actions, withdraw);
        withdraw.focus();
      },
    });
    clear(actions, step.box);
    step.focus();
  });
  clear(
    card,
    h('h3', null, consent.display_name),
    h('p', { class: 'muted' }, t(consent.joined ? 'next_of_kin.patient.joined' : 'next_of_kin.patient.not_joined', { name: consent.display_name })),
    form,
    actions,
  );
  return card;
}

function inviteForm(patientId, reload) {
  const name = field({ label: t('next_of_kin.patient.name'), hint: t('next_of_kin.patient.name_hint'), required: true, maxlength: 80, autocomplete: 'off', 'data-testid': 'kin-name' });
  const choices = consentChoices({});
  const send = h('button', { type: 'submit', class: 'button-primary', 'data-testid': 'kin-invite' }, t('next_of_kin.patient.invite'));
  const status = messageArea('error');
  const result = h('div', { 'data-testid': 'kin-invited' });
  const form = h('form', { class: 'form', 'data-testid': 'kin-invite-form' }, name.wrap, choices.nodes, h('div', { class: 'actions' }, send), status);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const invited = await withBusy(send, t('common.saving'), () =>
        kinApi.addConsent(patientId, { display_name: name.input.value, ...choices.value() }),
      );
      clear(result, invitationPanel(invited.invitation, { name: invited.consent.display_name }));
      name.input.value = '';
      reload();
    } catch (err) {
      showMessage(status, errorText(err));
    }
  });
  return h('section', { class: 'section', 'aria-labelledby': 'kin-invite-title' }, h('h2', { id: 'kin-invite-title' }, t('next_of_kin.patient.invite_title')), h('p', null, t('next_of_kin.patient.invite_intro')), form, result);
}

export default async function nextOfKinView(ctx) {
  const patientId = ctx.user.id;
  const pageStatus = messageArea('status');
  const list = h('ul', { class: 'items', 'data-testid': 'kin-list' });
  async function reload() {
    try {
      const consents = await kinApi.consents(patientId);
      clear(list, consents.length ? consents.map((c) => consentCard(c, patientId, reload, pageStatus)) : h('li', { class: 'muted' }, t('next_of_kin.patient.none')));
    } catch (err) {
      clear(list, h('li', null, loadFailed(err, reload)));
    }
  }
  await reload();
  return h(
    'div',
    { class: 'narrow next-of-kin-page', 'data-testid': 'next-of-kin-page' },
    backLink('#/', t('common.back_home')),
    pageTitle(t('next_of_kin.patient.title')),
    h('p', { class: 'lead' }, t('next_of_kin.patient.intro')),
    pageStatus,
    h('section', { class: 'section', 'aria-labelledby': 'kin-list-title' }, h('h2', { id: 'kin-list-title' }, t('next_of_kin.patient.list_title')), list),
    inviteForm(patientId, reload),
  );
}
