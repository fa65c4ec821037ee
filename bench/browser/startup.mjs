// Start-up: page load → first card interactive (issue 7; target ≤ 150 ms, median of 10).
//
//   node bench/browser/startup.mjs [--loads 10] [--results]
//
// A call is already ringing for agent1 before the page loads. The page (pages/startup.html) is
// what a CRM does: one <script type=module src=/embed.js> and one <gws-agent-widget>. Its inline
// probe watches the widget's shadow root from its creation and notes when the card's Answer
// button is present and enabled; 0 = navigation start. Fresh loads: a new browser context each
// (empty HTTP cache, no compiled-wasm cache); warm loads: the same context, reloaded.
//
// The JS baseline (pages/baseline.html: cometd.js + plain DOM cards, issue 15) is loaded the
// same way in the same invocation, each widget load followed by one baseline load, with the
// same probe on its document. At the end both pages are opened side by side and must show the
// same cards (call ids and `data-action` sets), before and after the Answer button of the
// baseline's card is clicked. `--baseline=false` skips it.
import { existsSync } from 'node:fs';
import {
  Api, PROFILE_DIST, fmt, launchBrowser, machine, machineLoad, median, parseArgs, prepareStatic, range, report, sim, startProfile, startSim, stopProfile, table, watchPage,
} from './lib.mjs';

const options = parseArgs({ loads: 10, target: 150, profile: true, baseline: true, trace: true });
const BASELINE = '/bench/baseline.html';
const info = machine();
const server = await startSim({ staticDir: prepareStatic() });
const browser = await launchBrowser();
const api = new Api(server.url);
// One load of the start-up page (of `base`, the measured simulator by default) until the
// ringing call's Answer button is enabled; its milestones and requests.
async function load(page, base = server.url, path = '/bench/startup.html') {
  await page.goto(`${base}${path}`, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__startup?.answer !== undefined, null, { timeout: 20_000, polling: 50 });
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const res = (name) => performance.getEntriesByType('resource').find((r) => r.name.endsWith(name));
    const t = window.__startup;
    return {
      html: nav.responseEnd, dcl: nav.domContentLoadedEventEnd,
      js: res('/gws-widget.js')?.responseEnd, wasm: res('/gws-widget_bg.wasm')?.responseEnd,
      wasmBytes: res('/gws-widget_bg.wasm')?.transferSize,
      baselineJs: res('/bench/baseline.js')?.responseEnd, cometdJs: res('/bench/cometd/Client.js')?.responseEnd,
      ready: t.ready, shadowRoot: t.shadowRoot, connected: t.connected, card: t.card, answer: t.answer,
      resources: performance.getEntriesByType('resource').filter((r) => r.startTime < t.answer).map((r) => ({
        name: new URL(r.name).pathname + new URL(r.name).search, type: r.initiatorType, start: r.startTime, end: r.responseEnd, bytes: r.transferSize,
      })),
    };
  });
}

// One more fresh load, CPU-profiled (CDP Profiler, 100 µs), of the name-section build of the
// same code on its own simulator: where the main thread goes between navigation and the card.
async function profileLoad() {
  const named = await startSim({ staticDir: prepareStatic(PROFILE_DIST) });
  try {
    await sim(named.url, 'POST', '/sim/calls', { from: '5000', to: '5005' });
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await startProfile(cdp, 100);
    const { answer } = await load(page, named.url);
    const profile = await stopProfile(cdp, 8, /^gws_widget::(mount|app::start|app::Session::resync|drivers::notifications::run_notification_loop)/);
    await context.close();
    return { answer, ...profile };
  } finally {
    await named.stop();
  }
}

// One more fresh load of `path`, traced (Chrome tracing: V8's wasm and compile events, Blink's
// tasks): what the renderer's main thread does between the navigation and the card, by kind.
// V8 compiles wasm lazily — each function on its first call, on the main thread — so running
// the widget's start-up code for the first time also compiles it; a warm load reuses the code
// cached from earlier loads.
async function traceLoad(path) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await browser.startTracing(page, { categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.wasm', 'v8.execute', 'disabled-by-default-v8.compile', 'blink', 'loading'] });
  const { answer } = await load(page, server.url, path);
  const events = JSON.parse((await browser.stopTracing()).toString()).traceEvents;
  await context.close();
  const commits = events.filter((e) => e.name === 'DocumentLoader::CommitNavigation').sort((a, b) => a.ts - b.ts);
  const commit = commits.at(-1);
  if (!commit) return null;
  const onMain = (e) => e.pid === commit.pid && e.tid === commit.tid && e.ph === 'X' && e.ts >= commit.ts && e.ts <= commit.ts + answer * 1000;
  const main = events.filter(onMain);
  // Milliseconds in events of these names, an event nested in another of them counted once.
  const sum = (names) => {
    let total = 0;
    let until = -Infinity;
    for (const e of main.filter((x) => names.includes(x.name)).sort((a, b) => a.ts - b.ts)) {
      const end = e.ts + (e.dur ?? 0);
      if (e.ts >= until) total += (e.dur ?? 0) / 1000;
      else if (end > until) total += (end - until) / 1000;
      until = Math.max(until, end);
    }
    return total;
  };
  const count = (name) => main.filter((e) => e.name === name).length;
  return {
    path, answer,
    busy: sum(['RunTask']),
    script: sum(['FunctionCall', 'EvaluateScript', 'v8.evaluateModule']),
    wasmLazy: sum(['wasm.CompileLazy']), wasmLazyCount: count('wasm.CompileLazy'),
    jsCompile: sum(['V8.CompileCode', 'V8.ParseFunction', 'V8.PreParse', 'V8.ParseProgram', 'V8.CompileIgnition']),
    render: sum(['UpdateLayoutTree', 'Layout', 'Paint', 'PrePaint', 'Layerize']),
  };
}

// The cards of a page (widget: in the shadow root of <gws-agent-widget>; baseline: the
// document): call id → sorted `data-action` names.
const cardsOf = (page) => page.evaluate(() => {
  const root = document.querySelector('gws-agent-widget')?.shadowRoot ?? document;
  return Object.fromEntries([...root.querySelectorAll('[data-testid="call-card"]')].map((card) =>
    [card.dataset.callId, [...card.querySelectorAll('[data-action]')].map((b) => b.dataset.action).sort().join(' ')]));
});

// The widget and the baseline side by side (one context each) must show the same cards: the
// ringing call, then — after a click on the baseline's Answer — the established one.
async function sameCards() {
  const open = async (path) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = watchPage(page, path);
    await load(page, server.url, path);
    return { context, page, errors };
  };
  const w = await open('/bench/startup.html');
  const b = await open(BASELINE);
  const compare = async (when) => {
    const [cw, cb] = [await cardsOf(w.page), await cardsOf(b.page)];
    if (JSON.stringify(cw) !== JSON.stringify(cb)) throw new Error(`${when}: the widget shows ${JSON.stringify(cw)}, the baseline ${JSON.stringify(cb)}`);
    return cw;
  };
  const ringing = await compare('ringing');
  await b.page.click('[data-testid="call-card"] [data-action="Answer"]');
  await b.page.waitForSelector('[data-testid="call-card"][data-state="Established"]', { timeout: 10_000 });
  await w.page.waitForFunction(() => document.querySelector('gws-agent-widget').shadowRoot
    .querySelector('[data-testid="call-card"][data-state="Established"] [data-action="Hangup"]:not([aria-disabled="true"])'), null, { timeout: 10_000 });
  const established = await compare('established (answered from the baseline)');
  for (const x of [w, b]) {
    await x.context.close();
    if (x.errors.length) throw new Error(x.errors.join('\n'));
  }
  return { ringing, established };
}

let profiled;
const traced = [];
let same;
const cold = [];
const warm = [];
const baseCold = [];
const baseWarm = [];
let busy;
try {
  await api.login();
  await sim(server.url, 'POST', '/sim/calls', { from: '5000', to: '5005' });
  const machineBusy = machineLoad();
  for (let i = 0; i < options.loads; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = watchPage(page, `cold load ${i + 1}`);
    cold.push(await load(page));
    await context.close();
    if (errors.length) throw new Error(errors.join('\n'));
    console.error(`  fresh load ${i + 1}: card interactive at ${fmt(cold[i].answer, 1)} ms`);
    if (options.baseline) {
      const bContext = await browser.newContext();
      const bPage = await bContext.newPage();
      const bErrors = watchPage(bPage, `baseline cold load ${i + 1}`);
      baseCold.push(await load(bPage, server.url, BASELINE));
      await bContext.close();
      if (bErrors.length) throw new Error(bErrors.join('\n'));
      console.error(`  fresh load ${i + 1} of the JS baseline: card interactive at ${fmt(baseCold[i].answer, 1)} ms`);
    }
  }
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchPage(page, 'warm loads');
  await load(page);
  const bContext = options.baseline ? await browser.newContext() : null;
  const bPage = bContext && await bContext.newPage();
  const bErrors = bPage ? watchPage(bPage, 'baseline warm loads') : [];
  if (bPage) await load(bPage, server.url, BASELINE);
  for (let i = 0; i < options.loads; i++) {
    warm.push(await load(page));
    console.error(`  warm load ${i + 1}: card interactive at ${fmt(warm[i].answer, 1)} ms`);
    if (bPage) {
      baseWarm.push(await load(bPage, server.url, BASELINE));
      console.error(`  warm load ${i + 1} of the JS baseline: card interactive at ${fmt(baseWarm[i].answer, 1)} ms`);
    }
  }
  await context.close();
  await bContext?.close();
  if (errors.length || bErrors.length) throw new Error([...errors, ...bErrors].join('\n'));
  busy = machineBusy();
  // Last: it answers the ringing call.
  if (options.baseline) same = await sameCards();
  if (options.profile && existsSync(PROFILE_DIST)) profiled = await profileLoad();
  if (options.trace) {
    // A call must be ringing for the card: the side-by-side check above answered the last one.
    await sim(server.url, 'POST', '/sim/calls', { from: '5000', to: '5005' });
    for (const path of ['/bench/startup.html', ...(options.baseline ? [BASELINE] : [])]) {
      const t = await traceLoad(path);
      if (t) traced.push(t);
    }
  }
} finally {
  await browser.close();
  api.close();
  await server.stop();
}

const cols = [
  ['html', 'HTML received'], ['js', 'gws-widget.js received'], ['wasm', 'wasm received'],
  ['shadowRoot', 'widget mounted (shadow root)'], ['ready', 'embed.js done (`gws-widget-ready`)'],
  ['connected', 'CometD connected'], ['card', 'card rendered'], ['answer', '**Answer enabled**'],
];
// One row per milestone: fresh and warm medians with their ranges.
const milestoneRows = (columns, fresh, warmed) => columns.map(([key, label]) => {
  const c = fresh.map((r) => r[key]);
  const w = warmed.map((r) => r[key]);
  return [label, fmt(median(c), 1), range(c, 1), fmt(median(w), 1), range(w, 1)];
});
const rows = milestoneRows(cols, cold, warm);
const coldMedian = median(cold.map((r) => r.answer));
const warmMedian = median(warm.map((r) => r.answer));
const met = coldMedian <= options.target;
// The requests of the fresh load closest to the median, in order: what the start-up waits on.
const typical = [...cold].sort((a, b) => Math.abs(a.answer - coldMedian) - Math.abs(b.answer - coldMedian))[0];
const requests = table(['request (fresh load closest to the median)', 'initiator', 'start ms', 'end ms', 'bytes'],
  typical.resources.map((r) => [`\`${r.name.length > 60 ? r.name.slice(0, 57) + '…' : r.name}\``, r.type, fmt(r.start, 1), fmt(r.end, 1), String(r.bytes)]));
const mid = (key) => fmt(median(cold.map((r) => r[key])), 0);
let limit = `fresh medians: wasm received ${mid('wasm')} ms, widget mounted ${mid('shadowRoot')} ms, CometD connected ${mid('connected')} ms, card ${mid('card')} ms`;
let profileText = '';
if (profiled) {
  const self = (name) => profiled.top.find((f) => f.name === name)?.ms ?? 0;
  const incl = (prefix) => profiled.inclusive.find((f) => f.name.startsWith(prefix))?.ms ?? 0;
  const native = self('(program)') + self('(garbage collector)');
  const mount = incl('gws_widget::mount');
  limit += `; the page's main thread is busy ${fmt((100 * profiled.busyMs) / profiled.totalMs, 0)} % of the way (profiled load: ${fmt(profiled.busyMs, 0)} of ${fmt(profiled.totalMs, 0)} ms) — native browser work (wasm compile, script parse, network, DOM) ${fmt(native, 0)} ms, mounting the view ${fmt(mount, 0)} ms; then GET /me → handshake → first connect are sequential round trips`;
  profileText = `
Where the main thread goes — one more fresh load, CPU-profiled (CDP \`Profiler\`, 100 µs sampling) with the name-section build of the same code; card interactive at ${fmt(profiled.answer, 1)} ms in that load; ${fmt(profiled.busyMs, 0)} ms of ${fmt(profiled.totalMs, 0)} ms sampled busy (\`(program)\` = native browser work outside JS/wasm: wasm compilation, script parsing, network, DOM):

${table(['function (self time)', 'ms', '% of busy'], profiled.top.map((f) => [`\`${f.name}\``, fmt(f.ms, 1), fmt(f.share, 1)]))}

${table(['the widget\'s start-up steps (inclusive)', 'ms', '% of busy'], profiled.inclusive.map((f) => [`\`${f.name}\``, fmt(f.ms, 1), fmt(f.share, 1)]))}
`;
}
let traceText = '';
if (traced.length) {
  const label = (t) => (t.path === BASELINE ? 'JS baseline' : 'widget');
  traceText = `
What the renderer's main thread did from navigation to the card — one more fresh load of each page, traced (Chrome tracing, \`RunTask\` and V8/Blink events on the main thread; script time includes the compiling it triggered). V8 compiles wasm lazily: a function is compiled (Liftoff) on its first call, on the main thread, so start-up code pays for its own compilation on a fresh load; JS is parsed and compiled to bytecode the same way:

${table(['page', 'card interactive ms', 'main thread busy ms', 'running script ms', 'wasm compiled on first call', 'JS parse + compile ms', 'style + layout + paint ms'],
    traced.map((t) => [label(t), fmt(t.answer, 1), fmt(t.busy, 1), fmt(t.script, 1), t.wasmLazyCount ? `${t.wasmLazyCount} functions, ${fmt(t.wasmLazy, 1)} ms` : '—', fmt(t.jsCompile, 1), fmt(t.render, 1)]))}
`;
  const w = traced.find((t) => t.path !== BASELINE);
  if (w?.wasmLazyCount) limit += `; compiling wasm on first call took ${fmt(w.wasmLazy, 0)} ms of the main thread (${w.wasmLazyCount} functions, traced load)`;
}
let baselineText = '';
let baseFigures = {};
if (options.baseline) {
  const bCols = [['html', 'HTML received'], ['cometdJs', 'cometd.js `Client.js` received'], ['baselineJs', '`baseline.js` received'],
    ['ready', 'module script ran (all imports loaded)'], ['connected', 'CometD connected (subscribed)'], ['card', 'card rendered'], ['answer', '**Answer enabled**']];
  const bRows = milestoneRows(bCols, baseCold, baseWarm);
  const bFresh = median(baseCold.map((r) => r.answer));
  const bWarm = median(baseWarm.map((r) => r.answer));
  const vsMet = coldMedian <= bFresh;
  baseFigures = { baselineFresh: bFresh, baselineFreshRange: range(baseCold.map((r) => r.answer), 1), baselineWarm: bWarm, ratio: coldMedian / bFresh, warmRatio: warmMedian / bWarm, vsBaselineMet: vsMet };
  const list = (cards) => Object.values(cards).map((a) => `\`${a}\``).join('; ');
  baselineText = `
The JS baseline (\`bench/browser/pages/baseline.html\`: \`baseline.js\` — cometd.js and plain DOM, one card per call — with the same probe on its document; each widget load above was followed by one baseline load, same browser, same simulator, same ringing call), ms after navigation start:

${table(['milestone', 'fresh median', 'fresh range', 'warm median', 'warm range'], bRows)}

Widget ÷ baseline, Answer enabled: **${fmt(coldMedian / bFresh, 2)}×** fresh (${fmt(coldMedian, 1)} vs ${fmt(bFresh, 1)} ms), ${fmt(warmMedian / bWarm, 2)}× warm (${fmt(warmMedian, 1)} vs ${fmt(bWarm, 1)} ms). Target (issue 15): start-up ≤ the baseline's — **${vsMet ? 'met' : 'not met'}**. Both pages showed the same cards (call id → \`data-action\` set), checked side by side after the loads: ringing ${list(same.ringing)}; established after a click on the baseline's Answer ${list(same.established)}. The baseline loads ${fmt(median(baseCold.map((r) => r.resources.reduce((a, x) => a + (x.bytes || 0), 0))) / 1024, 0)} KB before its card is interactive (cometd.js unminified, uncompressed) and does what the widget's start-up does on the network — GET /me, handshake, subscribe + first connect, GET /me/calls — except the widget's second channel (\`/v2/me/devices\`) and its devices snapshot; no wasm, no stylesheet.
`;
}
const body = `${info.line()}

${options.loads} fresh loads (new browser context each: empty HTTP cache) and ${options.loads} warm reloads (same context) of \`bench/browser/pages/startup.html\` served by gws-sim (release, loopback, no HTTP compression — the wasm is ${fmt((cold[0]?.wasmBytes ?? 0) / 1024, 0)} KB on the wire); a call was ringing for agent1 before the first load. Machine busy ${fmt(busy, 0)} % during the loads (all cores, \`/proc/stat\`).

Milestones, ms after navigation start (median and range):

${table(['milestone', 'fresh median', 'fresh range', 'warm median', 'warm range'], rows)}

${requests}
${baselineText}${traceText}${profileText}
Target (issue 7): page load → first card interactive ≤ ${options.target} ms (median of ${options.loads} fresh loads) — **${met ? 'met' : 'not met'}**: ${fmt(coldMedian, 1)} ms (warm: ${fmt(warmMedian, 1)} ms).

Method: the page is what a CRM embeds — \`<script type="module" src="/embed.js">\` and \`<gws-agent-widget user="agent1" password="agent1" share-across-tabs="false">\`. An inline script in its head wraps \`attachShadow\` to put a MutationObserver on the widget's shadow root as soon as it exists; *Answer enabled* = the first mutation after which the ringing call's card has an \`[data-action="Answer"]\` button that is not disabled (\`aria-disabled\`: the widget pauses operations until it is connected). All times are \`performance.now()\` in the page (0 = navigation start); *received* = the resource's \`responseEnd\`.
`;
report(options, 'startup', 'Start-up (issue 7)', body, { limit, fresh: coldMedian, freshRange: range(cold.map((r) => r.answer), 1), warm: warmMedian, met, target: options.target, ...baseFigures });
