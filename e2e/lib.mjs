// Helpers shared by the Playwright e2e scripts (run.mjs, csp.test.mjs, types.test.mjs): Debian's
// headless Chromium through playwright-core (no browser download), the simulator's control API,
// and throw-away host pages on their own loopback origin.
import { chromium } from 'playwright-core';
import http from 'node:http';

/** The simulator serving the built widget (scripts/test.sh starts it with --static-dir dist). */
export const APP_URL = process.env.APP_URL ?? 'http://127.0.0.1:8080';

/** Headless Chromium with the flags every e2e script uses. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--no-first-run', '--disable-default-apps'],
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function simPost(path, body) {
  const reply = await fetch(`${APP_URL}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!reply.ok) throw new Error(`POST ${path} failed: HTTP ${reply.status}`);
  return reply;
}

/** Rings `to` from `from` (optionally with attached data). */
export const injectCall = (from, to, userData) => simPost('/sim/calls', userData ? { from, to, userData } : { from, to });

/** Back to the seed state. */
export const resetSimulator = () => simPost('/sim/reset', {});

/** Sets the simulator's faults (see crates/simulator/src/faults.rs). */
export const setFaults = (faults) => simPost('/sim/faults', faults);

/**
 * Serves `handler(request, response)` (or a fixed HTML page) on 127.0.0.1 at a free port: a host
 * page on its own origin. Resolves to { url, close() }.
 */
export async function servePage(handlerOrHtml) {
  const handler = typeof handlerOrHtml === 'function'
    ? handlerOrHtml
    : (req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end(handlerOrHtml); };
  const server = http.createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => server.close(r)) };
}
