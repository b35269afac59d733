// The accounts area's requests: logging in and out, invitations, passkeys,
// my account and the administrators' user list.
import { api, query } from '../api.js';

const QUIET = { quiet401: true };

export const session = (options = {}) => api('GET', '/api/auth/session', undefined, options);
export const login = (username, password) => api('POST', '/api/auth/login', { username, password });
export const enrolSecondFactor = () => api('POST', '/api/auth/second-factor/enrol');
export const verifySecondFactor = (code) => api('POST', '/api/auth/second-factor/verify', { code });
export const loginMethods = () => api('GET', '/api/auth/methods', undefined, QUIET);
export const startEid = (provider, body) => api('POST', `/api/auth/eid/${provider}/start`, body, QUIET);
export const eidLogout = () => api('POST', '/api/auth/eid/logout', undefined, QUIET);
export const passkeyLoginOptions = () => api('POST', '/api/auth/passkey/options', undefined, QUIET);
export const passkeyLogin = (body) => api('POST', '/api/auth/passkey/login', body, QUIET);

export const lookUpInvitation = (token) => api('POST', '/api/invitations/lookup', { token }, QUIET);
export const acceptInvitation = (token, password) => api('POST', '/api/invitations/accept', { token, password }, QUIET);

export const changePassword = (body) => api('POST', '/api/me/password', body);
export const mySessions = () => api('GET', '/api/me/sessions');
export const endSession = (id) => api('DELETE', `/api/me/sessions/${id}`);
export const myAccountEvents = () => api('GET', '/api/me/account-events');
export const myReenrolments = () => api('GET', '/api/me/reenrolments');
export const answerReenrolment = (id, what) => api('POST', `/api/me/reenrolments/${id}/${what}`);
export const reenrolments = () => api('GET', '/api/reenrolments');
export const approveReenrolment = (id) => api('POST', `/api/reenrolments/${id}/approve`);
export const secondFactorResets = () => api('GET', '/api/second-factor-resets');
export const approveSecondFactorReset = (id) => api('POST', `/api/second-factor-resets/${id}/approve`);

export const myPasskeys = () => api('GET', '/api/me/passkeys');
export const passkeyOptions = () => api('POST', '/api/me/passkeys/options');
export const addPasskey = (body) => api('POST', '/api/me/passkeys', body);
export const removePasskey = (id) => api('DELETE', `/api/me/passkeys/${id}`);

/** Users, optionally of one role ({role}). */
export const users = (params = {}) => api('GET', `/api/users${query(params)}`);
export const createUser = (body) => api('POST', '/api/users', body);
export const updateUser = (id, changes) => api('PATCH', `/api/users/${id}`, changes);
export const issueInvitation = (userId) => api('POST', `/api/users/${userId}/invitation`);
export const requestDisable = (userId, reason) => api('POST', `/api/users/${userId}/disable-request`, { reason });
export const disableRequests = () => api('GET', '/api/disable-requests');
export const answerDisableRequest = (id, what) => api('POST', `/api/disable-requests/${id}/${what}`);
