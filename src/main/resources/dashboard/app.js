// Entry point: sign-in, first load of every panel, then live updates over SSE.
import { fetchSession, initLoginForm, logout, showAppView, showLoginView, takeTokenFromUrl, login } from './js/auth.js';
import { clearNotice, initBanners, showError } from './js/banners.js';
import { byId } from './js/dom.js';
import { LiveStream } from './js/live.js';
import { initTheme } from './js/theme.js';
import * as checkpoints from './js/panels/checkpoints.js';
import * as council from './js/panels/council.js';
import * as cost from './js/panels/cost.js';
import * as logs from './js/panels/logs.js';
import * as overview from './js/panels/overview.js';
import * as proofs from './js/panels/proofs.js';
import * as quality from './js/panels/quality.js';
import * as runs from './js/panels/runs.js';
import * as tasks from './js/panels/tasks.js';

const PANELS = { overview, checkpoints, tasks, logs, quality, council, cost, proofs, runs };
const LABELS = { overview: 'status', checkpoints: 'checkpoints', tasks: 'tasks', logs: 'logs', quality: 'quality gates', council: 'council', cost: 'cost', proofs: 'proofs', runs: 'runs' };

let signedIn = false;
let opened = 0;

// Reloads coalesce: a burst of events for one panel costs at most one extra fetch.
const inFlight = new Map();
function refresh(name) {
  const state = inFlight.get(name);
  if (state) { state.again = true; return state.promise; }
  const entry = { again: false, promise: null };
  entry.promise = (async () => {
    try {
      do {
        entry.again = false;
        await PANELS[name].load();
      } while (entry.again && signedIn);
    } finally {
      inFlight.delete(name);
    }
  })();
  inFlight.set(name, entry);
  return entry.promise;
}

async function refreshAll() {
  const names = Object.keys(PANELS);
  const results = await Promise.allSettled(names.map(refresh));
  const failed = results
    .map((r, i) => (r.status === 'rejected' && r.reason && r.reason.status !== 401 ? `${LABELS[names[i]]} (${r.reason.message})` : null))
    .filter(Boolean);
  if (failed.length && signedIn) showError(`Some panels could not load: ${failed.join('; ')}`);
}

const live = new LiveStream('/api/events/stream', {
  status: (data) => { if (data && typeof data === 'object') overview.render(data); else refresh('overview').catch(() => {}); },
  // The status event that accompanies a new iteration already carries the overview.
  iteration: () => { for (const n of ['tasks', 'cost', 'checkpoints', 'runs']) refresh(n).catch(() => {}); },
  checkpoint: () => refresh('checkpoints').catch(() => {}),
  gate: () => refresh('quality').catch(() => {}),
  log: (data) => logs.append(data),
  council: () => refresh('council').catch(() => {}),
  onOpen: () => {
    opened += 1;
    // After a reconnect, reload what may have changed while the stream was down.
    if (opened > 1) refreshAll();
  },
  onLost: async () => {
    try {
      const session = await fetchSession();
      if (!session) { signOutLocally('Your session has ended. Sign in again.'); return false; }
    } catch { /* server unreachable: keep retrying */ }
    return true;
  },
});

async function enter() {
  let session;
  try {
    session = await fetchSession();
  } catch (e) {
    showLoginView(e.message);
    return;
  }
  if (!session) {
    showLoginView();
    return;
  }
  signedIn = true;
  opened = 0;
  showAppView();
  byId('logout').title = session.subject ? `Signed in as ${session.subject} (${session.scope || 'read'})` : '';
  await refreshAll();
  if (signedIn) live.start();
}

function signOutLocally(message) {
  if (!signedIn && !byId('login-view').hidden) return;
  signedIn = false;
  live.stop();
  clearNotice();
  showLoginView(message);
}

async function boot() {
  initTheme();
  initBanners();
  overview.init();
  checkpoints.init();
  logs.init();
  initLoginForm(enter);
  window.addEventListener('loki:unauthorized', () => {
    if (signedIn) signOutLocally('Your session has ended. Sign in again.');
  });
  byId('logout').addEventListener('click', async () => {
    try { await logout(); } catch { /* the cookie is cleared on the server or already gone */ }
    signOutLocally('Signed out.');
  });

  const token = takeTokenFromUrl();
  if (token) {
    const problem = await login(token);
    if (problem) {
      showLoginView(problem);
      return;
    }
  }
  await enter();
}

boot().catch((e) => {
  console.error(e);
  showLoginView(`The dashboard failed to start: ${e.message}`);
});
