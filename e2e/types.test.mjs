// The TypeScript declarations (packaging/index.d.ts) against the runtime, in headless Chromium
// with the built widget from the simulator (APP_URL, as e2e/run.mjs):
// - every WidgetHandle member declared exists on a mounted handle, and every method the handle
//   has is declared;
// - the options: each declared one is accepted by mount(), and the list mount() itself gives in
//   its "unknown option" error equals the declared list;
// - the <gws-agent-widget> attributes declared are the ones the element reads;
// - every gws:* event of GwsWidgetEventMap fires in a call flow (connect, ring, answer, hold, a
//   failed operation, hang up), each detail with exactly the declared keys.
// The .d.ts is parsed with regular expressions over the interface bodies (one member a line).
//
//   APP_URL=http://127.0.0.1:18080 node --test e2e/types.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { APP_URL, injectCall, launchBrowser, resetSimulator, servePage, setFaults } from './lib.mjs';

const DTS = readFileSync(new URL('../packaging/index.d.ts', import.meta.url), 'utf8')
  .replace(/\/\*[\s\S]*?\*\//g, '')
  .replace(/\/\/.*$/gm, '');

/** The members of `export interface NAME … { … }`: [{ name, optional, method, readonly }]. */
function members(name) {
  const match = DTS.match(new RegExp(`export interface ${name}\\b[^{]*\\{([\\s\\S]*?)\\n\\}`));
  assert.ok(match, `interface ${name} not found in index.d.ts`);
  return match[1].split('\n').map((line) => line.trim()).flatMap((line) => {
    const m = line.match(/^(readonly\s+)?(?:'([^']+)'|(\w+))(\?)?\s*(\(|:)/);
    return m ? [{ name: m[2] ?? m[3], readonly: !!m[1], optional: !!m[4], method: m[5] === '(' }] : [];
  });
}

const names = (list) => list.map((m) => m.name).sort();

let browser;
let host;

before(async () => {
  browser = await launchBrowser();
  host = await servePage(`<!doctype html><html><head><script type="module" src="${APP_URL}/embed.js"></script></head>
    <body><div id="slot"></div></body></html>`);
});

after(async () => {
  await browser?.close();
  await host?.close();
});

async function openHost() {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(host.url);
  await page.waitForFunction(() => window.GwsWidget !== undefined, null, { timeout: 20000 });
  return { page, errors };
}

test('every declared WidgetHandle member exists on a mounted handle, and nothing undeclared', async () => {
  const declared = members('WidgetHandle');
  assert.ok(declared.length >= 9, `only ${declared.length} members parsed`);
  const { page, errors } = await openHost();
  try {
    const runtime = await page.evaluate(({ base, declared }) => {
      const handle = window.GwsWidget.mount(document.getElementById('slot'),
        { baseUrl: base, username: 'agent1', password: 'agent1', shareAcrossTabs: false });
      const proto = Object.getPrototypeOf(handle);
      const kinds = Object.fromEntries(declared.map(({ name }) => {
        const descriptor = Object.getOwnPropertyDescriptor(proto, name);
        const kind = !descriptor ? 'missing'
          : typeof descriptor.value === 'function' ? 'method'
          : descriptor.get && !descriptor.set ? 'readonly' : 'property';
        return [name, kind];
      }));
      const methods = Object.getOwnPropertyNames(proto)
        .filter((name) => typeof Object.getOwnPropertyDescriptor(proto, name).value === 'function');
      const stopped = typeof handle.stopped;
      handle.destroy();
      return { kinds, methods, stopped };
    }, { base: APP_URL, declared });
    for (const member of declared) {
      assert.equal(runtime.kinds[member.name], member.method ? 'method' : member.readonly ? 'readonly' : 'property',
        `WidgetHandle.${member.name}`);
    }
    assert.equal(runtime.stopped, 'boolean');
    // wasm-bindgen's own: free() would release the handle without unmounting (not the host's API).
    const internal = new Set(['constructor', 'free', '__destroy_into_raw']);
    const undeclared = runtime.methods.filter((m) => !internal.has(m) && !declared.some((d) => d.name === m));
    assert.deepEqual(undeclared, [], 'handle methods missing from index.d.ts');
  } finally {
    await page.close();
  }
  assert.deepEqual(errors, []);
});

test('the declared options are exactly the ones mount() accepts', async () => {
  const declared = [...new Set([...names(members('GwsCommonOptions')), ...names(members('GwsPasswordOptions')),
    ...names(members('GwsProviderOptions'))])].sort();
  // A valid value per option type of the declarations.
  const samples = {
    baseUrl: APP_URL, username: 'agent1', password: 'agent1', credentials: 'FUNCTION', theme: 'dark', locale: 'en', lang: 'fr',
    strings: { 'op.Answer': 'Pick up' },
    compact: true, shortcuts: false, logLevel: 'warn', clickToDial: false, shareAcrossTabs: false, autoLogin: false,
    place: 'place1', queue: '8000', loginCode: '1234',
  };
  const { page } = await openHost();
  try {
    const outcome = await page.evaluate(({ declared, samples, base }) => {
      const slot = document.getElementById('slot');
      const refused = {};
      for (const key of declared) {
        const options = { baseUrl: base, shareAcrossTabs: false, autoLogin: false };
        if (key === 'credentials') options.credentials = () => ({ username: 'agent1', password: 'agent1' });
        else Object.assign(options, { username: 'agent1', password: 'agent1' });
        if (key !== 'credentials' && !(key in samples)) { refused[key] = 'no sample value in the test'; continue; }
        if (key !== 'credentials') options[key] = samples[key];
        if (key === 'username' || key === 'password') delete options.credentials;
        try { mountAndDestroy(slot, options); } catch (error) { refused[key] = String(error.message); }
      }
      function mountAndDestroy(element, options) { window.GwsWidget.mount(element, options).destroy(); }
      let known = null;
      try { window.GwsWidget.mount(slot, { nope: 1 }); } catch (error) { known = String(error.message); }
      return { refused, known };
    }, { declared, samples, base: APP_URL });
    assert.deepEqual(outcome.refused, {}, 'declared options mount() refuses');
    const list = outcome.known?.match(/known: (.*)$/)?.[1];
    assert.ok(list, `no list of known options in: ${outcome.known}`);
    assert.deepEqual(list.split(', ').sort(), declared, 'mount() accepts options index.d.ts does not declare (or the reverse)');
  } finally {
    await page.close();
  }
});

test('the declared <gws-agent-widget> attributes are the ones the element reads', async () => {
  const declared = names(members('GwsAgentWidgetAttributes'));
  const { page } = await openHost();
  try {
    // The element's definition is a wasm-bindgen snippet imported by the glue.
    const read = await page.evaluate(async (base) => {
      const glue = await (await fetch(`${base}/gws-widget.js`)).text();
      const snippets = [...new Set([...glue.matchAll(/from\s*['"]\.\/(snippets\/[^'"]+)['"]/g)].map((m) => m[1]))];
      for (const snippet of snippets) {
        const text = await (await fetch(`${base}/${snippet}`)).text();
        if (!text.includes("customElements.define('gws-agent-widget'")) continue;
        const keys = (name) => [...text.match(new RegExp(`const ${name} = \\{([^}]*)\\}`))[1].matchAll(/'([\w-]+)':/g)].map((m) => m[1]);
        const attributes = [...keys('text'), ...keys('flags')];
        if (text.includes("getAttribute('password')")) attributes.push('password');
        return attributes;
      }
      return null;
    }, APP_URL);
    assert.ok(read, 'the element definition was not found in the glue snippets');
    assert.deepEqual(read.sort(), declared);
    // And an element with every declared attribute set to a valid value mounts.
    const mounted = await page.evaluate((base) => {
      const element = document.createElement('gws-agent-widget');
      const values = { 'base-url': base, user: 'agent1', password: 'agent1', theme: 'dark', lang: 'de', locale: 'en', 'log-level': 'warn',
        place: 'place1', queue: '8000', 'login-code': '1', compact: '', shortcuts: 'false', 'click-to-dial': '',
        'share-across-tabs': 'false', 'auto-login': 'false' };
      const errors = [];
      element.addEventListener('gws:error', (e) => errors.push(e.detail.message));
      for (const [name, value] of Object.entries(values)) element.setAttribute(name, value);
      document.body.append(element);
      const result = { handle: !!element.handle, password: element.getAttribute('password'), errors, set: Object.keys(values).sort() };
      element.remove();
      return result;
    }, APP_URL);
    assert.deepEqual(mounted.set, declared, 'the test sets every declared attribute');
    assert.deepEqual(mounted.errors, []);
    assert.ok(mounted.handle, 'no handle');
    assert.equal(mounted.password, null, 'password attribute left in the page');
  } finally {
    await page.close();
  }
});

test('every declared gws:* event fires in a call flow with the declared detail keys', async () => {
  const events = members('GwsWidgetEventMap');
  assert.ok(events.length >= 8, `only ${events.length} events parsed`);
  const detailType = Object.fromEntries(DTS.match(/export interface GwsWidgetEventMap\b[^{]*\{([\s\S]*?)\n\}/)[1]
    .split('\n').flatMap((line) => {
      const m = line.match(/'([^']+)':\s*CustomEvent<(\w+)>/);
      return m ? [[m[1], m[2]]] : [];
    }));
  await resetSimulator();
  const { page, errors } = await openHost();
  const fired = (name) => page.waitForFunction((n) => window.seen.some((e) => e.name === n), name, { timeout: 15000 });
  try {
    await page.evaluate(({ base, names }) => {
      window.seen = [];
      for (const name of names) document.addEventListener(name, (e) => window.seen.push({ name, detail: e.detail }));
      window.handle = window.GwsWidget.mount(document.getElementById('slot'), {
        baseUrl: base, credentials: async () => ({ username: 'agent1', password: 'agent1' }), shareAcrossTabs: false,
      });
    }, { base: APP_URL, names: events.map((e) => e.name) });
    await page.locator('#slot [data-testid="connection"][data-state="connected"]').waitFor({ timeout: 20000 });
    await fired('gws:connection');
    await fired('gws:agent-state');
    await injectCall('5000', '5005', { CustomerId: 'C-1' });
    await fired('gws:ringing');
    await page.evaluate(() => window.handle.answer());
    await fired('gws:established');
    await page.locator('#slot [data-testid="call-card"][data-state="Established"] [data-action="Hold"]').click();
    await fired('gws:held');
    // The next hang-up request fails on the server: the widget reports it.
    const callId = await page.evaluate(() => window.seen.find((e) => e.name === 'gws:ringing').detail.callId);
    await setFaults({ failNext: 1, failStatus: 500, failPath: `/api/v2/me/calls/${callId}` });
    await page.evaluate(() => window.handle.hangup());
    await fired('gws:error');
    await setFaults({ clear: true });
    await page.locator('#slot [data-testid="call-card"][data-state="Held"] [data-action="Hangup"]:not([aria-disabled="true"])').waitFor({ timeout: 10000 });
    await page.evaluate(() => window.handle.hangup());
    await fired('gws:released');
    const seen = await page.evaluate(() => window.seen);
    for (const { name } of events) {
      const details = seen.filter((e) => e.name === name).map((e) => e.detail);
      assert.ok(details.length > 0, `${name} never fired`);
      const declared = members(detailType[name]);
      const required = declared.filter((m) => !m.optional).map((m) => m.name);
      for (const detail of details) {
        const keys = Object.keys(detail);
        assert.deepEqual(required.filter((k) => !keys.includes(k)), [], `${name}: declared keys missing from the detail`);
        assert.deepEqual(keys.filter((k) => !declared.some((m) => m.name === k)), [], `${name}: undeclared detail keys`);
      }
    }
    const error = seen.find((e) => e.name === 'gws:error').detail;
    assert.equal(typeof error.message, 'string');
    assert.equal(typeof error.callId, 'string', 'the failed hang-up names its call');
    const ringing = seen.find((e) => e.name === 'gws:ringing').detail;
    assert.equal(ringing.userData.CustomerId, 'C-1');
    assert.equal(ringing.previousState, null);
    const calls = await page.evaluate(() => window.handle.calls());
    assert.ok(Array.isArray(calls) && calls.every((c) => typeof c.id === 'string' && Array.isArray(c.participants)));
    await page.evaluate(() => window.handle.destroy());
  } finally {
    await setFaults({ clear: true }).catch(() => {});
    await page.close();
  }
  assert.deepEqual(errors, []);
});
