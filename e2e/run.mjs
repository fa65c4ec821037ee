// Demo smoke tests: the page gws-sim serves (the release build of index.html), driven in Debian's
// headless Chromium with playwright-core (no browser download). Prints a cargo-style
// `test result:` line so scripts/test.sh can add the counts to its summary.
//
//   APP_URL=http://127.0.0.1:18080 node e2e/run.mjs
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const APP_URL = process.env.APP_URL ?? 'http://127.0.0.1:8080';
const OUT = new URL('./out/', import.meta.url).pathname;
mkdirSync(OUT, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic',
         '--disable-background-networking', '--disable-component-update', '--disable-sync',
         '--no-first-run', '--disable-default-apps'],
});

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

async function resetSimulator() {
  const reply = await fetch(`${APP_URL}/sim/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  if (!reply.ok) throw new Error(`reset failed: HTTP ${reply.status}`);
}

test('demo_page_injects_answers_and_hangs_up_a_call', async () => {
  await resetSimulator();
  const { page, errors } = await openPage('?user=agent1&password=agent1');
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
  const { page, errors } = await openPage('?user=agent1&password=agent1', { width: 360, height: 640 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.screenshot({ path: `${OUT}demo-360.png` });
  await page.close();
  if (overflow > 0) throw new Error(`page is ${overflow}px wider than the screen`);
  if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
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
