// Words for audit log entries, shared by the patient's and the admin's lists.
import { t, has } from '../i18n.js';
import { formatDateTime, roleName, teamKind } from '../format.js';
import { clockTime, listText } from '../rosters/roster-time.js';
import { sectionTitle } from '../plans/plan-ui.js';

// Actions whose `reason` is words a person typed (an administrator's reason to
// disable an account). Any other reason is an older row's English system note:
// machine facts are in `details` since the log was put into words.
const TYPED_REASONS = new Set(['user.disable_request', 'user.disable_approve', 'user.disable_decline']);

/** The server's own routing decisions ("route.offer", ...) have no person behind them. */
export function isRouting(entry) {
  return entry.actor_role === 'system' && String(entry.action).startsWith('route.');
}

/** "Kari (botilbudet)", "Administrator (administrator)" or "Nattlys (automatisk)". */
export function actorText(entry) {
  const fallback = entry.actor_role === 'system' ? t('audit.system_actor') : t('audit.unknown_actor');
  const name = entry.actor_name || fallback;
  const kinds = Array.isArray(entry.actor_team_kinds) ? entry.actor_team_kinds : [];
  const where = kinds.length ? kinds.map(teamKind).join(t('audit.and')) : roleName(entry.actor_role);
  return where ? `${name} (${where})` : name;
}

/** Where and when a routing decision sent the conversation: {to} and {time}. */
function routingWords(entry) {
  const kinds = Array.isArray(entry.to_team_kinds) ? entry.to_team_kinds : [];
  return { to: kinds.length ? listText(kinds.map(teamKind)) : t('audit.to_on_duty'), time: clockTime(entry.at) };
}

/** What happened, said to the patient ("så hvem som hjelper deg"). A routing
 * decision is a whole sentence: "Meldingen din ble sendt til kommunen kl. 22:41." */
export function actionForPatient(action, entry = null) {
  const key = `audit.patient_actions.${String(action).replace(/\./g, '_')}`;
  const routing = entry && isRouting(entry);
  if (has(key)) return t(key, routing ? routingWords(entry) : {});
  return routing ? t('audit.patient_actions.route_unknown', routingWords(entry)) : t('audit.patient_actions.unknown');
}

function adminKey(entry) {
  return `audit.admin_actions.${String(entry.action).replace(/\./g, '_')}`;
}

/** What happened, for administrators ("leste kriseplanen til Mona"). */
function actionForAdmin(entry) {
  const key = adminKey(entry);
  if (!has(key)) return String(entry.action);
  const patient = entry.patient_name || t('audit_admin.someone');
  return t(key, { patient, ...(isRouting(entry) ? routingWords(entry) : {}) });
}

function detailValue(field, value) {
  if (Array.isArray(value)) return value.length ? listText(value.map(sectionTitle)) : t('audit_admin.no_sections');
  if (field === 'until') return formatDateTime(value);
  const word = `audit.detail_values.${field}.${value}`;
  return has(word) ? t(word) : String(value);
}

/** The machine facts of an entry in words: "versjon 4; deler vist: …". */
export function detailsText(details) {
  return (Array.isArray(details) ? details : [])
    .filter(({ field }) => has(`audit.details.${field}`))
    .map(({ field, value }) => t(`audit.details.${field}`, { value: detailValue(field, value) }))
    .join('; ');
}

/** One entry as a sentence for administrators:
 * "Kari Nilsen (botilbudet) leste kriseplanen til Mona (versjon 4; deler vist: …)." */
export function sentenceForAdmin(entry) {
  const details = detailsText(entry.details);
  return `${actorText(entry)} ${actionForAdmin(entry)}${details ? ` (${details})` : ''}.`;
}

/** Who the entry is about, when its sentence does not say: "Gjelder Mona". */
export function aboutForAdmin(entry) {
  const saysPatient = has(adminKey(entry)) && t(adminKey(entry)).includes('{patient}');
  if (entry.patient_id && !saysPatient && entry.patient_id !== entry.actor_id) {
    return t('audit_admin.about_patient', { name: entry.patient_name || t('audit_admin.someone') });
  }
  if (entry.object_name && String(entry.object_id) !== String(entry.actor_id)) {
    return t('audit_admin.about_account', { name: entry.object_name });
  }
  return null;
}

/** A reason a person typed, as their words; an older row's system note as such. */
export function reasonForAdmin(entry) {
  if (!entry.reason) return null;
  if (!TYPED_REASONS.has(entry.action)) return t('audit_admin.old_note', { reason: entry.reason });
  return t('audit_admin.their_words', { name: entry.actor_name || t('audit.unknown_actor'), reason: entry.reason });
}
