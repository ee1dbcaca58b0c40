// Task queue: what the loop will do next, grouped by state.
import { api } from '../api.js';
import { byId, el, itemsOf, replaceChildren } from '../dom.js';

const ORDER = ['in_progress', 'in-progress', 'active', 'review', 'pending', 'backlog', 'done', 'completed', 'failed', 'dead-letter'];
const TONE = { in_progress: 'info', 'in-progress': 'info', active: 'info', review: 'warn', done: 'ok', completed: 'ok', failed: 'bad', 'dead-letter': 'bad' };
const MAX_SHOWN = 60;

export async function load() {
  render(itemsOf(await api('/api/tasks'), 'tasks'));
}

function render(tasks) {
  const sorted = [...tasks].sort((a, b) => rank(a) - rank(b));
  const counts = {};
  for (const t of tasks) counts[status(t)] = (counts[status(t)] || 0) + 1;
  byId('tasks-summary').textContent = Object.entries(counts).map(([k, v]) => `${v} ${k.replace(/_/g, ' ')}`).join(' · ');
  replaceChildren(byId('task-list'), sorted.slice(0, MAX_SHOWN).map((t) => el('li', {},
    el('span', { class: 'item-title', text: t.title || t.description || t.id || '(untitled task)' }),
    t.priority !== undefined && t.priority !== null && t.priority !== '' ? el('span', { class: 'chip', text: `priority ${t.priority}` }) : null,
    el('span', { class: 'chip', dataset: { tone: TONE[status(t)] || '' }, text: status(t).replace(/_/g, ' ') }))));
  if (sorted.length > MAX_SHOWN) byId('task-list').append(el('li', { class: 'muted', text: `and ${sorted.length - MAX_SHOWN} more` }));
  byId('tasks-empty').hidden = tasks.length > 0;
}

function status(t) {
  return String(t.status || 'pending').toLowerCase();
}

function rank(t) {
  const i = ORDER.indexOf(status(t));
  return i < 0 ? ORDER.length : i;
}
