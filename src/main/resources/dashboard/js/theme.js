// Light/dark toggle. Without a saved choice the OS preference decides (CSS media query);
// the toggle saves an explicit choice in localStorage.
import { byId } from './dom.js';

const KEY = 'loki-theme';
const media = window.matchMedia('(prefers-color-scheme: dark)');

function effective() {
  const forced = document.documentElement.getAttribute('data-theme');
  if (forced === 'light' || forced === 'dark') return forced;
  return media.matches ? 'dark' : 'light';
}

function paint(button) {
  const dark = effective() === 'dark';
  button.setAttribute('aria-pressed', String(dark));
  button.textContent = dark ? 'Light theme' : 'Dark theme';
  button.title = dark ? 'Switch to the light theme' : 'Switch to the dark theme';
}

export function initTheme() {
  const button = byId('theme-toggle');
  button.addEventListener('click', () => {
    const next = effective() === 'dark' ? 'light' : 'dark';
    document.documentElement.setAttribute('data-theme', next);
    try { localStorage.setItem(KEY, next); } catch { /* private mode: the choice lasts for this page */ }
    paint(button);
  });
  media.addEventListener('change', () => paint(button));
  paint(button);
}
