// Start-up: page load → first card interactive (issue 7; target ≤ 150 ms, median of 10).
//
//   node bench/browser/startup.mjs [--loads 10] [--results]
//
// A call is already ringing for agent1 before the page loads. The page (pages/startup.html) is
// what a CRM does: one <script type=module src=/embed.js> and one <gws-agent-widget>. Its inline
// probe watches the widget's shadow root from its creation and notes when the card's Answer
// button is present and enabled; 0 = navigation start. Fresh loads: a new browser context each
// (empty HTTP cache, no compiled-wasm cache); warm loads: the same context, reloaded.
import { existsSync } from 'node:fs';
import {
  Api, PROFILE_DIST, fmt, launchBrowser, machine, machineLoad, median, parseArgs, prepareStatic, range, report, sim, startProfile, startSim, stopProfile, table, watchPage,
} from './lib.mjs';

const options = parseArgs({ loads: 10, target: 150, profile: true });
const info = machine();
const server = await startSim({ staticDir: prepareStatic() });
const browser = await launchBrowser();
const api = new Api(server.url);
// One load of the start-up page (of `base`, the measured simulator by default) until the
// ringing call's Answer button is enabled; its milestones and requests.
async function load(page, base = server.url) {
  await page.goto(`${base}/bench/startup.html`, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__startup?.answer !== undefined, null, { timeout: 20_000, polling: 50 });
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const res = (name) => performance.getEntriesByType('resource').find((r) => r.name.endsWith(name));
    const t = window.__startup;
    return {
      html: nav.responseEnd, dcl: nav.domContentLoadedEventEnd,
      js: res('/gws-widget.js')?.responseEnd, wasm: res('/gws-widget_bg.wasm')?.responseEnd,
      wasmBytes: res('/gws-widget_bg.wasm')?.transferSize,
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

let profiled;
const cold = [];
const warm = [];
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
  }
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchPage(page, 'warm loads');
  await load(page);
  for (let i = 0; i < options.loads; i++) {
    warm.push(await load(page));
    console.error(`  warm load ${i + 1}: card interactive at ${fmt(warm[i].answer, 1)} ms`);
  }
  await context.close();
  if (errors.length) throw new Error(errors.join('\n'));
  busy = machineBusy();
  if (options.profile && existsSync(PROFILE_DIST)) profiled = await profileLoad();
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
const rows = cols.map(([key, label]) => {
  const c = cold.map((r) => r[key]);
  const w = warm.map((r) => r[key]);
  return [label, fmt(median(c), 1), range(c, 1), fmt(median(w), 1), range(w, 1)];
});
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
const body = `${info.line()}

${options.loads} fresh loads (new browser context each: empty HTTP cache) and ${options.loads} warm reloads (same context) of \`bench/browser/pages/startup.html\` served by gws-sim (release, loopback, no HTTP compression — the wasm is ${fmt((cold[0]?.wasmBytes ?? 0) / 1024, 0)} KB on the wire); a call was ringing for agent1 before the first load. Machine busy ${fmt(busy, 0)} % during the loads (all cores, \`/proc/stat\`).

Milestones, ms after navigation start (median and range):

${table(['milestone', 'fresh median', 'fresh range', 'warm median', 'warm range'], rows)}

${requests}
${profileText}
Target (issue 7): page load → first card interactive ≤ ${options.target} ms (median of ${options.loads} fresh loads) — **${met ? 'met' : 'not met'}**: ${fmt(coldMedian, 1)} ms (warm: ${fmt(warmMedian, 1)} ms).

Method: the page is what a CRM embeds — \`<script type="module" src="/embed.js">\` and \`<gws-agent-widget user="agent1" password="agent1" share-across-tabs="false">\`. An inline script in its head wraps \`attachShadow\` to put a MutationObserver on the widget's shadow root as soon as it exists; *Answer enabled* = the first mutation after which the ringing call's card has an \`[data-action="Answer"]\` button that is not disabled (the widget disables operations until it is connected). All times are \`performance.now()\` in the page (0 = navigation start); *received* = the resource's \`responseEnd\`.
`;
report(options, 'startup', 'Start-up (issue 7)', body, { limit, fresh: coldMedian, freshRange: range(cold.map((r) => r.answer), 1), warm: warmMedian, met, target: options.target });
