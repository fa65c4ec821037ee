// The widget's hand-written JavaScript, in one module: the glue imports it as one snippet file,
// so a page fetches one script here instead of one per `inline_js` block (fewer requests at
// start-up, and fewer parallel connections for a test runner's small HTTP server). Each
// section's Rust side is named in its heading; its `extern` block declares what it uses.

// --- A crash the host can see (fatal.rs) ---
const fatalHosts = new Map();
let fatalStopped = false;
const FATAL_NOTICE = 'The call controls stopped after an internal error. Reload the page to continue.';
function showFatalNotice(host) {
  try {
    const { text, lang } = fatalHosts.get(host) || {};
    const message = text || FATAL_NOTICE;
    const root = host.shadowRoot;
    if (root && !root.querySelector('[data-testid="fatal"]')) {
      const notice = document.createElement('div');
      notice.setAttribute('data-testid', 'fatal');
      notice.setAttribute('role', 'alert');
      notice.className = 'gws-fatal';
      notice.textContent = message;
      if (lang) notice.lang = lang;
      root.prepend(notice);
      // The stopped widget's controls would still take the focus and sound live, doing nothing.
      for (const mount of root.querySelectorAll('.gws-mount')) mount.inert = true;
    }
    host.dispatchEvent(new CustomEvent('gws:error', { bubbles: true, composed: true,
      detail: { message, callId: null, fatal: true } }));
  } catch (_) { /* nothing more can be done */ }
}
export function gwsStopAll() {
  if (fatalStopped) return;
  fatalStopped = true;
  for (const host of fatalHosts.keys()) showFatalNotice(host);
}
export function gwsRegisterHost(host, notice, lang) { fatalHosts.set(host, { text: notice, lang }); }
export function gwsUnregisterHost(host) { fatalHosts.delete(host); }
export function gwsStopped() { return fatalStopped; }
export function gwsWatchTraps() {
  if (typeof window === 'undefined') return;
  const trap = (error) => typeof WebAssembly !== 'undefined' && error instanceof WebAssembly.RuntimeError;
  window.addEventListener('error', (event) => { if (trap(event.error)) gwsStopAll(); });
  window.addEventListener('unhandledrejection', (event) => { if (trap(event.reason)) gwsStopAll(); });
}
export function gwsTestHooksEnabled() { return globalThis.__GWS_TEST_HOOKS__ === true; }

// --- The shadow root's stylesheet (lib.rs) ---
let sharedSheet = null;
export function gwsAdoptStyles(root, css) {
  // One constructable sheet for every widget of the page. Unlike a <style> element it is not
  // inline CSS, so a host page's `style-src 'self'` (no 'unsafe-inline') does not block it.
  try {
    if (!('adoptedStyleSheets' in root) || typeof CSSStyleSheet !== 'function') return false;
    if (!sharedSheet) { const sheet = new CSSStyleSheet(); sheet.replaceSync(css); sharedSheet = sheet; }
    if (!root.adoptedStyleSheets.includes(sharedSheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sharedSheet];
    return true;
  } catch (_) { return false; }
}
export function gwsDropStyles(root) {
  if (sharedSheet && 'adoptedStyleSheets' in root) root.adoptedStyleSheets = root.adoptedStyleSheets.filter((s) => s !== sharedSheet);
}

// --- The <gws-agent-widget> element (lib.rs) ---
export function gwsDefineElement(mount) {
  if (typeof customElements === 'undefined' || customElements.get('gws-agent-widget')) return false;
  const text = { 'base-url': 'baseUrl', 'user': 'username', 'theme': 'theme', 'lang': 'lang', 'locale': 'locale',
                 'log-level': 'logLevel', 'place': 'place', 'queue': 'queue', 'login-code': 'loginCode' };
  const flags = { 'compact': 'compact', 'shortcuts': 'shortcuts', 'click-to-dial': 'clickToDial',
                  'share-across-tabs': 'shareAcrossTabs', 'auto-login': 'autoLogin' };
  // The password attribute is read once and removed, so no other script, extension or
  // session-replay tool finds it in the page; it is kept here for a re-mount of the element —
  // with the server and user it was given for: moved after its `base-url` or `user` changed,
  // the element must not send it to a server (or as a user) nobody gave it for.
  const passwords = new WeakMap();
  class GwsAgentWidget extends HTMLElement {
    static get observedAttributes() { return ['lang']; }
    attributeChangedCallback(name, previous, value) {
      if (name === 'lang' && this.handle && previous !== value) this.handle.setLang(value || '');
    }
    connectedCallback() {
      if (this.handle) return;
      const server = this.getAttribute('base-url'), user = this.getAttribute('user');
      if (this.hasAttribute('password')) {
        passwords.set(this, { password: this.getAttribute('password'), server, user });
        this.removeAttribute('password');
      }
      const options = {};
      const kept = passwords.get(this);
      if (kept && (kept.server !== server || kept.user !== user)) {
        passwords.delete(this);
        const message = 'gws-widget: the password was given for another server or user; set the password attribute again';
        this.dispatchEvent(new CustomEvent('gws:error', { bubbles: true, composed: true, detail: { message, callId: null } }));
        console.error(message);
        return;
      }
      if (kept) options.password = kept.password;
      for (const [attr, key] of Object.entries(text)) if (this.hasAttribute(attr)) options[key] = this.getAttribute(attr);
      for (const [attr, key] of Object.entries(flags)) if (this.hasAttribute(attr)) options[key] = this.getAttribute(attr) !== 'false';
      if (typeof this.credentials === 'function') options.credentials = this.credentials;
      if (this.strings && typeof this.strings === 'object') options.strings = this.strings;
      try {
        this.handle = mount(this, options);
      } catch (error) {
        this.dispatchEvent(new CustomEvent('gws:error', { bubbles: true, composed: true, detail: { message: String(error && error.message || error), callId: null } }));
        console.error(error);
      }
    }
    disconnectedCallback() {
      if (this.handle) { this.handle.destroy(); this.handle = null; }
    }
  }
  customElements.define('gws-agent-widget', GwsAgentWidget);
  return true;
}

// --- The timer worker (drivers/scheduler.rs) ---
// The worker's whole program (the same as www/gws-timer-worker.js): echo each [id, ms] back
// after ms. Used only as a Blob-URL worker when the widget's files are on another origin.
const TIMER_WORKER_SOURCE = 'onmessage = (e) => { const [id, ms] = e.data; setTimeout(() => postMessage(id), ms); };';
export function gwsTimerWorker() {
  // This module is snippets/<crate>-<hash>/src/glue.js beside the glue (gws-widget.js).
  const file = new URL('../../../gws-timer-worker.js', import.meta.url);
  if (typeof location !== 'undefined' && file.origin === location.origin) {
    try { return new Worker(file, { type: 'module', name: 'gws-timer' }); } catch (_) { return null; }
  }
  try {
    const url = URL.createObjectURL(new Blob([TIMER_WORKER_SOURCE], { type: 'text/javascript' }));
    try { return new Worker(url, { name: 'gws-timer' }); } finally { URL.revokeObjectURL(url); }
  } catch (_) { return null; }
}

// --- Tab leadership through Web Locks (drivers/tabs.rs) ---
export function gwsLocksAvailable() {
  return typeof navigator !== 'undefined' && !!navigator.locks && typeof navigator.locks.request === 'function';
}
export function gwsRequestLeadership(name, onAcquired) {
  let release = () => {};
  const held = new Promise((resolve) => { release = resolve; });
  const abort = new AbortController();
  navigator.locks
    .request(name, { mode: 'exclusive', signal: abort.signal }, () => { onAcquired(); return held; })
    .catch(() => {});
  return () => { abort.abort(); release(); };
}
