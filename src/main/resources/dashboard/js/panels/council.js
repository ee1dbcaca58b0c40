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
  const empty = byId('verdict-list').childElementCount === 0 && byId('transcript-list').childElementCount === 0;
  byId('council-empty').hidden = !empty;
}

function renderVerdicts(state) {
  const verdicts = itemsOf(state, 'verdicts', 'votes');
  const total = state.total_votes ?? verdicts.length;
  byId('council-summary').textContent = state.enabled === false && verdicts.length === 0 ? 'not enabled'
    : `${total} vote${Number(total) === 1 ? '' : 's'}`;
  replaceChildren(byId('verdict-list'), verdicts.slice(-10).reverse().map((v) => {
    const verdict = typeof v === 'string' ? v : (v.verdict || v.result || v.decision || '');
    return el('li', {},
      el('span', { class: 'item-title', text: typeof v === 'object' && v.iteration !== undefined ? `Iteration ${v.iteration}` : 'Vote' }),
      el('span', { class: 'chip', dataset: { tone: tone(verdict) }, text: verdict || 'unknown' }),
      typeof v === 'object' && !isBlank(v.reason || v.summary) ? el('p', { class: 'detail', text: v.reason || v.summary }) : null);
  }));
}

function renderTranscripts(transcripts) {
  replaceChildren(byId('transcript-list'), transcripts.map((t) => {
    const members = itemsOf(t, 'members', 'votes', 'voters');
    const title = `Iteration ${t.iteration ?? t.iteration_id ?? '?'}${t.verdict ? ` — ${t.verdict}` : ''}`;
    return el('details', {},
      el('summary', { text: title }),
      members.length === 0 ? el('p', { class: 'muted', text: 'No member statements recorded.' }) : null,
      members.map((m) => el('div', {},
        el('strong', { text: m.member || m.name || m.role || 'member' }),
        m.vote || m.verdict ? el('span', { class: 'chip', dataset: { tone: tone(m.vote || m.verdict) }, text: m.vote || m.verdict }) : null,
        el('blockquote', { text: m.content || m.reasoning || m.text || '' }))));
  }));
}

function tone(verdict) {
  const v = String(verdict).toLowerCase();
  if (v.startsWith('approve') || v === 'complete' || v === 'pass') return 'ok';
  if (v.startsWith('reject') || v === 'fail' || v === 'block') return 'bad';
  return v ? 'warn' : '';
}
