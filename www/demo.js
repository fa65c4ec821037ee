// The demo page (index.html): a simulator console beside agent widgets.
//
// Plain JavaScript on purpose: the console drives the simulator's control API (`/sim/*`), which a
// real GWS does not have, so none of it belongs in the widget's wasm — a CRM page that loads
// embed.js downloads no demo code. The widgets are mounted through the public `mount()` API,
// exactly as a host page would.
//
// Without parameters it shows agent1 (DN 5005), agent2 (DN 5001) and supervisor1 (DN 5010) side
// by side, so a person can play the seed scenarios with the mouse (answer, consult transfer to
// 5001, agent2 answers, complete…). `?user=…` shows one widget, signed in with the user name as
// password as the simulator's users are (never a password in the URL: it would stay in history,
// server logs and Referer headers); `&base=http://127.0.0.1:port` points everything at another
// server on this machine (demo-base.js says which are accepted and why).

import { allowedBase } from './demo-base.js';

/** Where injected calls can go: [value, label]. */
const TARGETS = [
  ['5005', 'agent1 — 5005'],
  ['5001', 'agent2 — 5001'],
  ['5010', 'supervisor1 — 5010'],
  ['queue', 'the queue'],
];

/** The customer data an injected call carries when "Attach customer data" is ticked. */
const CUSTOMER = { CustomerId: 'C-1042', CustomerName: 'Ada Lovelace', Segment: 'Gold' };

/** An element with attributes and children; text children become text nodes (never HTML). */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

/**
 * POSTs a JSON body to a `/sim` endpoint; resolves to the reply (statusCode 0) or throws an
 * Error carrying the simulator's statusMessage.
 */
async function simPost(base, path, body) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  let reply = null;
  try {
    reply = await response.json();
  } catch {
    throw new Error(`HTTP ${response.status}`);
  }
  if (reply?.statusCode === 0) return reply;
  throw new Error(reply?.statusMessage || `HTTP ${response.status}`);
}

/** The simulator console: inject calls, reset, inject faults. */
function simConsole(base) {
  const from = el('input', { 'data-testid': 'inject-from', inputmode: 'tel', value: '5000' });
  const to = el('select', { 'data-testid': 'inject-to' });
  for (const [value, label] of TARGETS) to.append(el('option', { value }, label));
  const withData = el('input', { type: 'checkbox' });
  withData.checked = true;
  const status = el('p', { class: 'gws-console__status', role: 'status', 'data-testid': 'console-status' });

  const run = async (path, body, done) => {
    try {
      const reply = await simPost(base, path, body);
      status.textContent = typeof reply.id === 'string' ? `${done}: ${reply.id}` : done;
    } catch (error) {
      status.textContent = `Failed: ${error.message}`;
    }
  };
  const button = (testid, label, kind, action) => {
    const node = el('button', { type: 'button', class: `gws-btn gws-btn--${kind}`, 'data-testid': testid }, label);
    node.addEventListener('click', action);
    return node;
  };
  const inject = button('inject-call', 'Inject inbound call', 'primary', () => {
    const body = { from: from.value, to: to.value };
    if (withData.checked) body.userData = CUSTOMER;
    run('/sim/calls', body, 'Call injected');
  });
  return el('section', { class: 'gws-console', 'aria-label': 'Simulator console' },
    el('h2', {}, 'Simulator'),
    el('label', {}, 'From ', from),
    el('label', {}, 'To ', to),
    el('label', { class: 'gws-console__check' }, withData, 'Attach customer data'),
    inject,
    el('div', { class: 'gws-console__row' },
      button('sim-reset', 'Reset', 'secondary', () => run('/sim/reset', {}, 'Simulator reset')),
      button('fault-expire', 'Expire sessions', 'secondary',
        () => run('/sim/faults', { expireSessions: true }, 'CometD sessions expired')),
      button('fault-restart', 'Restart CometD', 'secondary',
        () => run('/sim/faults', { restartCometd: true }, 'CometD restarted'))),
    status);
}

/**
 * The mounted widgets' handles. Kept for the page's lifetime: a `WidgetHandle` that is garbage
 * collected unmounts its widget.
 */
const handles = [];

/**
 * Builds the demo into `target` with the widget module's `mount`. Returns the widget handles.
 */
export function startDemo(widget, target = document.getElementById('gws-demo') ?? document.body) {
  const params = new URLSearchParams(location.search);
  const param = (name) => params.get(name) || null;
  const base = allowedBase(param('base'), location.origin);
  const user = param('user');
  // The first widget keeps the keyboard shortcuts; one page, one set of shortcuts.
  const users = user
    ? [[user, user]]
    : [['agent1', 'agent1'], ['agent2', 'agent2'], ['supervisor1', 'supervisor1']];
  const slots = users.map(() => el('div', { class: 'gws-demo__widget' }));
  target.replaceChildren(el('main', { class: 'gws-demo' },
    el('h1', { class: 'gws-demo__title' }, 'gws-widget demo'),
    simConsole(base),
    el('div', { class: 'gws-demo__widgets' }, ...slots)));
  users.forEach(([username, password], index) => handles.push(widget.mount(slots[index], {
    baseUrl: base, username, password, shortcuts: index === 0, shareAcrossTabs: false,
  })));
  return handles;
}
