// One table of every figure with its target and met/missed, from the benchmarks' out/*.json
// (written by this run: `--since` = the run's start) and the sim-fanout block of RESULTS.md.
//
//   node bench/browser/summary.mjs [--since ISO-TIME] [--failed a,b] [--results]
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OUT, RESULTS, fmt, machine, parseArgs, table, writeResults } from './lib.mjs';

const options = parseArgs({ since: '', failed: '', fanout: true, fanoutRan: true });
const since = options.since ? Date.parse(options.since) : 0;
const failed = new Set(String(options.failed).split(',').filter(Boolean));

function load(name) {
  const path = join(OUT, `${name}.json`);
  if (!existsSync(path)) return null;
  const data = JSON.parse(readFileSync(path, 'utf8'));
  return Date.parse(data.at) >= since ? data.figures : null;
}
const verdict = (met) => (met ? 'met' : '**missed**');
const rows = [];
// A benchmark not run this time keeps its rows of the previous summary (its comparison with
// the JS baseline too), marked with that summary's date (a figure already carried over keeps
// its own mark).
const previous = (() => {
  const block = existsSync(RESULTS) && readFileSync(RESULTS, 'utf8').match(/<!-- summary:begin[^\n]*-->([\s\S]*?)<!-- summary:end -->/)?.[1];
  if (!block) return { rows: new Map(), when: null };
  const when = block.match(/Run on (\d{4}-\d\d-\d\d)/)?.[1] ?? null;
  const rows = new Map();
  for (const line of block.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| benchmark'))) {
    const cells = line.slice(2, -2).split(' | ');
    if (cells.length === 6 && !rows.has(cells[0])) rows.set(cells[0], cells);
  }
  return { rows, when };
})();
const missing = (bench, what) => {
  const old = previous.rows.get(bench);
  if (!failed.has(bench) && old && !/not run|failed to run/.test(old[2])) {
    const mark = /\(not re-run; from the run of /.test(old[2]) ? '' : ` (not re-run; from the run of ${previous.when})`;
    rows.push([old[0], old[1], old[2] + mark, old[3], old[4], old[5]]);
  } else rows.push([bench, what, failed.has(bench) ? 'failed to run' : 'not run', '', '', '']);
};

const size = load('size');
if (size) rows.push(['size', 'embedding page static download, gzip', `${fmt(size.embedGzipKB, 1)} KB (${size.baselineGzipKB === undefined ? '' : `JS baseline widget ${fmt(size.baselineGzipKB, 1)} KB; `}demo page ${fmt(size.demoGzipKB, 1)} KB; ${fmt(size.demoTransferredKB, 1)} KB transferred)`, `≤ ${size.target} KB`, verdict(size.met), size.met ? '' : size.limit]);
else missing('size', 'embedding page download, gzip');

const startup = load('startup');
if (startup) rows.push(['startup', 'page load → first card interactive (median, fresh loads)', `${fmt(startup.fresh, 0)} ms (range ${startup.freshRange}; warm ${fmt(startup.warm, 0)} ms)`, `≤ ${startup.target} ms`, verdict(startup.met), startup.met ? '' : startup.limit]);
else missing('startup', 'page load → first card interactive');
// Issue 15: the same figure for the hand-written JS baseline (cometd.js + plain DOM), same run.
if (startup?.baselineFresh !== undefined) rows.push(['startup-vs-baseline', 'widget ÷ JS baseline, first card interactive (fresh median)', `${fmt(startup.ratio, 2)}× (${fmt(startup.fresh, 0)} vs ${fmt(startup.baselineFresh, 0)} ms)`, '≤ 1× (≤ baseline)', verdict(startup.vsBaselineMet), startup.vsBaselineMet ? '' : startup.limit]);
else if (!startup) missing('startup-vs-baseline', 'widget ÷ JS baseline, first card interactive');

const latency = load('latency');
if (latency) rows.push(['latency', `receipt → DOM p99 (p50) over ${latency.count}`, `${fmt(latency.p99, 2)} ms (p50 ${fmt(latency.p50, 2)} ms; block p99 ${latency.blockP99Range} ms)`, '≤ 4 ms', verdict(latency.met), latency.met ? '' : latency.limit]);
else missing('latency', 'receipt → DOM p99');
if (latency?.baselineP99 !== undefined) rows.push(['latency-vs-baseline', 'receipt → DOM p99, widget vs JS baseline (cometd.js)', `${fmt(latency.p99, 2)} vs ${fmt(latency.baselineP99, 2)} ms (${fmt(latency.ratioP99, 2)}×)`, '≤ baseline p99 + 2 ms', verdict(latency.vsBaselineMet), latency.vsBaselineMet ? '' : latency.limit]);
else if (!latency) missing('latency-vs-baseline', 'receipt → DOM p99, widget vs JS baseline');

const throughput = load('throughput');
if (throughput) {
  const h = throughput.headline;
  const label = h.client === undefined ? 'widget ÷ cometd.js msg/s, clients alone (median)' : `our client ÷ cometd.js msg/s, each alone (median; load: ${h.load})`;
  const measured = h.client === undefined ? `${fmt(h.ratio, 2)}× (${fmt(h.widget, 0)} vs ${fmt(h.cometd, 0)} msg/s)`
    : `${fmt(h.ratio, 2)}× (${fmt(h.client, 0)} vs ${fmt(h.cometd, 0)} msg/s; whole widget ${fmt(h.widgetRatio, 2)}×)`;
  rows.push(['throughput', label, measured, '≥ 2×', verdict(h.met), h.met ? '' : throughput.limit]);
} else missing('throughput', 'widget ÷ cometd.js');
if (throughput?.headline?.widgetVsBaseline !== undefined && Number.isFinite(throughput.headline.widgetVsBaseline)) {
  const h = throughput.headline;
  rows.push(['throughput-vs-baseline', 'whole widget ÷ JS baseline widget msg/s, each alone (median)', `${fmt(h.widgetVsBaseline, 2)}× (${fmt(h.widget, 0)} vs ${fmt(h.baseline, 0)} msg/s)`, '≥ 1× (≥ baseline)', verdict(h.vsBaselineMet), h.vsBaselineMet ? '' : throughput.limit]);
} else if (!throughput) missing('throughput-vs-baseline', 'whole widget ÷ JS baseline widget msg/s');

const memory = load('memory');
if (memory) rows.push(['memory', `JS heap + wasm growth over ${memory.lifecycles} lifecycles`, `${fmt(memory.totalMB, 2)} MB (JS ${fmt(memory.jsGrowthKB, 0)} KB, wasm ${fmt(memory.wasmGrowthKB, 0)} KB)`, `≤ ${memory.target} MB`, verdict(memory.met), memory.met ? '' : memory.limit]);
else missing('memory', 'heap growth over lifecycles');
const burst = load('memory-burst');
if (burst) rows.push(['memory-burst', `wasm peak and growth under a burst of ${burst.lifecycles} lifecycles (${burst.notifications} notifications at once)`, `peak ${fmt(burst.wasmPeakMB, 2)} MB, growth ${fmt(burst.growthMB, 2)} MB`, `≤ ${burst.peakTarget} MB, ≤ ${burst.target} MB`, verdict(burst.met), burst.met ? '' : burst.limit]);
else missing('memory-burst', 'memory under a burst');

// sim-fanout (the other engineer's benchmark) writes its verdicts into its own RESULTS.md block.
if (options.fanout) {
  const text = readFileSync(RESULTS, 'utf8');
  const block = text.match(/<!-- sim-fanout:begin[^\n]*-->([\s\S]*?)<!-- sim-fanout:end -->/);
  const when = block?.[1].match(/on (\d{4}-\d\d-\d\d \d\d:\d\d) UTC/)?.[1];
  const fresh = when && Date.parse(`${when.replace(' ', 'T')}:00Z`) >= since - 60_000;
  const lines = block ? [...block[1].matchAll(/^Target \(([^)]*)\), ([^:]*): \*\*(met|not met)\*\* \((.*)\)\.?\s*$/gm)] : [];
  if (!lines.length || (!fresh && options.fanoutRan)) {
    rows.push(['sim-fanout', '5 000 long-polling clients, p99', failed.has('sim-fanout') ? 'failed to run' : (lines.length ? `no run since ${options.since}` : 'no verdict in RESULTS.md'), '≤ 20 ms', '', 'see the Simulator fan-out section']);
  }
  for (const m of (fresh || !options.fanoutRan) ? lines : []) {
    rows.push(['sim-fanout', `${m[2]} (${m[1].split(',')[0]}; block of ${when ?? '?'} UTC)`, m[4], m[1].split(',').slice(1).join(',').trim(), m[3] === 'met' ? 'met' : '**missed**', m[3] === 'met' ? '' : 'see the Simulator fan-out section (owned by its author)']);
  }
}

const info = machine();
const body = `${info.line()}

${table(['benchmark', 'figure', 'measured', 'target', 'status', 'what limits it (evidence in its section)'], rows, ['---', '---', '---', '---', '---', '---'])}
`;
console.log(body);
if (options.results) writeResults('summary', 'Summary (bench/run.sh)', body, { top: true });
