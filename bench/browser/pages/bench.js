// The bench page's harness: the release widget (through embed.js, as a host page uses it) and
// the official CometD client side by side, plus recorders. Node drives it with page.evaluate.
import { CometD } from './cometd/cometd.js';
import { LongPollingTransport } from './cometd/LongPollingTransport.js';

// `?probe-fetch`: time the synchronous part of each fetch() the page makes to the CometD
// endpoint (the widget's long polls), to place it within the receipt → DOM span.
const probe = { start: 0, end: 0 };
if (new URLSearchParams(location.search).has('probe-fetch')) {
  const original = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : input?.url ?? String(input);
    if (!url.includes('/api/v2/notifications')) return original.call(this, input, init);
    const start = performance.now();
    try {
      return original.call(this, input, init);
    } finally {
      probe.start = start;
      probe.end = performance.now();
    }
  };
}

await import('/embed.js');
// The same module instance embed.js initialised: default() returns the wasm exports (memory).
const glue = await import('/gws-widget.js');
const wasm = await glue.default();

const base = location.origin;
const now = () => performance.now();

// Per-client counters of the current run: messages whose userData.run is `run`.
function recorder() {
  return { run: null, n: 0, first: 0, last: 0, lastSeq: -1, outOfOrder: 0, lastSeqText: null };
}
const rec = { widget: recorder(), cometd: recorder(), baseline: recorder() };
function note(r, userData) {
  if (!userData || userData.run !== r.run) return;
  const t = now();
  if (r.n === 0) r.first = t;
  r.last = t;
  r.n++;
  const seq = Number(userData.seq);
  if (seq < r.lastSeq) r.outOfOrder++;
  r.lastSeq = seq;
  r.lastSeqText = userData.seq;
}

let widget = null; // { el, handle, observer }
let cometd = null;

async function mountWidget({ user = 'agent1', password = user } = {}) {
  const el = document.createElement('div');
  document.getElementById('widget').append(el);
  const connected = new Promise((resolve) => el.addEventListener('gws:connection', (e) => {
    if (e.detail.state === 'connected') resolve();
  }));
  el.addEventListener('gws:call-updated', (e) => note(rec.widget, e.detail.userData));
  const handle = window.GwsWidget.mount(el, { baseUrl: base, username: user, password, shareAcrossTabs: false, logLevel: 'warn' });
  widget = { el, handle };
  await connected;
}

function destroyWidget() {
  if (!widget) return;
  widget.observer?.disconnect();
  widget.handle.destroy();
  widget.el.remove();
  widget = null;
}

// The hand-written JS baseline (pages/baseline.js: cometd.js + plain DOM cards), mounted like
// the widget; its deliveries are counted after the render that shows them.
let baseline = null; // the handle of mountBaseline: { root, messages, client, stop }
async function mountBaseline({ user = 'agent1', password = user } = {}) {
  const { mountBaseline: mount } = await import('./baseline.js');
  const el = document.createElement('div');
  document.getElementById('widget').append(el);
  baseline = await mount(el, { base, user, password, onCall: (call) => note(rec.baseline, call.userData) });
}

async function destroyBaseline() {
  if (!baseline) return;
  const b = baseline;
  baseline = null;
  b.observer?.disconnect();
  await b.stop();
  b.root.remove();
}

// The baseline's equivalent of the widget's `lastResponseUs`: when the long-poll XHR's response
// was complete (readyState 4, before cometd.js parses it). Installed for the latency run only.
const xhrDone = { at: NaN };
function stampXhr() {
  const proto = XMLHttpRequest.prototype;
  if (proto.__benchStamped) return;
  proto.__benchStamped = true;
  const open = proto.open;
  const send = proto.send;
  proto.open = function (method, url, ...rest) {
    this.__benchNotifications = String(url).includes('/api/v2/notifications');
    return open.call(this, method, url, ...rest);
  };
  proto.send = function (body) {
    if (this.__benchNotifications) this.addEventListener('readystatechange', () => { if (this.readyState === 4) xhrDone.at = now(); });
    return send.call(this, body);
  };
}

async function startCometd({ user = 'agent1', password = user } = {}) {
  const auth = 'Basic ' + btoa(`${user}:${password}`);
  const me = await fetch(`${base}/api/v2/me`, { headers: { authorization: auth } });
  if (!me.ok) throw new Error(`GET /api/v2/me: ${me.status}`);
  const csrf = me.headers.get('x-csrf-token');
  const client = new CometD('bench');
  client.unregisterTransports();
  client.registerTransport('long-polling', new LongPollingTransport());
  client.configure({
    url: `${base}/api/v2/notifications`,
    requestHeaders: { Authorization: auth, 'X-CSRF-TOKEN': csrf },
    logLevel: 'warn',
    // cometd.js would POST subscribes to `${url}/` (type appended to a trailing slash), which
    // gws-sim answers 404 (it routes /notifications and /notifications/{rest}, not an empty
    // rest). Every message goes to the configured URL instead; nothing else changes.
    appendMessageTypeToURL: false,
  });
  await new Promise((resolve, reject) => {
    client.handshake((reply) => {
      if (!reply.successful) return reject(new Error(`cometd handshake: ${JSON.stringify(reply)}`));
      client.subscribe('/v2/me/calls', (message) => note(rec.cometd, message.data?.call?.userData), (sub) => {
        if (sub.successful) resolve(); else reject(new Error(`cometd subscribe: ${JSON.stringify(sub)}`));
      });
    });
  });
  cometd = client;
}

async function stopCometd() {
  if (!cometd) return;
  const client = cometd;
  cometd = null;
  await new Promise((resolve) => client.disconnect(() => resolve()));
}

// The client alone (bench/run.sh's `bench-probe` build, served at /probe/): our notification
// loop and typed decoding with a consumer that reads the tag and counts, like cometd.js's above.
let probeClient = null;
async function startProbe({ user = 'agent1', password = user } = {}) {
  if (!probeClient) {
    probeClient = await import('/probe/gws-widget.js');
    await probeClient.default();
  }
  await probeClient.benchListen(base, user, password);
  const deadline = now() + 15_000;
  while (!probeClient.benchCounts().connected) {
    if (now() > deadline) throw new Error('probe: not connected within 15 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// The decoding floor of each client on one long-poll body of `count` copies of `data`: the
// browser's JSON.parse (what cometd.js does first with every response) against our wasm decode
// of the same bytes (Bayeux messages + typed notifications). Median of `repeat` runs, ms.
// Issue 15, item 5: the same decode the other way, where the probe build has it — JSON.parse of
// the body string, the envelope through serde-wasm-bindgen, and each `data` handed back to the
// text decoder through JSON.stringify (`benchDecodeRestringified`). Interleaved with the two
// above, same body.
function decodeFloor(data, count, repeat = 5) {
  const message = JSON.stringify({ channel: '/v2/me/calls', data });
  const body = `[${Array(count).fill(message).join(',')},{"channel":"/meta/connect","successful":true,"id":"1"}]`;
  const bytes = new TextEncoder().encode(body);
  const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  const others = { restringified: probeClient.benchDecodeRestringified };
  for (const name of Object.keys(others)) if (typeof others[name] !== 'function') delete others[name];
  const parse = [];
  const ours = [];
  const times = Object.fromEntries(Object.keys(others).map((name) => [name, []]));
  for (let i = 0; i < repeat; i++) {
    let t = now();
    const parsed = JSON.parse(body);
    parse.push(now() - t);
    if (parsed.length !== count + 1) throw new Error('JSON.parse: wrong count');
    t = now();
    const decoded = probeClient.benchDecode(bytes);
    ours.push(now() - t);
    if (decoded !== count) throw new Error(`benchDecode: ${decoded} of ${count}`);
    for (const [name, decode] of Object.entries(others)) {
      t = now();
      const n = decode(body);
      times[name].push(now() - t);
      if (n !== count) throw new Error(`${name}: ${n} of ${count}`);
    }
  }
  return {
    bytes: bytes.length, jsonParseMs: median(parse), oursMs: median(ours),
    ...Object.fromEntries(Object.entries(times).map(([name, xs]) => [`${name}Ms`, median(xs)])),
  };
}

function stopProbe() {
  probeClient?.benchStop();
}

function arm(run) {
  for (const r of Object.values(rec)) Object.assign(r, recorder(), { run });
  probeClient?.benchArm(run);
}

function counts() {
  const client = probeClient ? probeClient.benchCounts() : recorder();
  return { widget: { ...rec.widget }, cometd: { ...rec.cometd }, baseline: { ...rec.baseline }, client, diagnostics: window.GwsWidget.diagnostics(), now: now() };
}

// ---- receipt → DOM latency: a MutationObserver on the widget's shadow root -------------------
const latency = { samples: [], lastSeq: null, lastMessages: 0, run: null };
function seqInDom(root) {
  for (const pair of root.querySelectorAll('[data-testid="call-card"] .gws-card__pair')) {
    const dt = pair.firstElementChild;
    if (dt && dt.textContent === 'seq') return pair.lastElementChild?.textContent ?? null;
  }
  return null;
}
// kind = 'widget' (its shadow root, stamp `diagnostics().lastResponseUs`) or 'baseline' (its
// container, stamp = the long-poll XHR's readyState 4).
function observeLatency(kind = 'widget') {
  const isBaseline = kind === 'baseline';
  if (isBaseline) stampXhr();
  const root = isBaseline ? baseline.root : widget.el.shadowRoot;
  const messages = () => (isBaseline ? baseline.messages : window.GwsWidget.diagnostics().messages);
  latency.samples = [];
  latency.lastSeq = seqInDom(root);
  latency.lastMessages = messages();
  const observer = new MutationObserver(() => {
    const t = now();
    const seq = seqInDom(root);
    if (seq === null || seq === latency.lastSeq) return;
    const received = isBaseline ? xhrDone.at : window.GwsWidget.diagnostics().lastResponseUs / 1000;
    const n = messages();
    // [seq, receipt → DOM, notifications since the previous sample, receipt → gws:call-updated,
    //  receipt → start and → end of the next long poll's fetch() call (NaN without the probe or
    //  when it was not made between receipt and DOM update)]
    const event = !isBaseline && rec.widget.lastSeqText === seq ? rec.widget.last - received : NaN;
    const fetched = !isBaseline && probe.start >= received && probe.end <= t;
    latency.samples.push([Number(seq), t - received, n - latency.lastMessages, event,
      fetched ? probe.start - received : NaN, fetched ? probe.end - received : NaN]);
    latency.lastSeq = seq;
    latency.lastMessages = n;
  });
  observer.observe(root, { subtree: true, childList: true, characterData: true, attributes: true });
  (isBaseline ? baseline : widget).observer = observer;
}
function takeLatency() {
  const out = latency.samples;
  latency.samples = [];
  return out;
}

// ---- memory -------------------------------------------------------------------------------
function memory() {
  return {
    wasmBytes: wasm.memory.buffer.byteLength,
    jsHeapUsed: performance.memory?.usedJSHeapSize ?? null,
    jsHeapTotal: performance.memory?.totalJSHeapSize ?? null,
    shadowNodes: widget ? widget.el.shadowRoot.querySelectorAll('*').length : 0,
  };
}

// Call lifecycles driven in the page through the WidgetHandle: inject a ringing call (control
// API) → handle.answer() → handle.hangup(), each step waiting for the widget's own event.
async function lifecycles(count, budgetMs) {
  const el = widget.el;
  const handle = widget.handle;
  const waiters = new Map();
  const seen = new Set();
  const listener = (e) => {
    const key = `${e.detail.callId}:${e.type}`;
    const w = waiters.get(key);
    if (w) { waiters.delete(key); w(); } else seen.add(key);
  };
  const types = ['gws:ringing', 'gws:established', 'gws:released'];
  for (const t of types) el.addEventListener(t, listener);
  // Resolves when the widget has emitted `type` for call `id` (also if it already did).
  const until = (id, type) => new Promise((resolve, reject) => {
    const key = `${id}:${type}`;
    if (seen.delete(key)) return resolve();
    const timer = setTimeout(() => { waiters.delete(key); reject(new Error(`no ${type} for ${id} within 10 s`)); }, 10_000);
    waiters.set(key, () => { clearTimeout(timer); resolve(); });
  });
  const start = now();
  let done = 0;
  try {
    while (done < count && now() - start < budgetMs) {
      const reply = await fetch(`${base}/sim/calls`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"from":"5000","to":"5005"}' });
      const { id } = await reply.json();
      if (!id) throw new Error(`inject failed: HTTP ${reply.status}`);
      await until(id, 'gws:ringing');
      handle.answer(id);
      await until(id, 'gws:established');
      handle.hangup(id);
      await until(id, 'gws:released');
      done++;
    }
  } finally {
    for (const t of types) el.removeEventListener(t, listener);
  }
  return { done, ms: now() - start };
}

// A burst (issue 14): POST /sim/burst queues `count` whole ring → answer → hang-up lifecycles on
// the widget's CometD session at once, so they reach it as a backlog (one or a few long-poll
// replies of thousands of notifications). Resolves once the widget has emitted gws:released for
// every one of them (or the budget ran out), with the wasm memory's high-water mark sampled
// every 20 ms meanwhile.
async function burst(count, budgetMs) {
  const el = widget.el;
  let released = 0;
  const onReleased = () => { released++; };
  el.addEventListener('gws:released', onReleased);
  let peak = wasm.memory.buffer.byteLength;
  const start = now();
  try {
    const reply = await fetch(`${base}/sim/burst`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'agent1', count }) });
    const body = await reply.json();
    if (body.statusCode !== 0) throw new Error(`burst refused: HTTP ${reply.status} ${JSON.stringify(body)}`);
    while (released < count && now() - start < budgetMs) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      peak = Math.max(peak, wasm.memory.buffer.byteLength);
    }
    return { released, delivered: body.delivered, ms: now() - start, wasmPeak: Math.max(peak, wasm.memory.buffer.byteLength) };
  } finally {
    el.removeEventListener('gws:released', onReleased);
  }
}

window.bench = { widgetHandle: () => widget?.handle, mountWidget, destroyWidget, mountBaseline, destroyBaseline, startCometd, stopCometd, startProbe, stopProbe, decodeFloor, arm, counts, observeLatency, takeLatency, memory, lifecycles, burst };
window.dispatchEvent(new Event('bench-ready'));
window.benchReady = true;
