// Checkpoint viewer: the list, creating one with a message, and rollback with a two-step
// confirm that lists what the rollback will do (its dry run: files changed back, brought back
// and removed, each with its diff on demand). Each row can show what its iteration changed.
// After a rollback the notice banner says what was restored and offers to undo it by rolling
// back to the pre-rollback snapshot the server returned; the overview is reloaded at once.
import { api, canControl } from '../api.js';
import { load as loadOverview, current as currentStatus } from './overview.js';
import { clearError, showError, showNotice } from '../banners.js';
import { byId, el, isBlank, itemsOf, replaceChildren } from '../dom.js';
import { plural, shortSha, sizeOf, when } from '../format.js';

const PAGE = 20;
let shown = PAGE;
let pendingId = null;   // the checkpoint whose rollback awaits its second click
let busy = false;
let lastItems = [];
let plan = null;        // {id, loading, error, data}: the dry run of the pending rollback
const openDiffs = new Map();   // key -> {loading, error, data}
const openChanges = new Map(); // checkpoint id -> {loading, error, data}

export async function load() {
  const data = await api(`/api/checkpoints?limit=${shown}&offset=0`);
  lastItems = itemsOf(data, 'checkpoints');
  const total = data && Number.isFinite(Number(data.total)) ? Number(data.total) : lastItems.length;
  byId('checkpoints-count').textContent = plural(total, 'checkpoint');
  byId('checkpoints-more').hidden = lastItems.length >= total;
  render();
}

function render() {
  const allowed = canControl();
  byId('checkpoint-message').disabled = !allowed;
  byId('checkpoint-create').disabled = !allowed;
  const list = byId('checkpoint-list');
  replaceChildren(list, lastItems.map(row));
  byId('checkpoints-empty').hidden = lastItems.length > 0;
}

function row(cp) {
  const id = String(cp.id || '');
  const message = !isBlank(cp.message) ? cp.message : (cp.task_description || '(no message)');
  const kind = cp.kind ? String(cp.kind).toLowerCase() : '';
  const li = el('li', { class: 'checkpoint', dataset: { id } },
    el('div', { class: 'checkpoint-main' },
      el('p', { class: 'checkpoint-message' }, message, kind && kind !== 'iteration' ? el('span', { class: 'tag', text: kind.replace(/_/g, ' ') }) : null),
      el('ul', { class: 'meta' },
        meta('id', id, true),
        cp.iteration !== undefined && cp.iteration !== null && Number(cp.iteration) >= 0 ? meta('iteration', cp.iteration) : null,
        !isBlank(cp.provider) && cp.provider !== 'none' ? meta('provider', cp.provider) : null,
        !isBlank(cp.phase) && cp.phase !== 'unknown' ? meta('phase', cp.phase) : null,
        !isBlank(cp.git_branch) ? meta('branch', cp.git_branch, true) : null,
        meta('sha', shortSha(cp.git_sha), true),
        meta('time', when(cp.timestamp || cp.created_at)),
        snapshotNote(cp.snapshot_status) ? meta('code', snapshotNote(cp.snapshot_status)) : null)),
    el('div', { class: 'checkpoint-actions' },
      el('button', {
        type: 'button', class: 'btn btn-small', 'data-action': 'changes',
        'aria-expanded': openChanges.has(id) ? 'true' : 'false',
        'aria-label': `What the iteration of ${id} changed`, text: openChanges.has(id) ? 'Hide changes' : 'Changes',
        onclick: () => toggleChanges(id),
      }),
      el('button', {
        type: 'button', class: 'btn btn-small', 'data-action': 'rollback',
        'aria-label': `Roll back to checkpoint ${id}`, text: 'Roll back…',
        title: rollbackBlocked() || (!canControl() ? 'Needs a control token' : ''),
        disabled: busy || pendingId === id || !canControl() || Boolean(rollbackBlocked()), onclick: () => askRollback(id),
      })));
  if (openChanges.has(id)) li.append(changesBox(id));
  if (pendingId === id) li.append(confirmBox(id));
  return li;
}

/** Why a rollback cannot start now ('' when it can): the server refuses it while a run holds the project. */
function rollbackBlocked() {
  const s = currentStatus() || {};
  if (s.controls && s.controls.rollback === false) return 'A run is active: stop it first, then roll back';
  return '';
}

async function toggleChanges(id) {
  if (openChanges.has(id)) {
    openChanges.delete(id);
    render();
    return;
  }
  openChanges.set(id, { loading: true });
  render();
  try {
    openChanges.set(id, { data: await api(`/api/checkpoints/${encodeURIComponent(id)}/changes`) });
  } catch (e) {
    openChanges.set(id, { error: e.message });
  }
  if (openChanges.has(id)) render();
}

function changesBox(id) {
  const state = openChanges.get(id) || {};
  const box = el('div', { class: 'changes-box', role: 'region', 'aria-label': `Changes of ${id}`, dataset: { changesOf: id } });
  if (state.loading) return append(box, el('p', { class: 'muted', text: 'Loading what this iteration changed…' }));
  if (state.error) return append(box, el('p', { class: 'error-inline', text: `Could not load the changes: ${state.error}` }));
  const d = state.data || {};
  const files = Array.isArray(d.files) ? d.files : [];
  const lead = files.length
    ? `${plural(files.length, 'file')} changed since ${d.previous_id || 'the previous checkpoint'}:`
    : (d.note || 'No file changed.');
  return append(box, el('p', { class: 'muted', text: lead }),
    files.length ? fileList(files, 'changes', id, (f) => `/api/checkpoints/${encodeURIComponent(id)}/changes/diff?path=${encodeURIComponent(f.path)}`) : null);
}

function append(node, ...children) {
  for (const c of children.flat()) if (c) node.append(c);
  return node;
}

/** A list of files, each with a button that shows its diff in place. */
function fileList(files, kind, id, diffUrl) {
  return el('ul', { class: 'file-list', dataset: { kind } }, files.map((f) => {
    const key = `${kind}:${id}:${f.path}`;
    const diff = openDiffs.get(key);
    return el('li', { class: 'file-item', dataset: { path: f.path, effect: f.effect || '' } },
      el('span', { class: 'tag', text: f.effect || f.status }), ' ',
      el('span', { class: 'mono file-path', text: f.path }), ' ',
      el('button', {
        type: 'button', class: 'btn btn-small btn-link', 'data-action': 'diff',
        'aria-expanded': diff ? 'true' : 'false', text: diff ? 'Hide diff' : 'Diff',
        onclick: () => toggleDiff(key, diffUrl(f)),
      }),
      diff ? diffView(diff) : null);
  }));
}

function diffView(d) {
  if (d.loading) return el('p', { class: 'muted', text: 'Loading the diff…' });
  if (d.error) return el('p', { class: 'error-inline', text: `Could not load the diff: ${d.error}` });
  const data = d.data || {};
  return el('pre', { class: 'diff', 'aria-label': `Diff of ${data.path || ''}` },
    String(data.diff || '').split('\n').map((line) => el('span', {
      class: line.startsWith('+') && !line.startsWith('+++') ? 'diff-add'
        : line.startsWith('-') && !line.startsWith('---') ? 'diff-del' : line.startsWith('@@') ? 'diff-hunk' : '',
      text: `${line}\n`,
    })));
}

async function toggleDiff(key, url) {
  if (openDiffs.has(key)) {
    openDiffs.delete(key);
    render();
    return;
  }
  openDiffs.set(key, { loading: true });
  render();
  try {
    openDiffs.set(key, { data: await api(url) });
  } catch (e) {
    openDiffs.set(key, { error: e.message });
  }
  if (openDiffs.has(key)) render();
}

/** Only unusual snapshots are worth a word: most checkpoints hold code and state. */
function snapshotNote(status) {
  if (isBlank(status) || status === 'captured' || status === 'ok') return '';
  if (status === 'none') return 'state only';
  if (status === 'legacy') return 'tracked files only (upstream)';
  return `not captured (${status})`;
}

function meta(label, value, mono = false) {
  return el('li', {}, `${label} `, el('span', { class: mono ? 'mono' : '', text: value }));
}

function confirmBox(id) {
  const p = plan && plan.id === id ? plan : { loading: true };
  const parts = [];
  if (p.loading) {
    parts.push(el('p', { class: 'muted', dataset: { plan: 'loading' }, text: 'Working out what this rollback would change…' }));
  } else if (p.error) {
    parts.push(el('p', { class: 'error-inline', dataset: { plan: 'error' }, text: `Could not work out what would change: ${p.error}` }));
  } else {
    const d = p.data || {};
    const groups = [
      ['changed_back', 'Changed back'], ['brought_back', 'Brought back'], ['removed', 'Removed'],
    ];
    const total = groups.reduce((n, [k]) => n + (Array.isArray(d[k]) ? d[k].length : 0), 0);
    parts.push(el('p', { dataset: { plan: 'ready' }, text: d.restores_code === false
      ? 'This checkpoint holds no code: only agent state goes back.'
      : (total ? `${plural(total, 'file')} in the work tree will change:` : 'No work-tree file differs from this checkpoint.') }));
    for (const [key, label] of groups) {
      const files = Array.isArray(d[key]) ? d[key] : [];
      if (!files.length) continue;
      parts.push(el('div', { class: 'plan-group', dataset: { group: key } },
        el('h4', { text: `${label} (${files.length})` }),
        fileList(files, 'plan', id, (f) => `/api/checkpoints/${encodeURIComponent(id)}/rollback-plan/diff?path=${encodeURIComponent(f.path)}`)));
    }
    const kept = Array.isArray(d.kept) ? d.kept : [];
    const prot = Array.isArray(d.protected_paths) ? d.protected_paths : [];
    if (kept.length) {
      parts.push(el('div', { class: 'plan-group', dataset: { group: 'kept' } },
        el('h4', { text: `Left as they are (${kept.length})` }),
        el('ul', {}, ...kept.map((k) => el('li', { class: 'muted', text: `${k.path}: ${k.message}` })))));
    } else if (prot.length) {
      parts.push(el('p', { class: 'muted', text: `Left alone (no snapshot could hold them): ${prot.join(', ')}` }));
    }
  }
  const box = el('div', { class: 'confirm-box', role: 'group', 'aria-label': `Confirm rollback to ${id}` },
    el('p', { text: `Roll back to ${id}? Work-tree files and agent state go back to this checkpoint. `
      + 'A snapshot of the current state is taken first, so this can be undone.' }),
    el('div', { class: 'plan' }, parts),
    el('button', { type: 'button', class: 'btn btn-danger btn-small', 'data-action': 'confirm-rollback',
      text: 'Confirm rollback', disabled: busy || Boolean(p.loading), onclick: () => rollback(id) }),
    el('button', { type: 'button', class: 'btn btn-small', 'data-action': 'cancel-rollback',
      text: 'Cancel', onclick: cancelRollback }));
  return box;
}

async function loadPlan(id) {
  plan = { id, loading: true };
  try {
    const data = await api(`/api/checkpoints/${encodeURIComponent(id)}/rollback-plan`);
    if (plan && plan.id === id) plan = { id, data };
  } catch (e) {
    if (plan && plan.id === id) plan = { id, error: e.message };
  }
  if (pendingId === id) render();
}

function askRollback(id) {
  pendingId = id;
  for (const key of [...openDiffs.keys()]) if (key.startsWith('plan:')) openDiffs.delete(key);
  loadPlan(id);
  render();
  const cancel = document.querySelector(`.checkpoint[data-id="${CSS.escape(id)}"] [data-action="cancel-rollback"]`);
  if (cancel) cancel.focus();
}

function cancelRollback() {
  const id = pendingId;
  pendingId = null;
  plan = null;
  render();
  const again = id && document.querySelector(`.checkpoint[data-id="${CSS.escape(id)}"] [data-action="rollback"]`);
  if (again) again.focus();
}

/** POSTs the rollback and shows what it did. Used by the confirm button and by "Undo". */
async function rollback(id, { undoing = false } = {}) {
  if (busy) return;
  busy = true;
  render();
  clearError();
  try {
    const result = await api(`/api/checkpoints/${encodeURIComponent(id)}/rollback`, {
      method: 'POST', body: { state_only: false },
    });
    pendingId = null;
    plan = null;
    announce(id, result || {}, undoing);
  } catch (e) {
    showError(e.status === 409
      ? `Rollback refused: ${e.message} Pause or stop the run first.`
      : `Rollback to ${id} failed: ${e.message}`);
  } finally {
    busy = false;
    // the overview and `loki status` read the same files: show the state the rollback left at once
    try { await loadOverview(); } catch { /* the live stream brings it */ }
    try { await load(); } catch { render(); }
  }
}

function announce(id, r, undoing) {
  const changed = sizeOf(r.files_changed);
  const added = sizeOf(r.files_added);
  const removed = sizeOf(r.files_removed);
  const what = [];
  if (r.restored_code !== false) what.push(`files: ${changed} changed back, ${added} brought back, ${removed} removed`);
  else what.push('code left as it was');
  if (r.restored_state !== false && r.restored_state !== undefined) what.push(`agent state restored${Array.isArray(r.restored_state) ? ` (${plural(r.restored_state.length, 'file')})` : ''}`);
  const lead = undoing ? `Rollback undone: restored the snapshot ${id}` : `Rolled back to ${r.checkpoint_id || id}`;
  const files = [
    ...listOf(r.files_changed).map((f) => `changed back: ${f}`),
    ...listOf(r.files_added).map((f) => `brought back: ${f}`),
    ...listOf(r.files_removed).map((f) => `removed: ${f}`),
    ...(Array.isArray(r.kept) && r.kept.length
      ? r.kept.map((k) => `left as it is: ${k.path}: ${k.message}`)
      : listOf(r.protected_paths).map((f) => `left alone (no snapshot could hold it): ${f}`)),
    ...listOf(r.notes),
  ];
  const pre = r.pre_rollback_snapshot;
  showNotice({
    text: `${lead} (${what.join('; ')}).${pre ? ` The state before it was saved as ${pre}` : ''}`
      + `${pre && r.undo_command ? ` (from a terminal: ${r.undo_command})` : ''}${pre ? '.' : ''}`,
    files,
    action: pre ? { label: 'Undo this rollback', run: () => rollback(pre, { undoing: true }) } : null,
  });
}

function listOf(value) {
  return Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : (v.path || JSON.stringify(v)))) : [];
}

async function create(event) {
  event.preventDefault();
  const input = byId('checkpoint-message');
  const button = byId('checkpoint-create');
  const message = input.value.trim();
  button.disabled = true;
  clearError();
  try {
    const cp = await api('/api/checkpoints', { method: 'POST', body: message ? { message } : {} });
    input.value = '';
    showNotice({ text: `Checkpoint ${cp && cp.id ? cp.id : ''} created${message ? `: ${message}` : ''}.` });
    await load();
  } catch (e) {
    showError(`Could not create a checkpoint: ${e.message}`);
  } finally {
    button.disabled = !canControl();
  }
}

export function init() {
  byId('checkpoint-form').addEventListener('submit', create);
  // a run starting or ending changes whether Roll back can act
  let lastLive = null;
  document.addEventListener('loki:status', (event) => {
    const live = Boolean(event.detail && event.detail.controls && event.detail.controls.rollback === false);
    if (live !== lastLive) {
      lastLive = live;
      render();
    }
  });
  byId('checkpoints-more').addEventListener('click', async () => {
    shown += PAGE;
    try { await load(); } catch (e) { showError(`Could not load checkpoints: ${e.message}`); }
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && pendingId) cancelRollback();
  });
}
