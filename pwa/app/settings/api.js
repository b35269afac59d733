// The push area's requests: the server's key and this device's subscription.
import { api } from '../api.js';

export const pushKey = () => api('GET', '/api/push/key');
export const subscribe = (body) => api('POST', '/api/push/subscriptions', body);
export const unsubscribe = (endpoint) => api('DELETE', '/api/push/subscriptions', { endpoint });
