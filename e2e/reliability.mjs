// Reliability suite: the widget in headless Chromium against a gws-sim process this script
// owns (so it can kill and restart it), through the faults an agent meets in a shift. After
// every fault the cards are compared with the calls the simulator holds: a call the server has
// that the widget does not show (or shows in another state) is a *lost call*. Panics are caught
// from the page's console and errors. Prints a summary: cases run, faults survived, calls lost,
// panics. Exit status 1 unless every case passed with 0 lost calls and 0 panics.
//
//   node e2e/reliability.mjs [--quick] [--only SUBSTRING]
//
// --only runs the cases whose name contains SUBSTRING (e.g. `--only cross-origin`, which needs
// no built widget: RELIABILITY_STATIC may be any directory).
//
// Env: GWS_SIM_BIN (target/debug/gws-sim), RELIABILITY_PORT (18095), RELIABILITY_STATIC (dist),
//      HIDDEN_SECS (300; --quick: 20), OUTAGE_SECS (60; --quick: 15), MALFORMED (1000).
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const quick = process.argv.includes('--quick');
const onlyAt = process.argv.indexOf('--only');
const ONLY = onlyAt >= 0 ? process.argv[onlyAt + 1] ?? '' : null;
const ROOT = new URL('..', import.meta.url).pathname;
const BIN = process.env.GWS_SIM_BIN ?? path.join(ROOT, 'target/debug/gws-sim');
const PORT = Number(process.env.RELIABILITY_PORT ?? 18095);
const STATIC = process.env.RELIABILITY_STATIC ?? path.join(ROOT, 'dist');
const HIDDEN_SECS = Number(process.env.HIDDEN_SECS ?? (quick ? 20 : 300));
const OUTAGE_SECS = Number(process.env.OUTAGE_SECS ?? (quick ? 15 : 60));
const MALFORMED = Number(process.env.MALFORMED ?? 1000);
const BASE = `http://127.0.0.1:${PORT}`;
const STATE_FILE = path.join(mkdtempSync(path.join(tmpdir(), 'gws-reliability-')), 'state.json');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let sim = null;
async function startSim() {
  // Agents logged in to voice from the start: the calls below are injected at once.
  sim = spawn(BIN, ['--port', String(PORT), '--static-dir', STATIC, '--answer-delay-ms', '200', '--agents-logged-in',
    '--cometd-timeout-ms', '10000', '--state-file', STATE_FILE], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('gws-sim did not start')), 15000);
    sim.stdout.on('data', (chunk) => { if (String(chunk).includes('listening on')) { clearTimeout(timer); resolve(); } });
    sim.on('exit', (code) => reject(new Error(`gws-sim exited with ${code}`)));
  });
}
function killSim() { sim?.kill('SIGKILL'); sim = null; }

async function post(pathname, body) {
  const reply = await fetch(`${BASE}${pathname}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  const json = await reply.json().catch(() => ({}));
  if (!reply.ok) throw new Error(`${pathname}: HTTP ${reply.status} ${JSON.stringify(json)}`);
  return json;
}

/** The calls the simulator holds for agent1: id → state. */
async function serverCalls() {
  const auth = 'Basic ' + Buffer.from('agent1:agent1').toString('base64');
  const reply = await fetch(`${BASE}/api/v2/me/calls?fields=*`, { headers: { authorization: auth } });
  const { calls = [] } = await reply.json();
  return Object.fromEntries(calls.map((c) => [c.id, c.state]));
}

/** The calls the widget shows (released cards linger a few seconds: ignore them). The demo's
 *  widgets render in shadow roots (mount()), so the cards are looked up inside those too. */
async function shownCalls(page) {
  return page.evaluate(() => Object.fromEntries(
    [document, ...[...document.querySelectorAll('*')].flatMap((e) => (e.shadowRoot ? [e.shadowRoot] : []))]
      .flatMap((root) => [...root.querySelectorAll('[data-testid="call-card"]')])
      .filter((c) => c.dataset.state !== 'Released')
      .map((c) => [c.dataset.callId, c.dataset.state])));
}

/** Waits until the widget shows exactly the server's calls; returns the number of lost calls. */
async function lostCalls(page, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  let server = {};
  let shown = {};
  while (Date.now() < deadline) {
    [server, shown] = [await serverCalls(), await shownCalls(page)];
    const same = Object.keys(server).length === Object.keys(shown).length
      && Object.entries(server).every(([id, state]) => shown[id] === state);
    if (same) return 0;
    await sleep(250);
  }
  const lost = Object.entries(server).filter(([id, state]) => shown[id] !== state).length;
  const stale = Object.keys(shown).filter((id) => !(id in server)).length;
  console.log(`    server ${JSON.stringify(server)} shown ${JSON.stringify(shown)}`);
  return lost + stale;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic',
         '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

let panics = 0;
async function openWidget() {
  const page = await browser.newPage();
  page.on('pageerror', (e) => { if (String(e).includes('unreachable') || String(e).includes('panicked')) panics += 1; });
  page.on('console', (m) => { if (m.text().includes('panicked at')) panics += 1; });
  await page.goto(`${BASE}/?user=agent1`);
  await page.locator('[data-testid="connection"][data-state="connected"]').waitFor({ timeout: 20000 });
  return page;
}

async function callOn(page, from) {
  const { id } = await post('/sim/calls', { from, to: '5005' });
  const card = page.locator(`[data-testid="call-card"][data-call-id="${id}"]`);
  await card.and(page.locator('[data-state="Ringing"]')).waitFor({ timeout: 10000 });
  await card.locator('[data-action="Answer"]').click();
  await card.and(page.locator('[data-state="Established"]')).waitFor({ timeout: 10000 });
  return id;
}

/** Proves the notification loop works again: the widget is connected and a new call rings on it. */
async function stillAlive(page) {
  await page.locator('[data-testid="connection"][data-state="connected"]').waitFor({ timeout: 60000 });
  const { id } = await post('/sim/calls', { from: '5199', to: '5005' });
  await page.locator(`[data-testid="call-card"][data-call-id="${id}"][data-state="Ringing"]`).waitFor({ timeout: 30000 });
}

const cases = [];
// `widget: false`: the case opens no widget page (and needs no built widget).
const scenario = (name, body, { widget = true } = {}) => {
  if (ONLY === null || name.includes(ONLY)) cases.push({ name, body, widget });
};

scenario('simulator killed and restarted mid-call', async (page) => {
  await callOn(page, '5101');
  killSim();
  await sleep(3000);
  await startSim();
  await stillAlive(page);
  return lostCalls(page, 60000);
});

scenario('all CometD sessions expired mid-call', async (page) => {
  const id = await callOn(page, '5102');
  await post('/sim/faults', { expireSessions: true });
  await page.locator('[data-testid="connection"][data-state="connected"]').waitFor({ timeout: 20000 });
  await post(`/sim/calls/${id}/hangup`, {});
  await stillAlive(page);
  return lostCalls(page);
});

scenario(`${OUTAGE_SECS} s network loss (every request failing)`, async (page) => {
  await callOn(page, '5103');
  await post('/sim/faults', { failNext: 1000000, failStatus: 503, restartCometd: true });
  await sleep(OUTAGE_SECS * 500);
  await post('/sim/calls', { from: '5104', to: '5005' }); // rings while the widget is cut off
  await sleep(OUTAGE_SECS * 500);
  await post('/sim/faults', { clear: true });
  await stillAlive(page);
  return lostCalls(page, 90000);
});

scenario(`tab frozen for ${HIDDEN_SECS} s then shown`, async (page) => {
  const id = await callOn(page, '5105');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Page.setWebLifecycleState', { state: 'frozen' });
  await sleep(HIDDEN_SECS * 500);
  await post(`/sim/calls/${id}/hangup`, {}); // released while frozen
  await post('/sim/calls', { from: '5106', to: '5005' }); // and a new one rings
  await sleep(HIDDEN_SECS * 500);
  await cdp.send('Page.setWebLifecycleState', { state: 'active' });
  await stillAlive(page);
  return lostCalls(page, 60000);
});

scenario(`${MALFORMED} malformed notifications`, async (page) => {
  const junk = [
    null, 42, 'text', [], {}, { messageType: 'CallStateChangeMessage' },
    { messageType: 'CallStateChangeMessage', call: { id: 7, state: ['x'], capabilities: 'Answer' } },
    { messageType: 'CallStateChangeMessage', call: { id: ['ghost'], state: 'Levitating', capabilities: ['FlyAway', 3, null] } },
    { messageType: 'CallStateChangeMessage', notificationType: 17, call: 'not a call' },
    { messageType: 'DeviceStateChangeMessage', devices: 'none' },
    { messageType: 'ErrorMessage', errorMessage: { nested: true } },
    { messageType: 'CallStateChangeMessage', call: { id: 'no-state', participants: [{ phoneNumber: 'x'.repeat(200000) }] } },
    { messageType: 'ErrorMessage', errorMessage: 'y'.repeat(100000), callUri: 42 },
    { messageType: 'Unknown'.repeat(1000) },
  ];
  for (let i = 0; i < MALFORMED; i += 1) {
    const data = junk[i % junk.length];
    await post('/sim/publish', { user: 'agent1', channel: i % 3 ? '/v2/me/calls' : '/v2/me/devices', data });
  }
  // Still alive: a real call rings, is answered and hung up.
  const id = await callOn(page, '5107');
  await page.locator(`[data-call-id="${id}"] [data-action="Hangup"]`).click();
  await page.locator(`[data-call-id="${id}"][data-state="Released"]`).waitFor({ timeout: 10000 });
  await stillAlive(page);
  return lostCalls(page);
});

scenario('cross-origin refusal', async () => {
  // A page on an origin the simulator does not allow: 127.0.0.2 is loopback, but the default
  // allow-list holds the loopback *names* only (127.0.0.1, localhost, [::1]).
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<!doctype html><title>another site</title><p>another site');
  });
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.2', resolve); });
  const { id } = await post('/sim/calls', { from: '5120', to: '5005' });
  const page = await browser.newPage();
  try {
    await page.goto(`http://127.0.0.2:${server.address().port}/`);
    const seen = await page.evaluate(async (sim) => {
      const out = {};
      try {
        const state = await (await fetch(`${sim}/sim/state`, { credentials: 'include' })).json();
        out.read = `readable (${JSON.stringify(state).length} bytes)`;
      } catch (error) { out.read = `blocked: ${error}`; }
      try {
        await fetch(`${sim}/sim/reset`, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
        out.reset = 'sent';
      } catch (error) { out.reset = `not sent: ${error}`; }
      return out;
    }, BASE);
    if (!seen.read.startsWith('blocked')) throw new Error(`GET /sim/state was ${seen.read}`);
    const calls = await serverCalls();
    if (!(id in calls)) throw new Error(`the no-cors text/plain POST /sim/reset (${seen.reset}) reset the simulator: ${JSON.stringify(calls)}`);
    return 0;
  } finally {
    await page.close();
    server.close();
  }
}, { widget: false });

scenario('tab relay refusal', async () => {
  // Two widgets of agent1 in one page share one notification loop through a BroadcastChannel
  // any script of the page's origin can write to. A script forges a ringing call from a tab
  // that is not the leader, and operations in the old path-carrying shape: no card may appear
  // and no request may leave for another origin.
  const html = `<!doctype html><html><head><script type="module" src="${BASE}/embed.js"></script></head><body>
    <gws-agent-widget id="one" base-url="${BASE}" user="agent1" password="agent1"></gws-agent-widget>
    <gws-agent-widget id="two" base-url="${BASE}" user="agent1" password="agent1"></gws-agent-widget></body></html>`;
  const server = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end(html); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const page = await browser.newPage();
  const elsewhere = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin !== BASE && url.origin !== origin) elsewhere.push(request.url());
  });
  try {
    await page.goto(`${origin}/`);
    for (const id of ['one', 'two']) {
      await page.locator(`#${id} [data-testid="connection"][data-state="connected"]`).waitFor({ timeout: 20000 });
    }
    await page.evaluate((base) => {
      const channel = new BroadcastChannel(`gws-widget:${base}|agent1`);
      const call = { messageType: 'CallStateChangeMessage', call: { id: 'forged-1', state: 'Ringing',
        participants: [{ phoneNumber: '666' }], capabilities: ['Answer'], userData: { Account: 'phish' } } };
      // Well-formed tab messages (gws_client::TabMessage) from a sender that is not the leader,
      // path-style intents (not a message at all), and an operation outside the known set.
      const post = (message) => channel.postMessage(JSON.stringify(message));
      post({ notification: { from: 'evil', channel: '/v2/me/calls', data: JSON.stringify(call) } });
      post({ intent: { from: 'evil', id: 1, path: '//evil.example/steal', request: { operationName: 'Hold' } } });
      post({ intent: { from: 'evil', id: 2, path: '.evil.example/x', request: { operationName: 'Dial' } } });
      post({ intent: { from: 'evil', id: 3, target: { call: { id: 'x' } }, request: { operationName: 'Steal' } } });
    }, BASE);
    await sleep(1500);
    const forged = await page.locator('[data-call-id="forged-1"]').count();
    if (forged) throw new Error(`a forged call is shown (${forged} cards)`);
    if (elsewhere.length) throw new Error(`requests left for another origin: ${elsewhere.join(', ')}`);
    // The shared loop still works for real calls, in both widgets.
    const { id } = await post('/sim/calls', { from: '5130', to: '5005' });
    for (const widget of ['one', 'two']) {
      await page.locator(`#${widget} [data-call-id="${id}"][data-state="Ringing"]`).waitFor({ timeout: 15000 });
    }
    return 0;
  } finally {
    await page.close();
    server.close();
  }
}, { widget: false });

await startSim();
let passed = 0;
let lost = 0;
for (const { name, body, widget } of cases) {
  await post('/sim/reset', {});
  await post('/sim/faults', { clear: true });
  const page = widget ? await openWidget() : null;
  const started = Date.now();
  try {
    const lostHere = await body(page);
    lost += lostHere;
    if (lostHere === 0) passed += 1;
    console.log(`case ${name} ... ${lostHere === 0 ? 'ok' : `FAILED (${lostHere} lost)`} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    console.log(`case ${name} ... FAILED\n  ${error?.stack ?? error}`);
  }
  await page?.close();
}
killSim();
await browser.close();
const failed = cases.length - passed;
console.log(`\nreliability: ${cases.length} cases run, ${passed} faults survived, ${lost} calls lost, ${panics} panics`);
console.log(`test result: ${failed || lost || panics ? 'FAILED' : 'ok'}. ${passed} passed; ${failed + (panics ? 1 : 0)} failed;`);
process.exit(failed || lost || panics ? 1 : 0);
