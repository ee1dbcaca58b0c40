// Cost: tokens and dollars so far, by model and by phase, against the budget.
import { api } from '../api.js';
import { byId, el, fact, replaceChildren } from '../dom.js';
import { count, usd } from '../format.js';

export async function load() {
  render((await api('/api/cost')) || {});
}

function render(c) {
  byId('cost-total').textContent = usd(c.estimated_cost_usd ?? c.total_usd);
  replaceChildren(byId('cost-facts'),
    fact('Input tokens', count(c.total_input_tokens)),
    fact('Output tokens', count(c.total_output_tokens)),
    fact('Estimated cost', usd(c.estimated_cost_usd ?? c.total_usd)),
    fact('Budget', c.budget_limit ? usd(c.budget_limit) : 'none'),
    fact('Remaining', c.budget_limit ? usd(c.budget_remaining) : '—'));
  replaceChildren(byId('cost-breakdown'), table('By model', c.by_model), table('By phase', c.by_phase));
}

function table(caption, groups) {
  if (!groups || typeof groups !== 'object') return null;
  const rows = Array.isArray(groups)
    ? groups.map((g) => [g.name || g.model || g.phase || '?', g])
    : Object.entries(groups);
  if (rows.length === 0) return null;
  return el('table', { class: 'breakdown' },
    el('caption', { text: caption }),
    el('thead', {}, el('tr', {},
      el('th', { scope: 'col', text: 'Name' }),
      el('th', { scope: 'col', class: 'num', text: 'Tokens' }),
      el('th', { scope: 'col', class: 'num', text: 'Cost' }))),
    el('tbody', {}, rows.map(([name, g]) => {
      const v = typeof g === 'object' && g !== null ? g : { cost_usd: g };
      const tokens = (Number(v.input_tokens) || 0) + (Number(v.output_tokens) || 0);
      return el('tr', {},
        el('td', { text: name }),
        el('td', { class: 'num', text: tokens ? count(tokens) : '—' }),
        el('td', { class: 'num', text: usd(v.cost_usd ?? v.cost ?? v.estimated_cost_usd) }));
    })));
}
