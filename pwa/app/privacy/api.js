// The privacy area's requests: my data as a file, and deleting my account.
import { api } from '../api.js';

export const exportMyData = (body) => api('POST', '/api/me/export', body, { blob: true });
export const myDeletion = () => api('GET', '/api/me/deletion');
export const requestDeletion = () => api('POST', '/api/me/deletion', { confirm: true });
export const withdrawDeletion = () => api('DELETE', '/api/me/deletion');
