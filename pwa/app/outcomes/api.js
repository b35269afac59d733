// The outcomes area's requests: the night outcomes recorded and the summary.
import { api } from '../api.js';

export const OUTCOMES_CSV = '/api/outcomes.csv';
export const outcomes = () => api('GET', '/api/outcomes');
export const recordNightOutcome = (patientId, body) => api('POST', `/api/patients/${patientId}/night-outcomes`, body);
