// #/mine-data: the patient downloads everything held about them, and asks for
// (or withdraws) deletion after the waiting period.
import { clear, h } from '../dom.js';
import { currentLanguage, t } from '../i18n.js';
import * as privacyApi from './api.js';
import { formatDateTime } from '../format.js';
import { backLink, confirmStep, errorText, loadFailed, messageArea, pageTitle, showMessage, withBusy } from '../ui.js';

function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function downloadSection() {
  const status = messageArea('status');
  const button = (format, label) => {
    const b = h('button', { type: 'button', class: 'button-secondary', 'data-export': format }, label);
    b.addEventListener('click', async () => {
      showMessage(status, '');
      try {
        const blob = await withBusy(b, t('my_data.downloading'), () =>
          privacyApi.exportMyData({ format, lang: currentLanguage() }),
        );
        download(blob, `nattlys-${new Date().toISOString().slice(0, 10)}.${format}`);
        showMessage(status, t('my_data.downloaded'));
      } catch (err) {
        showMessage(status, errorText(err));
      }
    });
    return b;
  };
  return h(
    'section',
    null,
    h('h2', null, t('my_data.download_title')),
    h('p', null, t('my_data.download_text')),
    h('div', { class: 'actions' }, button('html', t('my_data.download_html')), button('json', t('my_data.download_json'))),
    status,
  );
}

function deletionSection(initial) {
  const days = initial.waiting_days;
  const section = h('section', { 'data-testid': 'deletion' });
  const status = messageArea('status');

  function show(state, message) {
    const parts = [h('h2', null, t('my_data.delete_title'))];
    if (state.pending) {
      const withdraw = h('button', { type: 'button', class: 'button-primary' }, t('my_data.withdraw_button'));
      withdraw.addEventListener('click', async () => {
        try {
          await withBusy(withdraw, t('common.saving'), () => privacyApi.withdrawDeletion());
          show({ pending: false }, t('my_data.withdrawn'));
        } catch (err) {
          showMessage(status, errorText(err));
        }
      });
      parts.push(
        h('p', null, t('my_data.delete_pending', { requested: formatDateTime(state.requested_at), due: formatDateTime(state.due_at) })),
        h('div', { class: 'actions' }, withdraw),
      );
    } else {
      const ask = h('button', { type: 'button', class: 'button-danger' }, t('my_data.delete_button'));
      const slot = h('div');
      ask.addEventListener('click', () => {
        const step = confirmStep({
          question: t('my_data.delete_confirm', { days }),
          confirmLabel: t('my_data.delete_confirm_yes'),
          onConfirm: async (yes) => {
            try {
              const next = await withBusy(yes, t('common.saving'), () => privacyApi.requestDeletion());
              show(next, t('my_data.requested'));
            } catch (err) {
              showMessage(status, errorText(err));
            }
          },
          onCancel: () => {
            clear(slot);
            ask.focus();
          },
        });
        clear(slot, step.box);
        step.focus();
      });
      parts.push(
        h('p', null, t('my_data.delete_text', { days })),
        h('p', null, t('my_data.delete_keeps')),
        h('div', { class: 'actions' }, ask),
        slot,
      );
    }
    parts.push(status, h('p', { class: 'hint' }, t('my_data.help')));
    clear(section, ...parts);
    showMessage(status, message || '');
  }

  show(initial);
  return section;
}

export default async function myDataView(ctx) {
  const page = h('div', { class: 'narrow', 'data-testid': 'my-data' }, backLink('#/', t('common.back_home')), pageTitle(t('my_data.title')));
  let deletion;
  try {
    deletion = await privacyApi.myDeletion();
  } catch (err) {
    page.append(loadFailed(err, ctx.retry));
    return page;
  }
  page.append(h('p', { class: 'lead' }, t('my_data.intro')), downloadSection(), deletionSection(deletion));
  return page;
}
