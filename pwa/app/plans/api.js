// The plans area's requests: a patient's crisis plan, its versions, the
// supporters' proposals and what the patient shares.
import { api, query } from '../api.js';

const planPath = (patientId, rest = '') => `/api/patients/${encodeURIComponent(patientId)}/crisis-plan${rest}`;

export const plan = (patientId) => api('GET', planPath(patientId));
export const savePlan = (patientId, body) => api('PUT', planPath(patientId), body);
export const versions = (patientId) => api('GET', planPath(patientId, '/versions'));
export const version = (patientId, number) => api('GET', planPath(patientId, `/versions/${number}`));
export const restoreVersion = (patientId, number, body) => api('POST', planPath(patientId, `/versions/${number}/restore`), body);
/** Proposals, optionally of one status ({status}). */
export const proposals = (patientId, params = {}) => api('GET', planPath(patientId, `/proposals${query(params)}`));
export const propose = (patientId, body) => api('POST', planPath(patientId, '/proposals'), body);
/** `what`: approve, reject, co-sign or agree-in-meeting. */
export const answerProposal = (patientId, id, what, body) => api('POST', planPath(patientId, `/proposals/${id}/${what}`), body);
export const saveSharing = (patientId, body) => api('PUT', planPath(patientId, '/sharing'), body);
