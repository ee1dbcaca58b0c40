// Overview card (status, phase, iteration, provider, elapsed, spend against budget) and the
// session controls. Rendered from GET /api/status and from every live `status` event.
import { api, canControl } from '../api.js';
import { confirmAction, showError } from '../banners.js';
import { byId, fact, replaceChildren } from '../dom.js';
import { count, duration, usd } from '../format.js';

let lastStatus = {};

export async function load() {
  render(await api('/api/status'));
}

export function render(status) {
  lastStatus = status && typeof status === 'object' ? status : {};
  const s = lastStatus;
  const state = typeof s.status === 'string' && s.status ? s.status : 'idle';
  const badge = byId('status-badge');
  badge.textContent = state;
  badge.dataset.status = state;

  const iteration = s.iteration === undefined || s.iteration === null ? '—'
    : (s.max_iterations ? `${s.iteration} / ${s.max_iterations}` : String(s.iteration));
  replaceChildren(byId('overview-facts'),
    fact('Status', state, 'fact-status'),
    fact('Phase', s.phase, 'fact-phase'),
    fact('Iteration', iteration, 'fact-iteration'),
    fact('Provider', s.provider, 'fact-provider'),
    fact('Elapsed', hasRun(s) ? duration(s.elapsed_seconds) : '—', 'fact-elapsed'),
    fact('Current task', taskName(s.current_task), 'fact-task'),
    fact('Pending tasks', s.pending_tasks !== undefined ? count(s.pending_tasks) : '—', 'fact-pending'),
    fact('Mode', s.mode, 'fact-mode'),
    ...(s.rollback_in_progress ? [fact('Rollback', s.rollback_in_progress.message
      || `to ${s.rollback_in_progress.target} not finished: ${s.rollback_in_progress.complete_command}`, 'fact-rollback')] : []));
  renderBudget(s.budget);
  renderControls(state, s.controls);
  document.dispatchEvent(new CustomEvent('loki:status', { detail: s }));
}

/** Elapsed time means something only once a run has started. */
function hasRun(s) {
  return s.elapsed_seconds !== undefined && (Number(s.elapsed_seconds) > 0 || (typeof s.run_id === 'string' && s.run_id !== ''));
}

function taskName(task) {
  if (!task) return '—';
  if (typeof task === 'string') return task;
  return task.title || task.description || task.id || '—';
}

function renderBudget(budget) {
  const label = byId('budget-label');
  const meter = byId('budget-meter');
  const used = budget ? Number(budget.used) : NaN;
  const limit = budget ? Number(budget.limit) : NaN;
  if (!budget || !Number.isFinite(limit) || limit <= 0) {
    label.textContent = budget && Number.isFinite(used) ? `Spent ${usd(used)} (no budget set)` : 'No budget set';
    meter.hidden = true;
    return;
  }
  const spent = Number.isFinite(used) ? used : 0;
  const ratio = Math.min(1, Math.max(0, spent / limit));
  label.textContent = `Spent ${usd(spent)} of ${usd(limit)} (${Math.round((spent / limit) * 100)}%)`
    + `${budget.exceeded === true ? ': budget exceeded' : ''}`;
  meter.value = ratio;
  meter.textContent = `${Math.round(ratio * 100)}%`;
  meter.setAttribute('aria-label', `Budget used: ${Math.round(ratio * 100)} percent`);
  meter.hidden = false;
}

/**
 * A control is enabled only when it can act: the server says which (status.controls, the same
 * reading as `loki status`); without that, the state decides. A finished, crashed or stopping
 * run leaves Pause, Resume and Stop disabled, with the reason as the buttons' title.
 */
function renderControls(state, can) {
  const allowed = canControl();
  const known = can && typeof can === 'object';
  const may = {
    pause: known ? can.pause === true : state === 'running',
    resume: known ? can.resume === true : state === 'paused',
    stop: known ? can.stop === true : (state === 'running' || state === 'paused'),
  };
  const why = !allowed ? 'Needs a control token'
    : (known && typeof can.reason === 'string' && can.reason ? `Not now: ${can.reason}` : '');
  for (const [name, ok] of Object.entries(may)) {
    const button = byId(`ctl-${name}`);
    button.disabled = !allowed || !ok;
    button.title = button.disabled ? why : '';
  }
  byId('read-only-note').hidden = allowed;
}

async function control(action) {
  const message = byId('ctl-message');
  message.textContent = `${action[0].toUpperCase()}${action.slice(1)} requested…`;
  try {
    const result = await api(`/api/control/${action}`, { method: 'POST' });
    message.textContent = (result && result.message) || `${action} sent.`;
  } catch (e) {
    message.textContent = '';
    showError(`Could not ${action} the session: ${e.message}`);
  }
  try { await load(); } catch { /* the live stream will bring the next status */ }
}

export function init() {
  byId('ctl-pause').addEventListener('click', () => control('pause'));
  byId('ctl-resume').addEventListener('click', () => control('resume'));
  byId('ctl-stop').addEventListener('click', async () => {
    const ok = await confirmAction({
      title: 'Stop the session?',
      text: 'The running agent is stopped at once. Work so far stays on disk and in checkpoints; '
        + 'a stopped run is not resumed automatically.',
      ok: 'Stop session',
    });
    if (ok) await control('stop');
  });
  renderControls('idle');
}

export function current() {
  return lastStatus;
}
