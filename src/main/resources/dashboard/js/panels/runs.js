// Isolated runs: every worktree run of this repository (loki runs), with its state and disk.
import { api } from '../api.js';
import { byId, el, replaceChildren } from '../dom.js';
import { shortSha, sizeOf } from '../format.js';

export async function load() {
  render((await api('/api/runs')) || {});
}

function render(data) {
  const runs = Array.isArray(data.runs) ? data.runs : [];
  replaceChildren(byId('runs-list'), runs.map((r) => el('li', {},
    el('span', { class: 'item-title', text: `${r.run} · ${r.branch}` }),
    el('span', { class: 'chip', dataset: { tone: tone(r) }, text: r.active ? 'running' : r.status }),
    el('p', { class: 'detail', text: `${sizeOf(r.disk_bytes)} on disk · head ${shortSha(r.head)}`
      + ` · ${r.unpushed_commits} unpushed${r.dirty ? ' · uncommitted changes' : ''} · ${r.worktree}` }))));
  const active = runs.filter((r) => r.active).length;
  byId('runs-summary').textContent = runs.length === 0 ? '' : `${runs.length} run(s), ${active} active`;
  byId('runs-empty').hidden = runs.length > 0;
}

function tone(r) {
  if (r.active) return 'info';
  if (r.status === 'completed') return 'ok';
  if (['failed', 'stopped', 'budget_exceeded', 'max_iterations'].includes(r.status)) return 'bad';
  return '';
}
