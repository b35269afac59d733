// The check-ins area's requests: the evening check-in, its schedule and
// trend, tonight's list for staff, and discharges.
import { api, query } from '../api.js';

export const sendCheckin = (body) => api('POST', '/api/checkins', body);
export const checkinState = () => api('GET', '/api/checkins/state');
export const tonight = () => api('GET', '/api/checkins/tonight');
export const recentlyDischarged = () => api('GET', '/api/checkins/recently-discharged');
export const checkinTrend = (patientId, days) => api('GET', `/api/patients/${patientId}/checkins${query({ days })}`);
export const schedule = (patientId) => api('GET', `/api/patients/${patientId}/checkin-schedule`);
export const saveSchedule = (patientId, body) => api('PUT', `/api/patients/${patientId}/checkin-schedule`, body);
export const recordDischarge = (patientId, dischargeDate) => api('POST', `/api/patients/${patientId}/discharges`, { discharge_date: dischargeDate });
export const dischargeContacted = (patientId) => api('POST', `/api/patients/${patientId}/discharges/contact`);
