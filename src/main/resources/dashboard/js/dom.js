// Builds DOM nodes from data. Text always goes in through text nodes (never innerHTML), so
// nothing the server or an agent wrote can become markup.

/**
 * el('li', {class: 'x', text: 'hi'}, child, 'more text')
 * Props: class, text, on<event> (listener), dataset (object), anything else as an attribute.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = String(value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces every child of {@code node}. */
export function replaceChildren(node, ...children) {
  node.replaceChildren();
  append(node, children);
}

export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`missing #${id}`);
  return node;
}

/** A definition-list entry (dt + dd) wrapped in a div, for the facts grids. */
export function fact(label, value, id) {
  return el('div', {},
    el('dt', { text: label }),
    el('dd', { text: value === undefined || value === null || value === '' ? '—' : value, id }));
}

/** Items of a list answer, whatever its envelope: [...], {items}, or {<key>: [...]}. */
export function itemsOf(data, ...keys) {
  if (Array.isArray(data)) return data;
  if (!data || typeof data !== 'object') return [];
  for (const key of ['items', ...keys]) {
    if (Array.isArray(data[key])) return data[key];
  }
  return [];
}

export function isBlank(v) {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}
