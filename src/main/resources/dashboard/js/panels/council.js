// Council: the verdicts of the reviewing agents and, per iteration, what each member said.
import { api } from '../api.js';
import { byId, el, isBlank, itemsOf, replaceChildren } from '../dom.js';

export async function load() {
  const [state, transcripts] = await Promise.all([
    api('/api/council'),
    api('/api/council/transcripts?limit=10'),
  ]);
  renderVerdicts(state || {});
  renderTranscripts(itemsOf(transcripts, 'transcripts'));
  byId('transcripts-title').hidden = byId('transcript-list').childElementCount === 0;
  const empty = byId('verdict-list').childElementCount === 0 && byId('transcript-list').childElementCount === 0;
  byId('council-empty').hidden = !empty;
}

function renderVerdicts(state) {
  const verdicts = itemsOf(state, 'verdicts', 'votes');
  const total = state.total_votes ?? verdicts.length;
  byId('council-summary').textContent = state.enabled === false && verdicts.length === 0 ? 'not enabled'
    : `${total} vote${Number(total) === 1 ? '' : 's'}`;
  replaceChildren(byId('verdict-list'), verdicts.slice(-10).reverse().map((v) => {
    const verdict = typeof v === 'string' ? v : (v.result || v.verdict || v.decision || '');
    const tally = typeof v === 'object' && v.approve !== undefined ? `${v.approve} approve, ${v.reject ?? 0} reject` : '';
    return el('li', {},
      el('span', { class: 'item-title', text: typeof v === 'object' && v.iteration !== undefined ? `Iteration ${v.iteration}` : 'Vote' }),
      el('span', { class: 'chip', dataset: { tone: tone(verdict) }, text: verdict || 'unknown' }),
      typeof v === 'object' && !isBlank(v.reason || v.summary || tally) ? el('p', { class: 'detail', text: [tally, v.reason || v.summary].filter(Boolean).join(' · ') }) : null);
  }));
}

function renderTranscripts(transcripts) {
  replaceChildren(byId('transcript-list'), transcripts.map((t) => {
    const members = itemsOf(t, 'members', 'votes', 'voters');
    const outcome = t.outcome || t.verdict || '';
    const tally = t.approve_count !== undefined ? ` (${t.approve_count} approve, ${t.reject_count ?? 0} reject)` : '';
    const title = `Iteration ${t.iteration ?? t.iteration_id ?? '?'}${outcome ? ` — ${outcome}` : ''}${tally}`;
    return el('details', {},
      el('summary', { text: title }),
      members.length === 0 ? el('p', { class: 'muted', text: 'No member statements recorded.' }) : null,
      members.map((m) => el('div', {},
        el('strong', { text: `${m.member || m.name || m.role || 'member'}${m.is_contrarian ? ' (contrarian)' : ''}` }),
        m.vote || m.verdict ? el('span', { class: 'chip', dataset: { tone: tone(m.vote || m.verdict) }, text: m.vote || m.verdict }) : null,
        el('blockquote', { text: [m.content || m.reasoning || m.text || '', issuesText(m.issues)].filter(Boolean).join('\n') }))));
  }));
}

function issuesText(issues) {
  if (!Array.isArray(issues) || issues.length === 0) return '';
  return issues.map((i) => `• ${typeof i === 'string' ? i : [i.severity, i.description || i.text].filter(Boolean).join(': ')}`).join('\n');
}

function tone(verdict) {
  const v = String(verdict).toLowerCase();
  if (v.startsWith('approve') || v === 'complete' || v === 'pass') return 'ok';
  if (v.startsWith('reject') || v === 'fail' || v === 'block') return 'bad';
  return v ? 'warn' : '';
}
