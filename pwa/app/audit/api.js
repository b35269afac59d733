// The audit area's requests: the administrators' log and "who has seen my data".
import { api, query } from '../api.js';

export const auditLog = (params) => api('GET', `/api/audit${query(params)}`);
export const myAudit = (params) => api('GET', `/api/me/audit${query(params)}`);
