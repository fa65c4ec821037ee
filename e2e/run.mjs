// Demo smoke tests: the page gws-sim serves (the release build of index.html), driven in Debian's
// headless Chromium with playwright-core (no browser download). Prints a cargo-style
// `test result:` line so scripts/test.sh can add the counts to its summary.
//
//   APP_URL=http://127.0.0.1:18080 node e2e/run.mjs
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import { APP_URL, injectCall, launchBrowser, resetSimulator, sleep } from './lib.mjs';
import { installSampleHost, serveSampleHost } from './sample-host/install.mjs';

const OUT = new URL('./out/', import.meta.url).pathname;
mkdirSync(OUT, { recursive: true });

const browser = await launchBrowser();

const tests = [];
const test = (name, body) => tests.push({ name, body });

async function openPage(query, viewport = { width: 1100, height: 720 }) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${APP_URL}/${query}`);
  await page.locator('[data-testid="connection"][data-state="connected"]').first().waitFor({ timeout: 20000 });
  return { page, errors };
}


test('demo_page_injects_answers_and_hangs_up_a_call', async () => {
  await resetSimulator();
  const { page, errors } = await openPage('?user=agent1');
  await page.locator('[data-testid="inject-call"]').click();
  const card = page.locator('[data-testid="call-card"]').first();
  await card.and(page.locator('[data-state="Ringing"]')).waitFor({ timeout: 10000 });
  await page.screenshot({ path: `${OUT}demo-ringing.png` });
  await card.locator('[data-action="Answer"]').click();
  await card.and(page.locator('[data-state="Established"]')).waitFor({ timeout: 10000 });
  await page.screenshot({ path: `${OUT}demo-established.png` });
  await card.locator('[data-action="Hangup"]').click();
  await card.and(page.locator('[data-state="Released"]')).waitFor({ timeout: 10000 });
  await page.close();
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
});

test('demo_page_fits_a_360_px_wide_screen', async () => {
  const { page, errors } = await openPage('?user=agent1', { width: 360, height: 640 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.screenshot({ path: `${OUT}demo-360.png` });
  await page.close();
  if (overflow > 0) throw new Error(`page is ${overflow}px wider than the screen`);
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
});


async function simState() {
  return (await fetch(`${APP_URL}/sim/state`)).json();
}

async function agent1Clients() {
  const state = await simState();
  return state.cometdSessions.filter((s) => s.user === 'agent1').map((s) => s.clientId);
}

test('demo_page_plays_seed_001_transfer_from_agent1_to_agent2', async () => {
  await resetSimulator();
  const { page, errors } = await openPage('', { width: 1400, height: 900 });
  const agent1 = page.locator('.gws-demo__widget').nth(0);
  const agent2 = page.locator('.gws-demo__widget').nth(1);
  await agent2.locator('[data-testid="connection"][data-state="connected"]').waitFor({ timeout: 20000 });
  await page.locator('[data-testid="inject-call"]').click();
  const original = agent1.locator('[data-testid="call-card"]').first();
  await original.and(page.locator('[data-state="Ringing"]')).waitFor({ timeout: 10000 });
  await original.locator('[data-action="Answer"]').click();
  await original.and(page.locator('[data-state="Established"]')).waitFor({ timeout: 10000 });
  await original.locator('[data-action="InitiateTransfer"]').click();
  await original.locator('[data-testid="destination-input"]').fill('5001');
  await original.locator('[data-testid="destination-form"] [data-testid="form-submit"]').click();
  await original.and(page.locator('[data-state="Held"]')).waitFor({ timeout: 10000 });
  const ringing = agent2.locator('[data-testid="call-card"][data-state="Ringing"]');
  await ringing.waitFor({ timeout: 10000 });
  await page.screenshot({ path: `${OUT}demo-transfer-ringing.png` });
  await ringing.locator('[data-action="Answer"]').click();
  const consult = agent1.locator('.gws-card--consult');
  await consult.and(page.locator('[data-state="Established"]')).waitFor({ timeout: 10000 });
  await page.screenshot({ path: `${OUT}demo-transfer-consult.png` });
  await consult.locator('[data-action="CompleteTransfer"]').click();
  await original.and(page.locator('[data-state="Released"]')).waitFor({ timeout: 10000 });
  await agent2.locator('[data-testid="call-card"][data-state="Established"]').waitFor({ timeout: 10000 });
  await page.screenshot({ path: `${OUT}demo-transfer-done.png` });
  await page.close();
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
});

test('crm_page_pops_the_customer_record_and_dials_by_click', async () => {
  await resetSimulator();
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${APP_URL}/crm-demo.html`);
  const widget = page.locator('gws-agent-widget');
  await widget.locator('[data-testid="connection"][data-state="connected"]').waitFor({ timeout: 20000 });
  await page.locator('#simulate').click();
  await page.locator('[data-testid="crm-pop"].visible').waitFor({ timeout: 10000 });
  const name = await page.locator('#record-name').textContent();
  if (name !== 'Ada Lovelace') throw new Error(`record popped for ${name}`);
  await widget.locator('[data-action="Answer"]').click();
  await widget.locator('[data-testid="call-card"][data-state="Established"]').waitFor({ timeout: 10000 });
  await page.screenshot({ path: `${OUT}crm-pop.png` });
  await widget.locator('[data-action="Hangup"]').click();
  await widget.locator('[data-testid="call-card"][data-state="Released"]').waitFor({ timeout: 10000 });
  await page.locator('[data-testid="dial-charles"]').click();
  await widget.locator('[data-testid="call-card"][data-state="Established"]').waitFor({ timeout: 10000 });
  const parties = await widget.locator('[data-testid="call-card"][data-state="Established"] [data-testid="call-parties"]').textContent();
  if (!parties.includes('5002')) throw new Error(`click-to-dial called ${parties}`);
  await page.close();
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
});

test('demo_pages_ignore_a_foreign_base_and_keep_the_credentials_on_their_own_server', async () => {
  await resetSimulator();
  for (const path of ['/?user=agent1&base=https://evil.example', '/crm-demo.html?base=https://evil.example']) {
    const page = await browser.newPage();
    const errors = [];
    const warnings = [];
    const foreign = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
    await page.route((url) => url.hostname === 'evil.example', (route) => {
      foreign.push(route.request().url());
      return route.abort();
    });
    await page.goto(`${APP_URL}${path}`);
    await page.locator('[data-testid="connection"][data-state="connected"]').first().waitFor({ timeout: 20000 });
    const baseUrl = await page.evaluate(() => document.querySelector('gws-agent-widget')?.getAttribute('base-url') ?? null);
    await page.close();
    if (foreign.length) throw new Error(`${path}: requests to the foreign base: ${foreign.join(', ')}`);
    if (baseUrl !== null) throw new Error(`${path}: base-url set to ${baseUrl}`);
    if (!warnings.some((w) => w.includes('ignoring ?base=https://evil.example'))) {
      throw new Error(`${path}: no warning about the ignored base (${warnings.join('; ')})`);
    }
    if (errors.length) throw new Error(`${path}: page errors: ${errors.join('; ')}`);
  }
});

test('two_tabs_of_one_agent_share_one_loop_and_the_second_takes_over', async () => {
  await resetSimulator();
  const earlier = new Set(await agent1Clients()); // sessions of pages closed by earlier tests
  const fresh = async () => (await agent1Clients()).filter((id) => !earlier.has(id));
  const context = await browser.newContext();
  const open = async () => {
    const page = await context.newPage();
    await page.goto(`${APP_URL}/crm-demo.html`);
    await page.locator('gws-agent-widget [data-testid="connection"][data-state="connected"]').waitFor({ timeout: 20000 });
    return page;
  };
  const first = await open();
  const second = await open();
  await new Promise((r) => setTimeout(r, 500));
  const before = await fresh();
  if (before.length !== 1) throw new Error(`${before.length} CometD sessions for two tabs`);
  await first.close();
  const closedAt = Date.now();
  let after = [];
  while (Date.now() - closedAt < 2000) {
    after = await fresh();
    if (after.length === 1 && after[0] !== before[0]) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!(after.length === 1 && after[0] !== before[0])) throw new Error(`no takeover within 2 s: ${JSON.stringify(after)}`);
  await second.locator('#simulate').click();
  await second.locator('gws-agent-widget [data-testid="call-card"][data-state="Ringing"]').waitFor({ timeout: 10000 });
  await context.close();
});

test('the packed npm package embeds in a host page from another origin with one script tag', async () => {
  await resetSimulator();
  // What ships: packed/gws-widget-X.Y.Z.tgz (scripts/package.sh) installed with npm into
  // e2e/sample-host; its files served from one loopback origin, the host page from another,
  // GWS (the simulator) on a third.
  const installed = installSampleHost();
  const host = await serveSampleHost(installed, APP_URL);
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const loaded = [];
  page.on('response', (r) => loaded.push(r.url()));
  try {
    await page.goto(host.pageUrl);
    const widget = page.locator('gws-agent-widget');
    await widget.locator('[data-testid="connection"][data-state="connected"]').waitFor({ timeout: 20000 });
    await injectCall('5000', '5005');
    await widget.locator('[data-testid="call-card"][data-state="Ringing"]').waitFor({ timeout: 10000 });
    await page.locator('#popped[data-ani="5000"]').waitFor({ timeout: 5000 });
    for (const file of ['embed.js', 'gws-widget.js', 'gws-widget_bg.wasm']) {
      if (!loaded.includes(`${host.widgetBase}${file}`)) throw new Error(`${file} did not come from the package: ${loaded.join(' ')}`);
    }
    if (loaded.some((url) => url.startsWith(APP_URL) && !url.includes('/api/'))) throw new Error('widget files loaded from the simulator');
  } finally {
    await page.close();
    await host.close();
  }
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
});

test('a widget whose handle the page drops keeps working after garbage collection', async () => {
  await resetSimulator();
  // `GwsWidget.mount(...)` with the returned handle ignored: only `destroy()` may unmount.
  const page_html = `<!doctype html><html><head><script type="module" src="${APP_URL}/embed.js"></script></head>
    <body><div id="slot"></div>
    <script>addEventListener('gws-widget-ready', () => { GwsWidget.mount(document.getElementById('slot'),
      { baseUrl: '${APP_URL}', username: 'agent1', password: 'agent1', shareAcrossTabs: false }); });</script>
    </body></html>`;
  const server = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end(page_html); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const page = await browser.newPage();
  try {
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.locator('#slot [data-testid="connection"][data-state="connected"]').waitFor({ timeout: 20000 });
    const cdp = await page.context().newCDPSession(page);
    for (let i = 0; i < 3; i++) {
      await cdp.send('HeapProfiler.collectGarbage');
      await sleep(300); // finalizers run after the collection
    }
    const widgets = await page.evaluate(() => GwsWidget.diagnostics().widgets);
    if (widgets !== 1) throw new Error(`${widgets} widgets alive after GC`);
    await injectCall('5000', '5005');
    await page.locator('#slot [data-testid="call-card"][data-state="Ringing"]').waitFor({ timeout: 10000 });
  } finally {
    await page.close();
    server.close();
  }
});

test('a crash shows a reload notice in every widget and a fatal gws:error', async () => {
  await resetSimulator();
  const page_html = `<!doctype html><html><head><script type="module" src="${APP_URL}/embed.js"></script></head>
    <body>
    <gws-agent-widget id="a" base-url="${APP_URL}" user="agent1" password="agent1" share-across-tabs="false"></gws-agent-widget>
    <gws-agent-widget id="b" base-url="${APP_URL}" user="agent2" password="agent2" share-across-tabs="false" lang="fr"></gws-agent-widget>
    <script>window.fatal = []; document.addEventListener('gws:error', (e) => { if (e.detail.fatal === true) window.fatal.push(e.target.id); });</script>
    </body></html>`;
  const server = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end(page_html); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const page = await browser.newPage();
  try {
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    for (const id of ['a', 'b']) {
      await page.locator(`#${id} [data-testid="connection"][data-state="connected"]`).waitFor({ timeout: 20000 });
    }
    const password = await page.evaluate(() => document.getElementById('a').getAttribute('password'));
    if (password !== null) throw new Error('the password attribute is still in the page');
    if (await page.evaluate(() => document.getElementById('a').handle.stopped)) throw new Error('stopped before the crash');
    // The test-only hook panics inside the wasm, as a bug would.
    await page.evaluate(async (url) => {
      globalThis.__GWS_TEST_HOOKS__ = true;
      const widget = await import(url);
      setTimeout(() => widget.__forceFatalForTests(), 0);
    }, `${APP_URL}/gws-widget.js`);
    for (const id of ['a', 'b']) {
      await page.locator(`#${id} [data-testid="fatal"]`).waitFor({ timeout: 5000 });
    }
    const fatal = await page.evaluate(() => window.fatal.slice().sort());
    if (JSON.stringify(fatal) !== '["a","b"]') throw new Error(`fatal gws:error on ${JSON.stringify(fatal)}`);
    if (!(await page.evaluate(() => document.getElementById('b').handle.stopped))) throw new Error('handle.stopped is false');
    // Read in the widget's language, and the dead controls out of reach (inert).
    const [lang, inert] = await page.evaluate(() => {
      const root = document.getElementById('b').shadowRoot;
      return [root.querySelector('[data-testid="fatal"]').lang, root.querySelector('.gws-mount').inert];
    });
    if (lang !== 'fr' || inert !== true) throw new Error(`fatal notice lang ${lang}, controls inert ${inert}`);
    await page.screenshot({ path: `${OUT}fatal.png` });
  } finally {
    await page.close();
    server.close();
  }
});

let passed = 0;
let failed = 0;
for (const { name, body } of tests) {
  try {
    await body();
    passed += 1;
    console.log(`test ${name} ... ok`);
  } catch (error) {
    failed += 1;
    console.log(`test ${name} ... FAILED\n  ${error?.stack ?? error}`);
  }
}
await browser.close();
console.log(`\ntest result: ${failed ? 'FAILED' : 'ok'}. ${passed} passed; ${failed} failed;`);
process.exit(failed ? 1 : 0);
