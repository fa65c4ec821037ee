// The official CometD JavaScript client (npm `cometd`, run in Node by `cometd-nodejs-client`) in its
// default configuration against gws-sim: websocket tried first (the simulator has none, so it falls
// back to long-polling), message types appended to the URL (`/handshake`, `/connect`, batches
// posted to `/notifications/`), subscriptions made in a batch from the /meta/handshake listener.
// Why: gws-sim must serve a stock Bayeux client, not only ours.
//
// The script spawns its own simulator (GWS_SIM_BIN, default target/debug/gws-sim) on 127.0.0.1
// with a free port, logs agent1 in like a browser (GET /api/v2/me with Basic auth → JSESSIONID
// cookie + CSRF token; StartContactCenterSession, since agents start logged out), then hands the
// cookie and token to cometd.js through `requestHeaders` (cometd-nodejs-client's XMLHttpRequest
// keeps a `Cookie` request header in its cookie jar and sends it with every request).
//
// Run: node --test e2e/cometd-stock.mjs   (after `cd e2e && npm ci` and `cargo build -p gws-sim`)
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { adapt } from 'cometd-nodejs-client';
import { CometD } from 'cometd';

adapt();

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.env.GWS_SIM_BIN ?? path.join(ROOT, 'target/debug/gws-sim');
const WAIT_MS = 15_000;

// Starts gws-sim on a free port; resolves to {base, stop()}.
async function startSim() {
  const sim = spawn(BIN, ['--bind', '127.0.0.1', '--port', '0', '--answer-delay-ms', '0',
    '--cometd-timeout-ms', '2000'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, RUST_LOG: 'gws_sim=warn' } });
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('gws-sim did not start')), 15_000);
    let out = '';
    sim.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    sim.on('exit', (code) => { clearTimeout(timer); reject(new Error(`gws-sim exited with ${code}`)); });
  });
  return {
    base,
    stop: () => new Promise((resolve) => {
      if (sim.exitCode !== null) return resolve();
      sim.once('exit', resolve);
      sim.kill('SIGTERM');
    }),
  };
}

// Resolves when `predicate()` holds (polled), or fails after WAIT_MS naming `what`.
async function until(what, predicate) {
  const deadline = Date.now() + WAIT_MS;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function control(base, pathname, body) {
  const reply = await fetch(`${base}${pathname}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  const json = await reply.json();
  assert.equal(reply.status, 200, `${pathname}: ${JSON.stringify(json)}`);
  return json;
}

test('stock cometd.js: handshake, batched subscribes, a call, a forced 402, re-handshake, another call', async (t) => {
  const sim = await startSim();
  t.after(() => sim.stop());
  const { base } = sim;

  // Browser-style login: Basic once, then the session cookie and the CSRF token.
  const me = await fetch(`${base}/api/v2/me?subresources=*`, {
    headers: { authorization: `Basic ${Buffer.from('agent1:agent1').toString('base64')}` },
  });
  assert.equal(me.status, 200);
  const cookie = me.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => c.startsWith('JSESSIONID='));
  const csrf = me.headers.get('x-csrf-token');
  assert.ok(cookie && csrf, 'cookie and CSRF token');
  assert.equal((await me.json()).user.devices[0].deviceState, 'Inactive', 'agents start logged out');
  const login = await fetch(`${base}/api/v2/me`, {
    method: 'POST',
    headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
    body: JSON.stringify({ operationName: 'StartContactCenterSession', channels: ['voice'] }),
  });
  assert.deepEqual(await login.json(), { statusCode: 0 });

  const cometd = new CometD();
  cometd.configure({
    url: `${base}/api/v2/notifications`,
    requestHeaders: { 'X-CSRF-TOKEN': csrf, Cookie: cookie },
  });
  t.after(() => new Promise((resolve) => {
    if (cometd.isDisconnected()) return resolve();
    cometd.disconnect(() => resolve());
  }));

  const calls = [];
  const devices = [];
  const subscribed = [];
  const failures = [];
  let handshakes = 0;
  cometd.addListener('/meta/handshake', (reply) => {
    if (!reply.successful) return;
    handshakes += 1;
    // What cometd.js's documentation prescribes: (re-)subscribe in the handshake listener, in a
    // batch, so that a re-handshake restores the subscriptions.
    cometd.batch(() => {
      cometd.subscribe('/v2/me/calls', (message) => calls.push(message.data));
      cometd.subscribe('/v2/me/devices', (message) => devices.push(message.data));
    });
  });
  cometd.addListener('/meta/subscribe', (reply) => {
    if (reply.successful) subscribed.push(reply.subscription);
    else failures.push(reply);
  });
  cometd.addListener('/meta/connect', (reply) => {
    if (!reply.successful) failures.push(reply);
  });
  cometd.handshake();

  await until('the first handshake and both subscriptions', () => handshakes === 1 && subscribed.length === 2);
  assert.deepEqual([...subscribed].sort(), ['/v2/me/calls', '/v2/me/devices']);
  assert.equal(cometd.getTransport().type, 'long-polling');

  const first = await control(base, '/sim/calls', { from: '5000', to: '5005' });
  await until('the first call notification', () => calls.some((c) => c.call?.id === first.id));
  const ringing = calls.find((c) => c.call?.id === first.id);
  assert.equal(ringing.messageType, 'CallStateChangeMessage');
  assert.equal(ringing.call.state, 'Ringing');

  // Every CometD session dropped: the held /meta/connect answers 402::Unknown client with
  // advice reconnect=handshake; cometd.js handshakes again and the listener re-subscribes.
  await control(base, '/sim/faults', { expireSessions: true });
  await until('the re-handshake and both re-subscriptions', () => handshakes === 2 && subscribed.length === 4);
  assert.ok(failures.some((f) => f.channel === '/meta/connect' && String(f.error).startsWith('402')),
    `a 402 on /meta/connect: ${JSON.stringify(failures)}`);

  const second = await control(base, '/sim/calls', { from: '5002', to: '5005' });
  await until('the second call notification', () => calls.some((c) => c.call?.id === second.id));
  assert.equal(calls.find((c) => c.call?.id === second.id).call.state, 'Ringing');
  assert.equal(failures.filter((f) => f.channel === '/meta/subscribe').length, 0, JSON.stringify(failures));
});
