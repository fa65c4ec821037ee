// Memory: the widget's JS heap and wasm linear memory before and after 10 000 call lifecycles in
// one page (issue 7; target growth ≤ 2 MB), then under a burst of 10 000 lifecycles pushed at
// once (issue 14; targets: wasm memory peak ≤ 16 MB, growth ≤ 2 MB).
//
//   node bench/browser/memory.mjs [--lifecycles 10000] [--burst 10000] [--budget-secs 1200] [--results]
//
// `--lifecycles 0` runs only the burst, `--burst 0` only the lifecycles. Each writes its own
// block of RESULTS.md (`memory`, `memory-burst`).
//
// One page, one widget (GwsWidget.mount, agent1). Each lifecycle, driven in the page: a call is
// injected ringing (POST /sim/calls), answered with handle.answer(id), hung up with
// handle.hangup(id), each step waiting for the widget's own gws:ringing / gws:established /
// gws:released event. Heap figures are taken after a forced full GC (CDP
// HeapProfiler.collectGarbage, twice) and after released cards have retired (the widget keeps a
// released card 5 s, then moves it to the recent list, capped at 20).
import {
  fmt, kb, launchBrowser, machine, machineLoad, parseArgs, prepareStatic, report, sleep, startSim, table, watchPage,
} from './lib.mjs';

const options = parseArgs({ lifecycles: 10000, warmup: 100, samples: 10, budgetSecs: 1200, settleMs: 6500, target: 2, burst: 10000, burstPeakTarget: 16 });
const info = machine();
const server = await startSim({ staticDir: prepareStatic() });
const browser = await launchBrowser(['--enable-precise-memory-info', '--js-flags=--expose-gc']);
const MB = 1024 * 1024;

let points = [];
let done = 0;
let elapsedMs = 0;
let busy;
let diagnostics;
let burstRun;
let burstBusy;
let burstDiagnostics;
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchPage(page, 'memory');
  await page.goto(`${server.url}/bench/bench.html`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 20_000 });
  const cdp = await context.newCDPSession(page);
  await cdp.send('HeapProfiler.enable');

  const measure = async (label, extra = {}) => {
    await sleep(options.settleMs); // released cards retire after 5 s
    for (let i = 0; i < 2; i++) await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    const m = await page.evaluate(() => window.bench.memory());
    const { nodes } = await cdp.send('Memory.getDOMCounters').catch(() => ({ nodes: null }));
    const point = { label, done, jsHeap: heap.usedSize, jsHeapTotal: heap.totalSize, perfMemory: m.jsHeapUsed, wasm: m.wasmBytes, shadowNodes: m.shadowNodes, domNodes: nodes, ...extra };
    points.push(point);
    console.error(`  ${label}: ${done} lifecycles, JS heap ${fmt(point.jsHeap / MB, 3)} MB, wasm ${fmt(point.wasm / MB, 3)} MB, shadow-root elements ${point.shadowNodes}`);
    return point;
  };

  await measure('before mount');
  await page.evaluate(() => window.bench.mountWidget());
  await measure('mounted');
  if (options.lifecycles > 0) {
    const load = machineLoad();
    const start = performance.now();
    const run = async (count) => {
      const left = options.budgetSecs * 1000 - (performance.now() - start);
      if (left <= 0) return;
      const r = await page.evaluate(([n, ms]) => window.bench.lifecycles(n, ms), [count, left]);
      done += r.done;
    };
    await run(options.warmup);
    await measure('after warm-up');
    const step = Math.ceil(options.lifecycles / options.samples);
    while (done < options.warmup + options.lifecycles && performance.now() - start < options.budgetSecs * 1000) {
      await run(Math.min(step, options.warmup + options.lifecycles - done));
      await measure(`${done - options.warmup} lifecycles`);
    }
    elapsedMs = performance.now() - start;
    busy = load();
    diagnostics = await page.evaluate(() => window.GwsWidget.diagnostics());
  }
  if (options.burst > 0) {
    // One call first, so the widget has rendered a card (and grown what any call needs) before
    // the figure the burst's growth is taken from.
    await page.evaluate(() => window.bench.lifecycles(1, 10_000));
    await measure('before burst', { burst: true });
    const load = machineLoad();
    burstRun = await page.evaluate(([n, ms]) => window.bench.burst(n, ms), [options.burst, options.budgetSecs * 1000]);
    burstBusy = load();
    burstDiagnostics = await page.evaluate(() => window.GwsWidget.diagnostics());
    console.error(`  burst: ${burstRun.released} of ${options.burst} released in ${fmt(burstRun.ms / 1000, 1)} s, wasm peak ${fmt(burstRun.wasmPeak / MB, 3)} MB`);
    await measure(`after a burst of ${options.burst}`, { burst: true, wasmPeak: burstRun.wasmPeak });
  }
  await page.evaluate(() => window.bench.destroyWidget());
  await measure('destroyed');
  await context.close();
  if (errors.length) throw new Error(errors.join('\n'));
} finally {
  await browser.close();
  await server.stop();
}

// ---- report ---------------------------------------------------------------------------------
if (options.lifecycles > 0) reportLifecycles(points.filter((p) => !p.burst));
if (options.burst > 0) reportBurst(points);

function reportLifecycles(points) {
const at = (label) => points.find((p) => p.label === label);
const warm = at('after warm-up');
const mounted = at('mounted');
const last = points.filter((p) => p.label.endsWith('lifecycles')).pop();
const measured = last.done - options.warmup;
const growth = (from, key) => last[key] - from[key];
const jsGrowth = growth(warm, 'jsHeap');
const wasmGrowth = growth(warm, 'wasm');
const total = jsGrowth + wasmGrowth;
const met = total <= options.target * MB && measured >= options.lifecycles;
const rows = points.map((p) => [p.label, String(p.done), fmt(p.jsHeap / MB, 3), fmt(p.perfMemory === null ? NaN : p.perfMemory / MB, 3), fmt(p.wasm / MB, 3), String(p.shadowNodes), String(p.domNodes ?? '–')]);
// Least-squares slope of the JS heap over the measured samples (bytes per 1 000 lifecycles).
const series = points.filter((p) => p.label.endsWith('lifecycles') || p.label === 'after warm-up');
const n = series.length;
const trend = (key, points) => {
  const k = points.length;
  const x = points.reduce((a, p) => a + p.done, 0) / k;
  const y = points.reduce((a, p) => a + p[key], 0) / k;
  return points.reduce((a, p) => a + (p.done - x) * (p[key] - y), 0) / Math.max(1, points.reduce((a, p) => a + (p.done - x) ** 2, 0));
};
const slope = trend('jsHeap', series);
// The wasm memory only grows (a high-water mark); its trend over the second half tells a leak
// (still rising) from a plateau.
const secondHalf = series.slice(Math.floor(n / 2));
const wasmSlopeLate = trend('wasm', secondHalf);
const body = `${info.line()}

${measured} measured call lifecycles (after ${options.warmup} warm-up) in one page in ${fmt(elapsedMs / 1000, 0)} s (${fmt((done * 1000) / elapsedMs, 0)} lifecycles/s); machine busy ${fmt(busy, 0)} % (all cores, \`/proc/stat\`). Widget diagnostics at the end: ${JSON.stringify(diagnostics)}.

${table(['point', 'lifecycles', 'JS heap MB (CDP)', 'JS heap MB (performance.memory)', 'wasm memory MB', 'shadow-root elements', 'page DOM nodes'], rows)}

Growth over the ${measured} measured lifecycles (after warm-up → last sample): JS heap ${fmt(jsGrowth / 1024, 1)} KB, wasm linear memory ${fmt(wasmGrowth / 1024, 1)} KB, total ${fmt(total / 1024, 1)} KB; JS heap trend ${fmt((slope * 1000) / 1024, 2)} KB per 1 000 lifecycles (least squares); wasm memory trend over the second half of the samples ${fmt((wasmSlopeLate * 1000) / 1024, 1)} KB per 1 000 lifecycles. From mount: JS heap ${fmt(growth(mounted, 'jsHeap') / 1024, 1)} KB, wasm ${fmt(growth(mounted, 'wasm') / 1024, 1)} KB.

Target (issue 7): growth ≤ ${options.target} MB over ${options.lifecycles} lifecycles — **${met ? 'met' : 'not met'}** (${fmt(total / MB, 3)} MB${measured < options.lifecycles ? `; only ${measured} lifecycles fitted in the ${options.budgetSecs} s budget` : ''}).

Method: Chromium with \`--enable-precise-memory-info --js-flags=--expose-gc\`; every point waits ${fmt(options.settleMs / 1000, 1)} s (released cards retire after 5 s), forces two full GCs (CDP \`HeapProfiler.collectGarbage\`) and reads the page's JS heap (\`Runtime.getHeapUsage\` usedSize; \`performance.memory.usedJSHeapSize\` beside it), the wasm linear memory (\`memory.buffer.byteLength\` of the widget's wasm instance — it only grows, so it shows the high-water mark) and the element count in the widget's shadow root. The page holds the widget and the bench harness only. Each lifecycle is driven in the page through the public API: \`POST /sim/calls\` (ringing), \`handle.answer(id)\`, \`handle.hangup(id)\`, each step waiting for the widget's event for that call, so every notification goes through the widget's loop, store, host events and DOM.
`;
const limit = `wasm linear memory +${fmt(wasmGrowth / MB, 2)} MB over the lifecycles (it never shrinks: a high-water mark, ${fmt(last.wasm / MB, 2)} MB at the end; still rising ${fmt((wasmSlopeLate * 1000) / 1024, 0)} KB per 1 000 lifecycles over the second half), JS heap +${fmt(jsGrowth / 1024, 0)} KB; shadow-root elements ${warm.shadowNodes} → ${last.shadowNodes}`;
report(options, 'memory', 'Memory over call lifecycles (issue 7)', body, { limit,
  lifecycles: measured, jsGrowthKB: jsGrowth / 1024, wasmGrowthKB: wasmGrowth / 1024, totalMB: total / MB, slopeKBPer1000: (slope * 1000) / 1024, met, target: options.target,
});
}

function reportBurst(points) {
  const at = (label) => points.find((p) => p.label === label);
  const before = at('before burst');
  const after = points.find((p) => p.label.startsWith('after a burst'));
  const peak = burstRun.wasmPeak;
  const wasmGrowth = after.wasm - before.wasm;
  const jsGrowth = after.jsHeap - before.jsHeap;
  const total = wasmGrowth + jsGrowth;
  const complete = burstRun.released === options.burst;
  const met = complete && peak <= options.burstPeakTarget * MB && total <= options.target * MB;
  const shown = points.filter((p) => ['mounted', 'before burst', 'destroyed'].includes(p.label) || p === after);
  const rows = shown.map((p) => [p.label, fmt(p.jsHeap / MB, 3), fmt(p.wasm / MB, 3), p.wasmPeak ? fmt(p.wasmPeak / MB, 3) : '–', String(p.shadowNodes), String(p.domNodes ?? '–')]);
  const perSec = (burstRun.delivered * 1000) / burstRun.ms;
  const body = `${info.line()}

One burst of ${options.burst} ring → answer → hang-up lifecycles: \`POST /sim/burst\` queued ${burstRun.delivered} notifications at once on the widget's CometD session, so they arrived as a backlog; the widget emitted \`gws:released\` for ${burstRun.released} of the ${options.burst} calls in ${fmt(burstRun.ms / 1000, 1)} s (${fmt(perSec, 0)} notifications/s through loop, store, host events and DOM); machine busy ${fmt(burstBusy, 0)} % (all cores, \`/proc/stat\`). Widget diagnostics after the burst: ${JSON.stringify(burstDiagnostics)}.

${table(['point', 'JS heap MB (CDP)', 'wasm memory MB', 'wasm peak during the burst MB', 'shadow-root elements', 'page DOM nodes'], rows)}

Wasm linear memory peak **${fmt(peak / MB, 2)} MB** (target ≤ ${options.burstPeakTarget} MB); growth over the burst (before → after, after a full GC): wasm ${fmt(wasmGrowth / MB, 2)} MB, JS heap ${fmt(jsGrowth / 1024, 1)} KB, total **${fmt(total / MB, 2)} MB** (target ≤ ${options.target} MB).

Target (issue 14): wasm peak ≤ ${options.burstPeakTarget} MB and growth ≤ ${options.target} MB — **${met ? 'met' : 'not met'}**${complete ? '' : ` (only ${burstRun.released} of ${options.burst} lifecycles ended within ${options.budgetSecs} s)`}.

Method: the page, browser flags and measurements of the lifecycle benchmark above (each point after ${fmt(options.settleMs / 1000, 1)} s and two forced full GCs); the widget first lives through one ordinary lifecycle, then the burst is requested from the page and the wasm memory (\`memory.buffer.byteLength\`, a high-water mark) is sampled every 20 ms until the widget has emitted \`gws:released\` for every call of the burst.
`;
  const limit = `wasm peak ${fmt(peak / MB, 2)} MB, growth ${fmt(total / MB, 2)} MB (wasm ${fmt(wasmGrowth / MB, 2)} MB, JS ${fmt(jsGrowth / 1024, 0)} KB)${complete ? '' : `; ${burstRun.released} of ${options.burst} released`}`;
  report(options, 'memory-burst', 'Memory under a burst (issue 14)', body, { limit,
    lifecycles: options.burst, notifications: burstRun.delivered, released: burstRun.released, seconds: burstRun.ms / 1000,
    wasmPeakMB: peak / MB, growthMB: total / MB, wasmGrowthMB: wasmGrowth / MB, jsGrowthKB: jsGrowth / 1024,
    peakTarget: options.burstPeakTarget, target: options.target, met,
  }, { script: 'memory' });
}
