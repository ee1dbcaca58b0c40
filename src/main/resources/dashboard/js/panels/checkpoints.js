// Checkpoint viewer: the list, creating one with a message, and rollback with a two-step
// confirm. After a rollback the notice banner says what was restored and offers to undo it by
// rolling back to the pre-rollback snapshot the server returned.
import { api, canControl } from '../api.js';
import { clearError, showError, showNotice } from '../banners.js';
import { byId, el, isBlank, itemsOf, replaceChildren } from '../dom.js';
import { plural, shortSha, sizeOf, when } from '../format.js';

const PAGE = 20;
let shown = PAGE;
let pendingId = null;   // the checkpoint whose rollback awaits its second click
let busy = false;
let lastItems = [];

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
        type: 'button', class: 'btn btn-small', 'data-action': 'rollback',
        'aria-label': `Roll back to checkpoint ${id}`, text: 'Roll back…',
        disabled: busy || pendingId === id || !canControl(), onclick: () => askRollback(id),
      })));
  if (pendingId === id) li.append(confirmBox(id));
  return li;
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
  const box = el('div', { class: 'confirm-box', role: 'group', 'aria-label': `Confirm rollback to ${id}` },
    el('p', { text: `Roll back to ${id}? Work-tree files and agent state go back to this checkpoint. `
      + 'A snapshot of the current state is taken first, so this can be undone.' }),
    el('button', { type: 'button', class: 'btn btn-danger btn-small', 'data-action': 'confirm-rollback',
      text: 'Confirm rollback', disabled: busy, onclick: () => rollback(id) }),
    el('button', { type: 'button', class: 'btn btn-small', 'data-action': 'cancel-rollback',
      text: 'Cancel', onclick: cancelRollback }));
  return box;
}

function askRollback(id) {
  pendingId = id;
  render();
  const cancel = document.querySelector(`.checkpoint[data-id="${CSS.escape(id)}"] [data-action="cancel-rollback"]`);
  if (cancel) cancel.focus();
}

function cancelRollback() {
  const id = pendingId;
  pendingId = null;
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
    announce(id, result || {}, undoing);
  } catch (e) {
    showError(e.status === 409
      ? `Rollback refused: ${e.message} Pause or stop the run first.`
      : `Rollback to ${id} failed: ${e.message}`);
  } finally {
    busy = false;
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
    ...listOf(r.protected_paths).map((f) => `left alone (no snapshot could hold it): ${f}`),
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
  byId('checkpoints-more').addEventListener('click', async () => {
    shown += PAGE;
    try { await load(); } catch (e) { showError(`Could not load checkpoints: ${e.message}`); }
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && pendingId) cancelRollback();
  });
}
