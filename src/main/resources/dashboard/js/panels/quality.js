// Quality gates: each gate's latest result, so "done" is only believed when the gates agree.
import { api } from '../api.js';
import { byId, el, isBlank, itemsOf, replaceChildren } from '../dom.js';

export async function load() {
  render(await api('/api/quality'));
}

/** The gate list from quality/latest.json (with summaries), else state/quality-gates.json. */
function gatesOf(data) {
  if (!data || typeof data !== 'object') return [];
  const latest = itemsOf(data.latest, 'results', 'gates');
  if (latest.length) return latest;
  const state = itemsOf(data.gates, 'gates');
  if (state.length) return state;
  return itemsOf(data, 'gates', 'results');
}

function render(data) {
  const gates = gatesOf(data);
  const list = byId('gate-list');
  replaceChildren(list, gates.map((g) => {
    const verdict = outcome(g);
    return el('li', {},
      el('span', { class: 'item-title', text: g.name || g.gate || g.id || '(gate)' }),
      el('span', { class: 'chip', dataset: { tone: verdict.tone }, text: verdict.label }),
      !isBlank(g.summary || g.detail || g.message) ? el('p', { class: 'detail', text: g.summary || g.detail || g.message }) : null);
  }));
  const failing = gates.filter((g) => outcome(g).tone === 'bad').length;
  const blocked = data && (data.blocked === true || (data.latest && data.latest.code_review_blocked === true));
  const iteration = data && data.latest && data.latest.iteration !== undefined ? ` · iteration ${data.latest.iteration}` : '';
  byId('quality-summary').textContent = gates.length === 0 ? ''
    : `${gates.length - failing} of ${gates.length} passing${iteration}${blocked ? ' · blocked by code review' : ''}`;
  byId('quality-empty').hidden = gates.length > 0;
}

function outcome(g) {
  const raw = g.status ?? g.result ?? g.verdict ?? (g.passed === true ? 'pass' : g.passed === false ? 'fail' : 'unknown');
  const s = String(raw).toLowerCase();
  if (['pass', 'passed', 'ok', 'success', 'green', 'approve', 'approved'].includes(s)) return { label: 'passed', tone: 'ok' };
  if (['fail', 'failed', 'error', 'red', 'blocked', 'reject', 'rejected'].includes(s)) return { label: 'failed', tone: 'bad' };
  if (['skip', 'skipped', 'waived'].includes(s)) return { label: s, tone: 'warn' };
  if (['pending', 'running', 'not_run', 'unknown'].includes(s)) return { label: s.replace(/_/g, ' '), tone: '' };
  return { label: s, tone: 'info' };
}
