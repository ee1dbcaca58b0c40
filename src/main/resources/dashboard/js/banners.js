// The notice banner (aria-live, with an optional action), the error banner, and the modal
// confirm used before destructive actions.
import { byId, el, replaceChildren } from './dom.js';

let noticeAction = null;

/** show({text, files: [string], action: {label, run}}) */
export function showNotice({ text, files = [], action = null }) {
  const box = byId('notice');
  byId('notice-text').textContent = text;
  replaceChildren(byId('notice-files'), files.map((f) => el('li', { class: 'mono', text: f })));
  const undo = byId('notice-undo');
  noticeAction = action;
  undo.hidden = !action;
  undo.disabled = false;
  if (action) undo.textContent = action.label;
  box.hidden = false;
}

export function clearNotice() {
  byId('notice').hidden = true;
  noticeAction = null;
}

export function showError(message) {
  byId('error-text').textContent = message;
  byId('error').hidden = false;
}

export function clearError() {
  byId('error').hidden = true;
}

export function initBanners() {
  byId('notice-dismiss').addEventListener('click', clearNotice);
  byId('error-dismiss').addEventListener('click', clearError);
  byId('notice-undo').addEventListener('click', async (event) => {
    if (!noticeAction) return;
    const button = event.currentTarget;
    button.disabled = true;
    try {
      await noticeAction.run();
    } finally {
      button.disabled = false;
    }
  });
}

/** Resolves true when the person confirms. Falls back to window.confirm without <dialog>. */
export function confirmAction({ title, text, ok = 'Confirm' }) {
  const dialog = byId('confirm-dialog');
  if (typeof dialog.showModal !== 'function') return Promise.resolve(window.confirm(`${title}\n\n${text}`));
  byId('confirm-title').textContent = title;
  byId('confirm-text').textContent = text;
  byId('confirm-ok').textContent = ok;
  dialog.returnValue = 'cancel';
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.showModal();
    byId('confirm-cancel').focus();
  });
}
