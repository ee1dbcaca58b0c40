// Live updates over Server-Sent Events. The browser's own EventSource retry has a fixed delay
// and never gives up; we close it on error and reconnect with exponential backoff instead, and
// tell the caller so it can reload what it missed.
import { byId } from './dom.js';

const EVENTS = ['status', 'iteration', 'checkpoint', 'gate', 'log', 'council'];
const MAX_DELAY_MS = 30000;

export class LiveStream {
  /**
   * @param handlers {status(data), iteration(data), ..., onOpen(), onLost()} — onLost may
   *        return a promise resolving false to stop retrying (e.g. the session ended).
   */
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.source = null;
    this.attempt = 0;
    this.timer = null;
    this.stopped = true;
  }

  start() {
    this.stopped = false;
    this.attempt = 0;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.source) this.source.close();
    this.source = null;
    indicate('off', 'Offline');
  }

  connect() {
    if (this.stopped) return;
    indicate(this.attempt === 0 ? 'connecting' : 'reconnecting', this.attempt === 0 ? 'Connecting…' : 'Reconnecting…');
    const source = new EventSource(this.url);
    this.source = source;
    source.addEventListener('open', () => {
      this.attempt = 0;
      indicate('live', 'Live');
      if (this.handlers.onOpen) this.handlers.onOpen();
    });
    source.addEventListener('error', () => this.lost(source));
    for (const name of EVENTS) {
      source.addEventListener(name, (event) => this.dispatch(name, event.data));
    }
  }

  dispatch(name, raw) {
    const handler = this.handlers[name];
    if (!handler) return;
    let data = null;
    try { data = raw ? JSON.parse(raw) : null; } catch { data = raw; }
    try {
      handler(data);
    } catch (e) {
      console.warn(`live ${name} handler failed`, e);
    }
  }

  async lost(source) {
    if (source !== this.source || this.stopped) return;
    source.close();
    this.source = null;
    this.attempt += 1;
    indicate('reconnecting', 'Reconnecting…');
    const keepGoing = this.handlers.onLost ? await this.handlers.onLost() : true;
    if (keepGoing === false || this.stopped) return;
    const base = Math.min(MAX_DELAY_MS, 1000 * 2 ** Math.min(this.attempt - 1, 5));
    const delay = base / 2 + Math.random() * (base / 2);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}

function indicate(state, text) {
  const node = byId('live');
  node.dataset.state = state;
  node.textContent = text;
}
