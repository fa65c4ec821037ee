// The widget under a strict Content-Security-Policy: the CRM demo page as gws-sim serves it
// (`default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; style-src
// 'self'`, crates/simulator/src/web.rs), through a call (screen-pop, answer, hang up) and
// click-to-dial, with no `securitypolicyviolation` event and no CSP console report; the widget is
// styled (adopted stylesheet) and its timer worker runs. A control case proves the listener sees
// violations (an inline <style> added by the test is reported). Trusted Types are not supported
// (docs/integration.md §7).
//
//   APP_URL=http://127.0.0.1:18080 node --test e2e/csp.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { APP_URL, launchBrowser, resetSimulator, sleep } from './lib.mjs';

const POLICY = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; style-src 'self'";

let browser;
before(async () => { browser = await launchBrowser(); });
after(async () => { await browser?.close(); });

/** Opens the CRM demo page with a violation recorder installed before any script of the page. */
async function openCrm() {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const errors = [];
  const reports = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (/Content.Security.Policy|Trusted ?Type/i.test(m.text())) reports.push(m.text()); });
  await page.addInitScript(() => {
    window.violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`);
    });
  });
  const response = await page.goto(`${APP_URL}/crm-demo.html`);
  return { page, errors, reports, response };
}

async function callFlow(page) {
  const widget = page.locator('gws-agent-widget');
  await widget.locator('[data-testid="connection"][data-state="connected"]').waitFor({ timeout: 20000 });
  await page.locator('#simulate').click();
  await page.locator('[data-testid="crm-pop"].visible').waitFor({ timeout: 10000 });
  assert.equal(await page.locator('#record-name').textContent(), 'Ada Lovelace');
  await widget.locator('[data-action="Answer"]').click();
  await widget.locator('[data-testid="call-card"][data-state="Established"]').waitFor({ timeout: 10000 });
  await widget.locator('[data-action="Hangup"]').click();
  await widget.locator('[data-testid="call-card"][data-state="Released"]').waitFor({ timeout: 10000 });
  await page.locator('[data-testid="dial-charles"]').click();
  await widget.locator('[data-testid="call-card"][data-state="Established"]').waitFor({ timeout: 10000 });
  await widget.locator('[data-testid="call-card"][data-state="Established"] [data-action="Hangup"]').click();
  await widget.locator('[data-testid="call-card"][data-state="Established"]').waitFor({ state: 'detached', timeout: 10000 });
}

test('the CRM demo page runs a call under a strict CSP without a single violation', async () => {
  await resetSimulator();
  const { page, errors, reports, response } = await openCrm();
  try {
    assert.equal(response.headers()['content-security-policy'], POLICY, 'the page is not served under the policy');
    await callFlow(page);
    const state = await page.evaluate(() => {
      const root = document.querySelector('gws-agent-widget').shadowRoot;
      const frame = root.querySelector('.gws-widget');
      return {
        adopted: root.adoptedStyleSheets.length,
        styleElements: root.querySelectorAll('style').length,
        // widget.css sets the frame's font (a system-ui stack): unstyled, the CRM page's
        // Georgia would show through.
        font: getComputedStyle(frame).fontFamily,
        display: getComputedStyle(document.querySelector('gws-agent-widget')).display,
        workers: window.GwsWidget.diagnostics().workers,
      };
    });
    assert.equal(state.adopted, 1, 'stylesheet not adopted');
    assert.equal(state.styleElements, 0, 'an inline <style> in the shadow root');
    assert.ok(!/Georgia/.test(state.font), `the widget took the page's font: ${state.font}`);
    assert.equal(state.display, 'block', ':host rule not applied');
    await sleep(1500); // a worker that fails to load reports an error event asynchronously
    assert.equal(await page.evaluate(() => window.GwsWidget.diagnostics().workers), 1, 'the timer worker did not start under the policy');
    assert.deepEqual(await page.evaluate(() => window.violations), [], 'securitypolicyviolation events');
    assert.deepEqual(reports, [], 'CSP reports on the console');
    assert.deepEqual(errors, [], 'page errors');
    // Control: the recorder does see a violation, so the empty list above means something.
    await page.evaluate(() => { const s = document.createElement('style'); s.textContent = 'p{}'; document.head.append(s); });
    await page.waitForFunction(() => window.violations.length > 0, null, { timeout: 5000 });
    assert.match((await page.evaluate(() => window.violations))[0], /^style-src/);
  } finally {
    await page.close();
  }
});

