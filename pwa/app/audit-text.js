// Words for audit log entries, shared by the patient's and the admin's lists.
import { t, has } from './i18n.js';
import { roleName, teamKind } from './format.js';
import { clockTime, listText } from './roster-time.js';

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

/** What happened, for administrators ("Så en pasientprofil"). */
export function actionForAdmin(action, entry = null) {
  const key = `audit.admin_actions.${String(action).replace(/\./g, '_')}`;
  return has(key) ? t(key, entry && isRouting(entry) ? routingWords(entry) : {}) : String(action);
}
