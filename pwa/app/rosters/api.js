// The rosters area's requests: rosters and their drafts, overrides, shifts,
// who is on duty, coverage and my calendar feed.
import { api, query } from '../api.js';

export const onDuty = () => api('GET', '/api/on-duty');
export const teamOnDuty = (teamId) => api('GET', `/api/teams/${teamId}/on-duty`);
export const patientsOnDuty = () => api('GET', '/api/patients/on-duty');

export const roster = (teamId) => api('GET', `/api/teams/${teamId}/roster`);
export const startDraft = (teamId) => api('POST', `/api/teams/${teamId}/roster/draft`);
export const saveDraft = (teamId, rotations) => api('PUT', `/api/teams/${teamId}/roster/draft`, { rotations });
export const discardDraft = (teamId) => api('DELETE', `/api/teams/${teamId}/roster/draft`);
export const publishRoster = (teamId, confirmUncovered) => api('POST', `/api/teams/${teamId}/roster/publish`, { confirm_uncovered: confirmUncovered });

export const overrides = (teamId, params) => api('GET', `/api/teams/${teamId}/overrides${query(params)}`);
export const addOverride = (teamId, body) => api('POST', `/api/teams/${teamId}/overrides`, body);
export const removeOverride = (teamId, id) => api('DELETE', `/api/teams/${teamId}/overrides/${id}`);
export const teamShifts = (teamId, params) => api('GET', `/api/teams/${teamId}/shifts${query(params)}`);

export const myShifts = (params) => api('GET', `/api/me/shifts${query(params)}`);
export const createCalendarFeed = () => api('POST', '/api/me/calendar-feed');
export const removeCalendarFeed = () => api('DELETE', '/api/me/calendar-feed');

export const coverage = (params) => api('GET', `/api/coverage${query(params)}`);
export const coverageByNight = (params) => api('GET', `/api/coverage/by-night${query(params)}`);
export const coverageNights = () => api('GET', '/api/coverage/nights?weeks=4');
