// The break-glass area's requests: opening a patient's data in an emergency,
// and the openings reviewed afterwards.
import { api, query } from '../api.js';

export const openBreakGlass = (patientId, reason) => api('POST', `/api/patients/${patientId}/break-glass`, { reason });
export const openings = (params) => api('GET', `/api/break-glass${query(params)}`);
export const reviewOpening = (id, note) => api('POST', `/api/break-glass/${id}/review`, { note });
export const myOpenings = () => api('GET', '/api/me/break-glass');
