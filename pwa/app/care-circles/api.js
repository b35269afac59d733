// The care-circles area's requests: teams, patients and who helps each patient.
import { api } from '../api.js';

export const teams = () => api('GET', '/api/teams');
export const createTeam = (body) => api('POST', '/api/teams', body);
export const updateTeam = (id, changes) => api('PATCH', `/api/teams/${id}`, changes);
export const setTeamMembers = (id, userIds) => api('PUT', `/api/teams/${id}/members`, { user_ids: userIds });

export const patients = () => api('GET', '/api/patients');
export const patient = (id) => api('GET', `/api/patients/${id}`);
export const createPatient = (body) => api('POST', '/api/patients', body);
export const careCircle = (patientId) => api('GET', `/api/patients/${patientId}/care-circle`);
export const saveCareCircle = (patientId, body) => api('PUT', `/api/patients/${patientId}/care-circle`, body);
