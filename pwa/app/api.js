// fetch wrapper: same-origin cookies, the CSRF header on state-changing
// requests, and errors as ApiError with the server's error code. A 401 means
// the session is over: the device forgets the patient's data at once.
import { forgetPatientData } from './device-data.js';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken = null;
let onUnauthorized = null;

export function setCsrfToken(token) {
  csrfToken = token || null;
}

/** Called when the server says the session is gone (401 "unauthorized"). */
export function setUnauthorizedHandler(handler) {
  onUnauthorized = handler;
}

export class ApiError extends Error {
  constructor(status, code, { fields = null, retryAfter = null } = {}) {
    super(code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.retryAfter = retryAfter;
  }
}

/**
 * api('GET', '/api/teams') or api('POST', '/api/teams', {name, kind}).
 * options.quiet401: do not treat a 401 as "logged out" (the boot session check).
 * options.blob: answer the response body as a Blob (downloads).
 */
export async function api(method, path, body, options = {}) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (UNSAFE.has(method)) {
    headers['Content-Type'] = 'application/json';
    if (csrfToken) headers['X-CSRF-Token'] = csrfToken;
    if (body !== undefined) init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'network');
  }
  if (response.status === 204) return null;
  if (options.blob && response.ok) return response.blob();
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    const code = (data && typeof data.error === 'string' && data.error) || (response.status >= 500 ? 'internal_error' : 'unknown');
    const retry = Number.parseInt(response.headers.get('Retry-After') || '', 10);
    const error = new ApiError(response.status, code, {
      fields: data && Array.isArray(data.fields) ? data.fields : null,
      retryAfter: Number.isFinite(retry) ? retry : null,
    });
    if (response.status === 401 && code === 'unauthorized') {
      // The session has ended (or there is none): nothing about the patient
      // may stay on the device, whoever asked and whatever they do next.
      forgetPatientData();
      if (!options.quiet401 && onUnauthorized) onUnauthorized(error);
    }
    throw error;
  }
  return data;
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
