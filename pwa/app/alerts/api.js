// The alerts area's requests: alerts, who can be reached on duty, and the
// nights with nobody on duty.
import { api } from '../api.js';

export const myAlerts = () => api('GET', '/api/alerts/me');
export const openAlerts = () => api('GET', '/api/alerts/open');
export const acknowledgeAlert = (id) => api('POST', `/api/alerts/${id}/ack`);
export const reachability = () => api('GET', '/api/duty/reachability');
export const myDuty = () => api('GET', '/api/duty/me');
export const gaps = () => api('GET', '/api/gaps');
