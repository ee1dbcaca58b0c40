// Live log: the last lines on load, then each `log` event appended; filtered by text and level
// in the browser so nothing is refetched while typing.
import { api } from '../api.js';
import { byId, el } from '../dom.js';

const MAX_LINES = 500;
const RANK = { debug: 0, info: 1, warning: 2, error: 3, critical: 4 };
let lines = [];   // {text, level}

export async function load() {
  const data = await api('/api/logs?lines=200');
  const raw = data && Array.isArray(data.lines) ? data.lines : (Array.isArray(data) ? data : []);
  lines = raw.map(normalize).slice(-MAX_LINES);
  renderAll();
}

/** A live `log` event: data is {line} (a string or a parsed line object). */
export function append(data) {
  const value = data && typeof data === 'object' && 'line' in data ? data.line : data;
  if (value === undefined || value === null) return;
  const line = normalize(value);
  lines.push(line);
  const view = byId('log-view');
  if (lines.length > MAX_LINES) {
    // The view holds exactly the lines that pass the current filter, in order.
    const dropped = lines.shift();
    if (matches(dropped) && view.firstChild) view.firstChild.remove();
  }
  if (matches(line)) {
    view.append(node(line));
    follow();
  }
  count();
}

function normalize(value) {
  if (typeof value === 'string') return { text: value, level: guessLevel(value) };
  if (value && typeof value === 'object') {
    const text = [value.timestamp, value.level ? `[${String(value.level).toUpperCase()}]` : '', value.message ?? value.line ?? '']
      .filter((p) => p !== undefined && p !== '').join(' ');
    return { text, level: canonical(value.level) || guessLevel(text) };
  }
  return { text: String(value), level: 'info' };
}

function canonical(level) {
  if (!level) return '';
  const l = String(level).toLowerCase();
  if (l === 'warn') return 'warning';
  if (l === 'fatal') return 'critical';
  if (l === 'trace') return 'debug';
  return RANK[l] !== undefined ? l : 'info';
}

function guessLevel(text) {
  const m = /\b(DEBUG|TRACE|INFO|WARN(?:ING)?|ERROR|FATAL|CRITICAL)\b/i.exec(text);
  return m ? canonical(m[1]) : 'info';
}

function matches(line) {
  const filter = byId('log-filter').value.trim().toLowerCase();
  const min = byId('log-level').value;
  if (min !== 'all' && (RANK[line.level] ?? 1) < RANK[min]) return false;
  return !filter || line.text.toLowerCase().includes(filter);
}

function node(line) {
  return el('span', { class: 'log-line', dataset: { level: line.level } }, line.text, '\n');
}

function renderAll() {
  const view = byId('log-view');
  view.replaceChildren(...lines.filter(matches).map(node));
  follow();
  count();
}

function count() {
  const shown = byId('log-view').childElementCount;
  byId('logs-count').textContent = shown === lines.length ? `${lines.length} lines` : `${shown} of ${lines.length} lines`;
}

function follow() {
  if (byId('log-follow').checked) {
    const view = byId('log-view');
    view.scrollTop = view.scrollHeight;
  }
}

export function init() {
  byId('log-filter').addEventListener('input', renderAll);
  byId('log-level').addEventListener('change', renderAll);
  byId('log-follow').addEventListener('change', follow);
}
