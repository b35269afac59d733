// Words for audit log entries, shared by the patient's and the admin's lists.
import { t, has } from './i18n.js';
import { roleName, teamKind } from './format.js';

/** "Kari (botilbudet)" or "Administrator (administrator)". */
export function actorText(entry) {
  const name = entry.actor_name || t('audit.unknown_actor');
  const kinds = Array.isArray(entry.actor_team_kinds) ? entry.actor_team_kinds : [];
  const where = kinds.length ? kinds.map(teamKind).join(t('audit.and')) : roleName(entry.actor_role);
  return where ? `${name} (${where})` : name;
}

/** What happened, said to the patient ("så hvem som hjelper deg"). */
export function actionForPatient(action) {
  const key = `audit.patient_actions.${String(action).replace(/\./g, '_')}`;
  return has(key) ? t(key) : t('audit.patient_actions.unknown');
}

/** What happened, for administrators ("Så en pasientprofil"). */
export function actionForAdmin(action) {
  const key = `audit.admin_actions.${String(action).replace(/\./g, '_')}`;
  return has(key) ? t(key) : String(action);
}
