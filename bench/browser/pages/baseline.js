// The hand-written JS baseline of the benchmarks (issue 15): cometd.js and plain DOM, no
// framework. One card per call — state, parties, attached data and one button per capability —
// as a measuring stick for the widget, not product: no forms (an operation that needs input is
// sent without it and the server refuses it), no devices or agent state, no pending state, no
// reconnection handling beyond cometd.js's own. The DOM hooks are the widget's
// (`data-testid="call-card"`, `data-call-id`, `data-state`, `data-action`, `.gws-card__pair`
// <dt>/<dd>), so the benchmarks read either with the same code. Server strings are text nodes.
import { CometD } from './cometd/cometd.js';
import { LongPollingTransport } from './cometd/LongPollingTransport.js';

// An element; string children become text nodes (never parsed as HTML).
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

const party = (p) => (typeof p === 'string' ? p : p?.formattedPhoneNumber || p?.phoneNumber || p?.digits || '');

// Mounts the baseline into `root`; resolves once subscribed (cards follow from the snapshot).
// `onCall(call)`: called for every notified call after the render that shows it.
export async function mountBaseline(root, { base = location.origin, user = 'agent1', password = user, onCall } = {}) {
  const auth = 'Basic ' + btoa(`${user}:${password}`);
  const me = await fetch(`${base}/api/v2/me`, { headers: { Authorization: auth } });
  if (!me.ok) throw new Error(`GET /api/v2/me: HTTP ${me.status}`);
  const headers = { Authorization: auth, [me.headers.get('x-csrf-header') || 'X-CSRF-TOKEN']: me.headers.get('x-csrf-token') };

  const calls = new Map(); // id → the latest call object (notification or snapshot)
  const cards = new Map(); // id → <article>
  const touched = new Set(); // ids a notification has shown: a later snapshot does not override them
  const dirty = new Set();
  const notified = [];
  let scheduled = false;

  const post = async (id, operationName) => {
    const reply = await fetch(`${base}/api/v2/me/calls/${encodeURIComponent(id)}`, {
      method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify({ operationName }),
    });
    const body = await reply.json().catch(() => null);
    if (!reply.ok || body?.statusCode !== 0) console.warn(`baseline: ${operationName} refused: HTTP ${reply.status}`, body);
  };

  function render(id) {
    const call = calls.get(id);
    let card = cards.get(id);
    if (call.state === 'Released') {
      card?.remove();
      cards.delete(id);
      calls.delete(id);
      return;
    }
    if (!card) {
      card = el('article', { 'data-testid': 'call-card', 'data-call-id': id });
      cards.set(id, card);
      root.append(card);
    }
    card.dataset.state = call.state;
    const data = Object.entries(call.userData ?? {}).map(([k, v]) =>
      el('div', { class: 'gws-card__pair' }, el('dt', null, k), el('dd', null, typeof v === 'string' ? v : JSON.stringify(v))));
    const buttons = [...new Set(call.capabilities ?? [])].map((op) => {
      const b = el('button', { type: 'button', 'data-action': op }, op);
      b.addEventListener('click', () => post(id, op));
      return b;
    });
    card.replaceChildren(
      el('header', null, el('span', { 'data-testid': 'call-state' }, String(call.state)), ' ', el('span', { 'data-testid': 'call-type' }, String(call.callType ?? ''))),
      el('div', { 'data-testid': 'call-parties' }, (call.participants ?? []).map(party).join(', ')),
      ...(data.length ? [el('dl', { 'data-testid': 'user-data' }, ...data)] : []),
      el('div', { 'data-testid': 'call-actions', role: 'group' }, ...buttons),
    );
  }

  // Every call of one long-poll response is applied, then rendered once (one microtask later:
  // cometd.js hands a response's messages over synchronously).
  function flush() {
    scheduled = false;
    for (const id of dirty) render(id);
    dirty.clear();
    for (const call of notified.splice(0)) onCall?.(call);
  }
  function apply(call) {
    calls.set(call.id, call);
    dirty.add(call.id);
    if (!scheduled) {
      scheduled = true;
      queueMicrotask(flush);
    }
  }

  const handle = { root, messages: 0, client: null };
  const client = new CometD('baseline');
  client.unregisterTransports();
  client.registerTransport('long-polling', new LongPollingTransport());
  // gws-sim answers 404 to the trailing-slash URL cometd.js would post subscribes to.
  client.configure({ url: `${base}/api/v2/notifications`, requestHeaders: headers, logLevel: 'warn', appendMessageTypeToURL: false });
  handle.client = client;
  await new Promise((resolve, reject) => {
    client.handshake((reply) => {
      if (!reply.successful) return reject(new Error(`baseline handshake: ${JSON.stringify(reply)}`));
      client.subscribe('/v2/me/calls', (message) => {
        handle.messages++;
        const call = message.data?.call;
        if (!call?.id) return;
        touched.add(call.id);
        notified.push(call);
        apply(call);
      }, (sub) => (sub.successful ? resolve() : reject(new Error(`baseline subscribe: ${JSON.stringify(sub)}`))));
    });
  });
  root.dispatchEvent(new CustomEvent('gws:connection', { bubbles: true, detail: { state: 'connected' } }));
  // The calls that were there before the subscription (a notification since then wins).
  const snapshot = await fetch(`${base}/api/v2/me/calls?fields=*`, { headers });
  if (!snapshot.ok) throw new Error(`GET /api/v2/me/calls: HTTP ${snapshot.status}`);
  for (const call of (await snapshot.json()).calls ?? []) if (call?.id && !touched.has(call.id)) apply(call);

  handle.stop = () => new Promise((resolve) => {
    client.disconnect(() => resolve());
    root.replaceChildren();
  });
  return handle;
}
