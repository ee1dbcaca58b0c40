// The one way the UI talks to the server: same-origin fetch with the session cookie, the CSRF
// token on every state-changing request, a timeout, and errors turned into readable messages.

let csrfToken = '';
let sessionScope = '';

export function setCsrfToken(token) {
  csrfToken = typeof token === 'string' ? token : '';
}

/** The signed-in scope (read, control or admin): read-only sessions get no control buttons. */
export function setScope(scope) {
  sessionScope = typeof scope === 'string' ? scope : '';
}

export function canControl() {
  return sessionScope === 'control' || sessionScope === 'admin';
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const TIMEOUT_MS = 15000;

/**
 * api('/api/status') or api('/api/checkpoints', {method: 'POST', body: {message}}).
 * A 401 also fires a window 'loki:unauthorized' event (unless quiet401) so the app can show
 * the login screen once, whichever panel noticed first.
 */
export async function api(path, { method = 'GET', body, quiet401 = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrfToken;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: controller.signal,
    });
  } catch (e) {
    const timedOut = e && e.name === 'AbortError';
    throw new ApiError(0, timedOut ? 'timeout' : 'network',
      timedOut ? `The server did not answer ${path} in time.` : 'Cannot reach the dashboard server. Is it still running?');
  } finally {
    clearTimeout(timer);
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (response.status === 401 && !quiet401) {
    window.dispatchEvent(new CustomEvent('loki:unauthorized'));
  }
  if (!response.ok) {
    const message = (data && (data.message || data.detail || data.error)) || `${method} ${path} failed (HTTP ${response.status}).`;
    throw new ApiError(response.status, (data && data.error) || `http_${response.status}`, String(message));
  }
  return data;
}
