// The next-of-kin area's requests: the patient's consents, and what next of
// kin see and send.
import { api } from '../api.js';

export const consents = (patientId) => api('GET', `/api/patients/${patientId}/next-of-kin`);
export const addConsent = (patientId, body) => api('POST', `/api/patients/${patientId}/next-of-kin`, body);
export const updateConsent = (patientId, id, body) => api('PUT', `/api/patients/${patientId}/next-of-kin/${id}`, body);
export const withdrawConsent = (patientId, id) => api('POST', `/api/patients/${patientId}/next-of-kin/${id}/withdraw`);
export const kinHome = () => api('GET', '/api/next-of-kin/home');
export const kinPlan = (patientId) => api('GET', `/api/patients/${patientId}/next-of-kin/plan`);
export const sendWorry = (patientId) => api('POST', `/api/patients/${patientId}/next-of-kin/worry`);
