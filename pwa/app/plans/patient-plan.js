// #/pasient/<id>/kriseplan for supporters: the sections the patient shares
// with the supporter's team kind, "Slik vil jeg bli møtt" first; propose a
// change to a section (the patient approves it), record a proposal as
// agreed in a meeting (a note is required; it takes effect when the patient
// confirms it or a colleague co-signs it as the second person), and print
// for a care meeting.
// Every load is in the patient's "Hvem har sett mine data".
import { h, uid } from '../dom.js';
import { t } from '../i18n.js';
import { formatDateTime } from '../format.js';
import { backLink, loadFailed, messageArea, pageTitle, showMessage, withBusy } from '../ui.js';
import { LIMITS, diffView, kindsText, planErrorText, sectionBody, sectionTitle, versionLine } from './plan-ui.js';
import { sameValue, sectionEditor } from './plan-edit.js';
import { proposalAuthor } from './plan-proposals.js';
import * as plansApi from './api.js';

function noteField(label, { required = false, hint = null } = {}) {
  const id = uid('note');
  const hintId = hint ? `${id}-hint` : undefined;
  const input = h('textarea', { id, rows: 2, maxlength: LIMITS.note, required, 'aria-describedby': hintId, 'data-testid': required ? 'plan-meeting-note' : 'plan-propose-note' });
  return { input, node: h('div', { class: 'field' }, h('label', { for: id }, label), hint ? h('p', { class: 'hint', id: hintId }, hint) : null, input) };
}

export default async function patientPlanView(ctx) {
  const patientId = Number.parseInt(ctx.params.patientId, 10);
  const page = h('div', { class: 'wide plan-page plan-supporter', 'data-testid': 'patient-plan' }, backLink('#/', t('plan.supporter.back')));
  let plan;
  let pending;
  try {
    [plan, pending] = await Promise.all([
      plansApi.plan(patientId),
      Promise.all(['pending', 'awaiting_confirmation'].map((status) => plansApi.proposals(patientId, { status })))
        .then((lists) => lists.flat())
        .catch(() => []),
    ]);
  } catch (err) {
    page.append(pageTitle(t('plan.supporter.title_plain')));
    if (err.status === 403 || err.status === 404) page.append(h('p', { class: 'panel', role: 'alert' }, t('plan.supporter.not_available')));
    else page.append(loadFailed(err, ctx.retry));
    return page;
  }
  const name = plan.patient_name || t('plan.supporter.the_patient');
  const kinds = kindsText(plan.your_team_kinds);
  const printedAt = formatDateTime(new Date().toISOString());

  const printButton = h('button', { type: 'button', class: 'button-secondary', 'data-testid': 'plan-print' }, t('plan.supporter.print'));
  printButton.addEventListener('click', () => window.print());
  page.append(
    pageTitle(t('plan.supporter.title', { name })),
    h('p', { class: 'print-only plan-print-head' }, t('plan.supporter.print_head', { name, version: versionLine(plan, null), printed: printedAt })),
    h('p', { class: 'plan-version no-print', 'data-testid': 'plan-version' }, versionLine(plan, null)),
    h('p', { class: 'panel plan-shared-note', 'data-testid': 'plan-shared-note' }, t('plan.supporter.shared_note', { name, kinds: kinds || t('plan.supporter.your_team') })),
    h('div', { class: 'actions no-print' }, printButton),
  );

  const visible = Array.isArray(plan.visible_sections) ? plan.visible_sections : [];
  if (!visible.length) {
    page.append(h('p', { class: 'panel' }, t('plan.supporter.nothing_shared', { name, kinds: kinds || t('plan.supporter.your_team') })));
    return page;
  }

  // A meeting agreement waits for the patient or a second supporter: whoever
  // proposed or recorded it cannot co-sign it.
  function awaitingItem(p) {
    const involved = [p.author && p.author.id, p.meeting_recorded_by && p.meeting_recorded_by.id].includes(ctx.user.id);
    const error = messageArea('error');
    const sign = h('button', { type: 'button', class: 'button-primary', 'data-testid': 'plan-co-sign' }, t('plan.supporter.co_sign'));
    sign.addEventListener('click', async () => {
      showMessage(error, '');
      try {
        const done = await withBusy(sign, t('common.saving'), () => plansApi.answerProposal(patientId, p.id, 'co-sign', { base_version: plan.version }));
        ctx.flash(t('plan.supporter.co_signed', { n: done.resulting_version }));
        ctx.retry();
      } catch (err) {
        showMessage(error, planErrorText(err, { name }));
      }
    });
    const recordedBy = p.meeting_recorded_by ? p.meeting_recorded_by.display_name : t('audit.unknown_actor');
    return h(
      'li',
      { class: 'item plan-proposal', 'data-testid': 'plan-awaiting', dataset: { id: p.id } },
      h('p', { class: 'item-title' }, t('plan.supporter.waiting_confirmation', { name, recorded_by: recordedBy })),
      h('p', { class: 'muted' }, t('plan.supporter.proposed_by', { author: proposalAuthor(p), when: formatDateTime(p.created_at) })),
      p.decision_note ? h('p', { class: 'plan-note' }, t('plan.versions.note', { note: p.decision_note })) : null,
      diffView(p.diff, { headingLevel: 3 }),
      h('p', { class: 'hint' }, t(involved ? 'plan.supporter.co_sign_not_you' : 'plan.supporter.co_sign_hint', { name })),
      error,
      involved ? null : h('div', { class: 'actions' }, sign),
    );
  }

  // Proposals that wait for the patient: "Avtalt i møte" is recorded from here.
  const waiting = h('section', { class: 'section no-print plan-waiting', 'aria-labelledby': 'plan-waiting-title', 'data-testid': 'plan-waiting' });
  function renderWaiting() {
    waiting.replaceChildren();
    if (!pending.length) return;
    waiting.append(h('h2', { id: 'plan-waiting-title' }, t('plan.supporter.waiting_title')));
    const list = h('ul', { class: 'items' });
    for (const p of pending) {
      if (p.status === 'awaiting_confirmation') {
        list.append(awaitingItem(p));
        continue;
      }
      const note = noteField(t('plan.supporter.agree_note'), { required: true, hint: t('plan.supporter.agree_hint', { name }) });
      const error = messageArea('error');
      const send = h('button', { type: 'submit', class: 'button-primary', 'data-testid': 'plan-agree-send' }, t('plan.supporter.agree_send'));
      const form = h('form', { class: 'form', novalidate: true }, note.node, error, h('div', { class: 'actions' }, send));
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        showMessage(error, '');
        if (!note.input.value.trim()) {
          note.input.setAttribute('aria-invalid', 'true');
          showMessage(error, t('plan.supporter.agree_note_required'));
          note.input.focus();
          return;
        }
        note.input.removeAttribute('aria-invalid');
        try {
          await withBusy(send, t('common.saving'), () =>
            plansApi.answerProposal(patientId, p.id, 'agree-in-meeting', { base_version: plan.version, note: note.input.value.trim() }),
          );
          ctx.flash(t('plan.supporter.agreed', { name }));
          ctx.retry();
        } catch (err) {
          showMessage(error, planErrorText(err, { name }));
        }
      });
      list.append(
        h(
          'li',
          { class: 'item plan-proposal', 'data-testid': 'plan-pending', dataset: { id: p.id } },
          h('p', { class: 'item-title' }, t('plan.supporter.waiting_for', { name })),
          h('p', { class: 'muted' }, t('plan.supporter.proposed_by', { author: proposalAuthor(p), when: formatDateTime(p.created_at) })),
          p.note ? h('p', { class: 'plan-note' }, t('plan.proposals.note', { note: p.note })) : null,
          p.conflicts && p.conflicts.length ? h('p', { class: 'panel panel-problem' }, t('plan.supporter.conflict', { sections: p.conflicts.map(sectionTitle).join(', ') })) : null,
          diffView(p.diff, { headingLevel: 3 }),
          h('details', { class: 'plan-agree', 'data-testid': 'plan-agree' }, h('summary', { class: 'button-secondary' }, t('plan.supporter.agree')), form),
        ),
      );
    }
    waiting.append(list);
  }
  renderWaiting();

  const cards = visible.map((key) => {
    const titleId = `plan-title-${key}`;
    const card = h('section', { class: 'plan-card', id: `plan-${key}`, 'aria-labelledby': titleId, dataset: { section: key }, 'data-testid': 'plan-section' });
    const body = h('div', { class: 'plan-card-body' }, sectionBody(key, plan.sections[key]) || h('p', { class: 'muted' }, t('plan.supporter.section_empty')));
    const propose = h('button', { type: 'button', class: 'button-secondary button-small no-print', 'data-testid': 'plan-propose' }, t('plan.supporter.propose'));
    const slot = h('div', { class: 'no-print' });
    propose.addEventListener('click', () => {
      propose.hidden = true;
      const editor = sectionEditor(key, plan.sections[key]);
      const note = noteField(t('plan.supporter.propose_note'));
      const error = messageArea('error');
      const send = h('button', { type: 'submit', class: 'button-primary', 'data-testid': 'plan-propose-send' }, t('plan.supporter.propose_send'));
      const cancel = h('button', { type: 'button', class: 'button-secondary' }, t('common.cancel'));
      const form = h(
        'form',
        { class: 'form plan-propose-form', novalidate: true, 'aria-label': t('plan.supporter.propose_title', { section: sectionTitle(key) }) },
        h('p', { class: 'hint' }, t('plan.supporter.propose_hint', { name })),
        editor.node,
        note.node,
        error,
        h('div', { class: 'actions' }, send, cancel),
      );
      cancel.addEventListener('click', () => {
        slot.replaceChildren();
        propose.hidden = false;
        propose.focus();
      });
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        showMessage(error, '');
        const result = editor.read();
        if (!result.ok) {
          showMessage(error, t('plan.edit.errors.summary'));
          return;
        }
        if (sameValue(result.value, plan.sections[key])) {
          showMessage(error, t('plan.errors.no_change'));
          return;
        }
        try {
          const created = await withBusy(send, t('common.saving'), () =>
            plansApi.propose(patientId, { base_version: plan.version, sections: { [key]: result.value }, note: note.input.value.trim() }),
          );
          pending = [created, ...pending];
          renderWaiting();
          slot.replaceChildren(h('p', { class: 'message message-status', role: 'status', 'data-testid': 'plan-proposed' }, t('plan.supporter.proposed', { name })));
          propose.hidden = false;
        } catch (err) {
          if (err.code === 'invalid_input' && editor.showServerErrors(err.fields)) {
            showMessage(error, t('plan.edit.errors.summary'));
            return;
          }
          showMessage(error, planErrorText(err, { name }));
        }
      });
      slot.replaceChildren(form);
      form.querySelector('input, textarea, select, button')?.focus();
    });
    card.append(h('div', { class: 'plan-card-head' }, h('h2', { id: titleId, class: 'plan-card-title' }, sectionTitle(key)), propose), body, slot);
    return card;
  });
  page.append(waiting, h('div', { class: 'plan-cards' }, cards));
  return page;
}
