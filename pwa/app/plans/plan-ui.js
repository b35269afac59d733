// Shared pieces for the crisis plan screens: section titles, showing a
// section (with tap-to-call numbers), readable diffs and error texts.
// Plan text always goes into the page as text (h()), never as markup.
import { h } from '../dom.js';
import { t, has } from '../i18n.js';
import { formatDateTime } from '../format.js';
import { errorText } from '../ui.js';
import * as plansApi from './api.js';

/** The plan's sections in reading order (as the server's SectionKey). */
export const SECTIONS = [
  'warning_signs',
  'self_help',
  'people_places',
  'contacts',
  'professionals',
  'safe_surroundings',
  'reasons_to_live',
  'meeting',
  'alternatives_to_admission',
  'self_referral',
  'who_does_what',
];
export const TEXT_LISTS = new Set(['warning_signs', 'self_help', 'people_places', 'reasons_to_live']);
export const TEXTS = new Set(['safe_surroundings', 'alternatives_to_admission']);
export const ROW_LISTS = new Set(['contacts', 'professionals', 'who_does_what']);
export const KINDS = ['bolig', 'kommune', 'dps'];
export const ROLES = ['bolig', 'kommune', 'dps', 'legevakt', 'next_of_kin', 'other'];
export const LIMITS = { items: 30, item: 300, text: 4000, name: 100, phone: 20, note: 500 };

export function sectionTitle(key) {
  return has(`plan.sections.${key}`) ? t(`plan.sections.${key}`) : String(key);
}

export function fieldLabel(field) {
  return has(`plan.fields.${field}`) ? t(`plan.fields.${field}`) : String(field);
}

export function roleLabel(role) {
  return has(`plan.roles.${role}`) ? t(`plan.roles.${role}`) : String(role);
}

export function kindLabel(kind) {
  return has(`plan.kinds.${kind}`) ? t(`plan.kinds.${kind}`) : String(kind);
}

export function kindsText(kinds) {
  return (kinds || []).map(kindLabel).join(t('audit.and'));
}

/** "tel:+4740000001" for "+47 400 00 001"; null if there is nothing to call. */
export function telHref(phone) {
  const digits = String(phone || '').replace(/[^\d+]/g, '');
  return digits.replace(/\+/g, '').length >= 3 ? `tel:${digits}` : null;
}

/** A tap-to-call link: the number is visible, the name is read out. */
export function callLink(phone, name) {
  const href = telHref(phone);
  if (!href) return null;
  return h(
    'a',
    { href, class: 'plan-call', 'data-testid': 'plan-call', 'aria-label': name ? t('plan.call_name', { name, phone }) : t('plan.call_number', { phone }) },
    h('span', { class: 'plan-call-icon', 'aria-hidden': 'true' }),
    h('span', null, phone),
  );
}

export function isEmpty(key, value) {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'string') return value.trim() === '';
  if (key === 'meeting') return !value.wants && !value.does_not_help;
  if (key === 'self_referral') return !value.has_agreement && !value.with_whom && !value.how_to_ask && !value.max_days;
  return false;
}

function textBlock(text) {
  return h('p', { class: 'plan-text' }, text);
}

function contactItem(c) {
  return h(
    'li',
    { class: 'plan-person' },
    h('span', { class: 'plan-person-name' }, c.name, c.relation ? h('span', { class: 'plan-person-rel' }, ` (${c.relation})`) : null),
    callLink(c.phone, c.name),
  );
}

function professionalItem(p) {
  const title = [p.name, p.service].filter(Boolean).join(', ');
  return h(
    'li',
    { class: 'plan-person' },
    h('span', { class: 'plan-person-name' }, title),
    p.hours ? h('span', { class: 'plan-person-rel' }, t('plan.hours', { hours: p.hours })) : null,
    callLink(p.phone, title),
  );
}

function whoItem(w) {
  return h(
    'li',
    { class: 'plan-who' },
    h('span', { class: 'plan-who-role' }, roleLabel(w.role), w.who ? `: ${w.who}` : ''),
    h('span', { class: 'plan-who-does' }, w.does),
  );
}

/** A section's content as shown to read (patient, supporter, print). null when empty. */
export function sectionBody(key, value) {
  if (isEmpty(key, value)) return null;
  if (TEXT_LISTS.has(key)) return h('ul', { class: 'plan-items' }, value.map((item) => h('li', null, item)));
  if (TEXTS.has(key)) return textBlock(value);
  if (key === 'contacts') return h('ul', { class: 'plan-people' }, value.map(contactItem));
  if (key === 'professionals') return h('ul', { class: 'plan-people' }, value.map(professionalItem));
  if (key === 'who_does_what') return h('ul', { class: 'plan-whos' }, value.map(whoItem));
  if (key === 'meeting') {
    return h(
      'div',
      { class: 'plan-meeting' },
      value.wants ? h('div', { class: 'plan-meeting-part' }, h('p', { class: 'plan-sub' }, t('plan.fields.wants')), textBlock(value.wants)) : null,
      value.does_not_help
        ? h('div', { class: 'plan-meeting-part plan-meeting-not' }, h('p', { class: 'plan-sub' }, t('plan.fields.does_not_help')), textBlock(value.does_not_help))
        : null,
    );
  }
  if (key === 'self_referral') {
    if (!value.has_agreement) return textBlock(t('plan.self_referral_none'));
    const rows = [
      value.with_whom ? [t('plan.fields.with_whom'), value.with_whom] : null,
      value.how_to_ask ? [t('plan.fields.how_to_ask'), value.how_to_ask] : null,
      value.max_days ? [t('plan.fields.max_days'), t('plan.days', { count: value.max_days })] : null,
    ].filter(Boolean);
    return h('div', null, textBlock(t('plan.self_referral_yes')), h('dl', { class: 'plan-fields' }, rows.map(([k, v]) => [h('dt', null, k), h('dd', null, v)])));
  }
  return null;
}

/** The sections a supporter sees, compact and read-only, in the server's order ("meeting" first). */
export function compactSections(plan, { headingLevel = 3 } = {}) {
  const keys = Array.isArray(plan.visible_sections) ? plan.visible_sections : [];
  return keys
    .map((key) => {
      const body = sectionBody(key, plan.sections ? plan.sections[key] : null);
      return body ? h('section', { class: 'plan-section', dataset: { section: key }, 'data-testid': 'plan-section' }, h(`h${headingLevel}`, null, sectionTitle(key)), body) : null;
    })
    .filter(Boolean);
}

// --- diffs -----------------------------------------------------------------

/** One list item or value as a line of text, for diffs. */
export function itemText(section, item) {
  if (item === null || item === undefined || item === '') return t('plan.diff.empty');
  if (typeof item === 'boolean') return t(item ? 'plan.yes' : 'plan.no');
  if (typeof item !== 'object') return String(item);
  if (section === 'contacts') return [item.relation ? `${item.name} (${item.relation})` : item.name, item.phone].filter(Boolean).join(', ');
  if (section === 'professionals') return [item.name, item.service, item.phone, item.hours].filter(Boolean).join(', ');
  if (section === 'who_does_what') return `${roleLabel(item.role)}${item.who ? `: ${item.who}` : ''} – ${item.does}`;
  return Object.values(item).filter((v) => v !== null && v !== '').join(', ');
}

function beforeAfter(section, change) {
  const label = change.field ? `${fieldLabel(change.field)}: ` : '';
  return h(
    'li',
    { class: 'diff-changed' },
    h('span', { class: 'diff-label' }, t('plan.diff.changed'), ' '),
    label,
    h('del', { class: 'diff-before' }, itemText(section, change.before)),
    h('span', { class: 'diff-arrow' }, ' → '),
    h('ins', { class: 'diff-after' }, itemText(section, change.after)),
  );
}

/** [{section, added, removed, changed, reordered}] as readable lines. */
export function diffView(diff, { headingLevel = 3 } = {}) {
  if (!Array.isArray(diff) || !diff.length) return h('p', { class: 'muted' }, t('plan.diff.none'));
  return h(
    'div',
    { class: 'plan-diff', 'data-testid': 'plan-diff' },
    diff.map((d) =>
      h(
        'section',
        { class: 'diff-section', dataset: { section: d.section } },
        h(`h${headingLevel}`, { class: 'diff-title' }, sectionTitle(d.section)),
        h(
          'ul',
          { class: 'diff-lines' },
          (d.added || []).map((item) => h('li', { class: 'diff-added' }, h('span', { class: 'diff-label' }, t('plan.diff.added'), ' '), itemText(d.section, item))),
          (d.removed || []).map((item) => h('li', { class: 'diff-removed' }, h('span', { class: 'diff-label' }, t('plan.diff.removed'), ' '), h('del', null, itemText(d.section, item)))),
          (d.changed || []).map((c) => beforeAfter(d.section, c)),
          d.reordered ? h('li', null, t('plan.diff.reordered')) : null,
        ),
      ),
    ),
  );
}

// --- words -----------------------------------------------------------------

/** "Versjon 3 – lagret av deg nå" / "Versjon 2 – lagret av Mona fredag 21. november …". */
export function versionLine(plan, me, { justSaved = false } = {}) {
  if (!plan || !plan.version) return t('plan.no_version');
  const byMe = me && plan.updated_by && plan.updated_by.id === me.id;
  const who = byMe ? t('plan.by_you') : plan.updated_by ? plan.updated_by.display_name : t('audit.unknown_actor');
  const when = justSaved ? t('plan.now') : formatDateTime(plan.updated_at);
  const kind = plan.updated_kind && has(`plan.saved_kind.${plan.updated_kind}`) ? plan.updated_kind : 'edit';
  return t(`plan.saved_kind.${kind}`, { n: plan.version, who, when });
}

/** Plan error codes in the patient's language; other codes as everywhere. */
export function planErrorText(error, params = {}) {
  const code = error && error.code;
  if (code && has(`plan.errors.${code}`)) return t(`plan.errors.${code}`, params);
  return errorText(error);
}

/** "section.0.phone"-style key for a server error location. */
export function locKey(loc) {
  const parts = Array.isArray(loc) ? loc.map(String) : [];
  const start = parts[0] === 'sections' ? 1 : 0;
  return parts.slice(start).join('.');
}

/**
 * On the patient's home: "Du har ett forslag til endring som venter på deg"
 * while a supporter's proposal to the plan waits for the patient's answer.
 */
/** The banner, and when its first answer has been drawn (it never rejects). */
export function pendingProposalsBanner(user) {
  const box = h('div', { class: 'checkin-pending plan-proposals-home', 'data-testid': 'home-proposals', hidden: true });
  const loaded = plansApi.proposals(user.id, { status: 'pending' })
    .then((proposals) => {
      if (!Array.isArray(proposals) || !proposals.length) return;
      box.replaceChildren(
        h('span', { class: 'checkin-pending-icon', 'aria-hidden': 'true' }),
        h(
          'div',
          null,
          h('p', { class: 'checkin-pending-title' }, t('plan.proposals.home_title')),
          h('p', null, t('plan.proposals.banner', { count: proposals.length })),
          h('p', null, h('a', { href: '#/kriseplan/forslag', class: 'button-primary', 'data-testid': 'home-proposals-link' }, t('plan.proposals.home_link'))),
        ),
      );
      box.hidden = false;
    })
    .catch(() => {
      /* the plan tile is still there */
    });
  return { node: box, loaded };
}
