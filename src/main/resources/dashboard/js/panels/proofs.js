// Proofs: one report per finished run, each opened in its own (sandboxed) page.
import { api } from '../api.js';
import { byId, el, itemsOf, replaceChildren } from '../dom.js';
import { plural, usd, when } from '../format.js';

export async function load() {
  const proofs = itemsOf(await api('/api/proofs'), 'proofs');
  byId('proofs-count').textContent = proofs.length ? plural(proofs.length, 'run') : '';
  replaceChildren(byId('proof-list'), proofs.map((p) => {
    const id = String(p.run_id || p.id || '');
    const base = `/api/proofs/${encodeURIComponent(id)}`;
    const verdict = String(p.final_verdict || p.verdict || 'unknown');
    // 'loki proof verify' on this machine: an altered proof's verdict is not shown as good news
    const integrity = String(p.integrity || '');
    const altered = integrity === 'ALTERED' || integrity === 'UNREADABLE';
    return el('li', {},
      el('span', { class: 'item-title' },
        p.has_html === false
          ? el('span', { class: 'mono', text: id })
          : el('a', { href: `${base}/html`, target: '_blank', rel: 'noopener noreferrer', class: 'mono', text: id,
            'aria-label': `Open the proof report for run ${id}` })),
      el('span', { class: 'chip', dataset: { tone: altered ? 'warn' : /approve|pass|done/i.test(verdict) ? 'ok' : /reject|fail/i.test(verdict) ? 'bad' : 'warn' }, text: verdict }),
      integrity ? el('span', { class: 'chip', dataset: { tone: altered ? 'bad' : integrity === 'VERIFIED' ? 'ok' : 'warn' }, text: integrity.toLowerCase(),
        title: altered ? 'loki proof verify: this proof was changed after it was written; its claims cannot be trusted' : `loki proof verify: ${integrity.toLowerCase()}` }) : null,
      el('p', { class: 'detail' },
        `${when(p.generated_at)} · ${usd(p.cost_usd)} · ${plural(Number(p.files_changed) || 0, 'file')} changed · `,
        el('a', { href: base, target: '_blank', rel: 'noopener noreferrer', text: 'JSON' })));
  }));
  byId('proofs-empty').hidden = proofs.length > 0;
}
