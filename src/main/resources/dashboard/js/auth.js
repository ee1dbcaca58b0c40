// Login: a token from the login link (?token=... on the page, or the server's /login redirect
// that already set the cookie) or typed into the form is exchanged for a cookie session; the
// session answer carries the CSRF token every state-changing request must send.
import { api, ApiError, setCsrfToken, setScope } from './api.js';
import { byId } from './dom.js';

/** The session, or null when not signed in. Throws ApiError on a network failure. */
export async function fetchSession() {
  try {
    const session = await api('/api/auth/session', { quiet401: true });
    setCsrfToken(session && session.csrf_token);
    setScope(session && session.scope);
    return session || {};
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return null;
    throw e;
  }
}

/** Exchanges a token for a cookie session; resolves to an error message, or '' on success. */
export async function login(token) {
  try {
    await api('/api/auth/login', { method: 'POST', body: { token }, quiet401: true });
    return '';
  } catch (e) {
    if (e.status === 401 || e.status === 403) return 'That token was not accepted: it may be mistyped, expired, revoked or already used.';
    if (e.status === 429) return 'Too many sign-in attempts. Wait a minute and try again.';
    return e.message;
  }
}

export async function logout() {
  try {
    await api('/api/auth/logout', { method: 'POST', quiet401: true });
  } finally {
    setCsrfToken('');
    setScope('');
  }
}

/** Takes a token out of the address bar (so it is not left in history) and returns it. */
export function takeTokenFromUrl() {
  const url = new URL(window.location.href);
  const hash = new URLSearchParams(url.hash.startsWith('#') ? url.hash.slice(1) : '');
  const token = url.searchParams.get('token') || hash.get('token');
  if (!token) return '';
  url.searchParams.delete('token');
  const path = url.pathname === '/login' ? '/' : url.pathname;
  window.history.replaceState(null, '', `${path}${url.search}`);
  return token;
}

export function showLoginView(message = '') {
  byId('app-view').hidden = true;
  byId('logout').hidden = true;
  byId('login-view').hidden = false;
  const error = byId('login-error');
  error.textContent = message;
  error.hidden = !message;
  const input = byId('login-token');
  input.value = '';
  input.focus();
}

export function showAppView() {
  byId('login-view').hidden = true;
  byId('app-view').hidden = false;
  byId('logout').hidden = false;
}

/** Wires the login form; {@code onSignedIn} runs after a successful sign-in. */
export function initLoginForm(onSignedIn) {
  const form = byId('login-form');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = byId('login-token');
    const submit = byId('login-submit');
    const error = byId('login-error');
    const token = input.value.trim();
    if (!token) {
      error.textContent = 'Paste the access token first.';
      error.hidden = false;
      input.focus();
      return;
    }
    submit.disabled = true;
    error.hidden = true;
    const problem = await login(token);
    submit.disabled = false;
    if (problem) {
      error.textContent = problem;
      error.hidden = false;
      input.select();
      return;
    }
    input.value = '';
    await onSignedIn();
  });
}
