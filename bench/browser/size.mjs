// Size of the release widget (issue 15: what an embedding page downloads ≤ 190 KB gzip, stretch 150).
//
//   node bench/browser/size.mjs [--results]
//
// Raw, gzip (-9) and brotli (q11) of every file of the release dist; the total download of the
// demo page (what Chromium actually transfers, from CDP network events) and of an embedding page
// (embed.js + <gws-agent-widget>); and, for the evidence, twiggy's view of the wasm (by crate,
// biggest items, generic monomorphizations) on the name-section build of the same code.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import {
  DIST, PROFILE_DIST, ROOT, fmt, kb, launchBrowser, machine, parseArgs, prepareStatic, report, startSim, table, watchPage,
} from './lib.mjs';

const options = parseArgs({ target: 190 });
const info = machine();

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path));
    else out.push(path);
  }
  return out;
}
const sizes = new Map();
for (const path of files(DIST)) {
  const data = readFileSync(path);
  sizes.set('/' + relative(DIST, path), {
    raw: data.length,
    gzip: gzipSync(data, { level: 9 }).length,
    brotli: brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } }).length,
  });
}
const kind = (path) => (path.endsWith('.wasm') ? 'wasm' : path.endsWith('.js') ? 'js' : path.endsWith('.css') ? 'css' : path.endsWith('.html') ? 'html' : 'other');
const sum = (paths, key) => paths.reduce((a, p) => a + (sizes.get(p)?.[key] ?? 0), 0);
const fileRows = [...sizes.entries()].sort((a, b) => b[1].raw - a[1].raw)
  .map(([path, s]) => [`\`${path}\``, kind(path), kb(s.raw), kb(s.gzip), kb(s.brotli)]);
const kindRows = ['wasm', 'js', 'css', 'html'].map((k) => {
  const paths = [...sizes.keys()].filter((p) => kind(p) === k);
  return [`**${k}** (${paths.length} file${paths.length === 1 ? '' : 's'})`, k, kb(sum(paths, 'raw')), kb(sum(paths, 'gzip')), kb(sum(paths, 'brotli'))];
});

// What a page actually downloads: every response's encoded length (CDP Network).
const staticDir = prepareStatic();
// Files outside the dist (the JS baseline's page, cometd.js) are measured where the server reads them.
function sizeOf(path) {
  if (!sizes.has(path)) {
    const file = join(staticDir, path);
    if (!existsSync(file)) return undefined;
    const data = readFileSync(file);
    sizes.set(path, {
      raw: data.length,
      gzip: gzipSync(data, { level: 9 }).length,
      brotli: brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } }).length,
      outsideDist: true,
    });
  }
  return sizes.get(path);
}
const server = await startSim({ staticDir });
const browser = await launchBrowser();
// `ready`: a selector, or a function evaluated in the page until it is true.
async function download(path, ready) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchPage(page, path);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const requests = new Map();
  cdp.on('Network.responseReceived', (e) => requests.set(e.requestId, { url: e.response.url, type: e.type, status: e.response.status, encoding: e.response.headers['content-encoding'] ?? e.response.headers['Content-Encoding'] ?? '' }));
  cdp.on('Network.loadingFinished', (e) => { const r = requests.get(e.requestId); if (r) r.bytes = e.encodedDataLength; });
  await page.goto(`${server.url}${path}`);
  if (typeof ready === 'function') await page.waitForFunction(ready, null, { timeout: 20_000 });
  else await page.locator(ready).first().waitFor({ timeout: 20_000 });
  await page.waitForTimeout(500);
  await context.close();
  if (errors.length) throw new Error(errors.join('\n'));
  const list = [...requests.values()].filter((r) => r.bytes !== undefined);
  const isApi = (r) => new URL(r.url).pathname.startsWith('/api/');
  const statics = list.filter((r) => !isApi(r));
  const api = list.filter(isApi);
  const paths = statics.map((r) => new URL(r.url).pathname).map((p) => (p === '/' ? '/index.html' : p));
  paths.forEach(sizeOf);
  return {
    transferred: statics.reduce((a, r) => a + r.bytes, 0), api: api.reduce((a, r) => a + r.bytes, 0), apiCount: api.length,
    encodings: [...new Set(statics.map((r) => r.encoding || 'identity'))].join(', '),
    files: paths, gzip: sum(paths, 'gzip'), brotli: sum(paths, 'brotli'), raw: sum(paths, 'raw'),
    unknown: paths.filter((p) => !sizeOf(p)),
  };
}
let demo;
let embed;
let baseline;
try {
  demo = await download('/?user=agent1', '[data-testid="connection"][data-state="connected"]');
  embed = await download('/bench/startup.html', 'gws-agent-widget [data-testid="connection"][data-state="connected"]');
  // The measuring stick of issue 15: cometd.js and plain DOM, until it is connected too.
  baseline = await download('/bench/baseline.html', () => window.__startup?.connected !== undefined);
} finally {
  await browser.close();
  await server.stop();
}

// ---- twiggy (evidence) ------------------------------------------------------------------------
let twiggyText = '';
const named = join(PROFILE_DIST, 'gws-widget_bg.wasm');
let twiggyFigures = null;
if (existsSync(named)) {
  const items = JSON.parse(execFileSync('twiggy', ['top', '-n', '1000000', '--format', 'json', named], { maxBuffer: 1 << 28 }).toString());
  const crateOf = (name) => {
    if (name.includes('function names') || name.startsWith('custom section')) return null; // profile build only
    if (name.startsWith('data segment')) return '(data segments: strings, tables)';
    if (/shim$|^__wbg|^__wbindgen|^wbg_/.test(name)) return 'wasm-bindgen glue';
    if (/^code\[\d+\]$/.test(name)) return '(unnamed code)';
    const m = name.replace(/^[<&]+|^(mut |dyn )+/g, '').match(/([A-Za-z_][A-Za-z0-9_]*)(?:\[[0-9a-f]+\])?::/);
    return m ? m[1] : '(wasm sections: types, imports, exports, tables)';
  };
  const family = (crate) => {
    if (/^(leptos|leptos_\w+|tachys|reactive_graph|reactive_stores|any_spawner|or_poisoned|throw_error|next_tuple|oco_ref|slotmap|guardian|send_wrapper|either_of)$/.test(crate)) return 'Leptos (leptos, tachys, reactive_graph, …)';
    if (/^(serde|serde_core|serde_json|serde_wasm_bindgen|itoa|ryu|indexmap|hashbrown)$/.test(crate)) return 'serde / serde_json / indexmap';
    if (/^gws_/.test(crate)) return 'our crates (gws_widget, gws_client, gws_protocol)';
    if (/^(core|alloc|std|dlmalloc|compiler_builtins|panic_abort)$/.test(crate)) return 'Rust std (core, alloc, std, dlmalloc)';
    if (/^(wasm_bindgen|js_sys|web_sys|wasm_bindgen_futures|gloo\w*|console_error_panic_hook)$/.test(crate) || crate === 'wasm-bindgen glue') return 'wasm-bindgen, js-sys, web-sys, gloo';
    if (/^futures/.test(crate)) return 'futures';
    return crate.startsWith('(') ? crate : 'other crates';
  };
  const byCrate = new Map();
  const byFamily = new Map();
  let total = 0;
  for (const item of items) {
    const crate = crateOf(item.name);
    if (crate === null) continue;
    total += item.shallow_size;
    byCrate.set(crate, (byCrate.get(crate) ?? 0) + item.shallow_size);
    const f = family(crate);
    byFamily.set(f, (byFamily.get(f) ?? 0) + item.shallow_size);
  }
  const pct = (x) => fmt((100 * x) / total, 1);
  const famRows = [...byFamily.entries()].sort((a, b) => b[1] - a[1]).map(([f, b]) => [f, kb(b), pct(b)]);
  const crateRows = [...byCrate.entries()].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([c, b]) => [`\`${c}\``, kb(b), pct(b)]);
  const topRows = items.filter((i) => crateOf(i.name) !== null).slice(0, 12)
    .map((i) => [`\`${i.name.replace(/::h[0-9a-f]{16}$/, '').replace(/\[[0-9a-f]{16}\]/g, '').slice(0, 100).replace(/\|/g, '\\|')}\``, kb(i.shallow_size), pct(i.shallow_size)]);
  let monoRows = [];
  try {
    const text = execFileSync('twiggy', ['monos', '-m', '8', '-n', '0', named], { maxBuffer: 1 << 26 }).toString();
    for (const line of text.split('\n')) {
      const m = line.match(/^\s*(\d+)\s*┊\s*[\d.]+%\s*┊\s*(\d+)\s*┊\s*[\d.]+%\s*┊\s*(.+)$/);
      if (m) monoRows.push([`\`${m[3].trim().replace(/\|/g, '\\|').slice(0, 100)}\``, kb(Number(m[1])), kb(Number(m[2]))]);
    }
  } catch { /* older twiggy */ }
  twiggyFigures = { families: Object.fromEntries(byFamily) };
  twiggyText = `
What the wasm is made of (twiggy ${execFileSync('twiggy', ['--version']).toString().trim().split(' ').pop()} on the same code built with the wasm name section kept, \`${relative(process.cwd(), named)}\`; ${kb(total)} KB without the names; shallow sizes, uncompressed):

${table(['crate family', 'KB', '%'], famRows)}

${table(['crate', 'KB', '%'], crateRows)}

Biggest items:

${table(['item', 'KB', '%'], topRows)}
${monoRows.length ? `\nGeneric code (\`twiggy monos -m 8\`; bloat = bytes beyond one copy of each generic function):\n\n${table(['generic function', 'bloat KB', 'all copies KB'], monoRows)}\n` : ''}`;
} else {
  twiggyText = `\n(No name-section build in ${PROFILE_DIST}: run bench/run.sh for the twiggy breakdown.)\n`;
}

const met = embed.gzip <= options.target * 1024;
const wasm = [...sizes.entries()].find(([p]) => p.endsWith('.wasm'))[1];
const body = `${info.line()}

Release dist (\`trunk build --release=true --cargo-profile wasm-release\`: opt-level z, LTO, one codegen unit, panic = abort, wasm-opt \`-Oz --flatten --rereloop -Oz -Oz\` (index.html's passes)), KB = 1 024 bytes:

${table(['file', 'kind', 'raw KB', 'gzip -9 KB', 'brotli 11 KB'], [...fileRows, ...kindRows])}

What pages download (Chromium, fresh context, until the widget is connected; CDP \`Network.loadingFinished\` encodedDataLength; gws-sim serves static files ${demo.encodings === 'identity' ? 'uncompressed' : 'compressed'} — content-encoding: ${demo.encodings}):

${table(['page', 'static files', 'transferred KB (as served)', 'raw KB', 'gzip KB', 'brotli KB', 'API requests', 'API KB'], [
  ['demo `/?user=agent1` (index.html)', String(demo.files.length), kb(demo.transferred), kb(demo.raw), `**${kb(demo.gzip)}**`, kb(demo.brotli), String(demo.apiCount), kb(demo.api)],
  ['embedding page (embed.js + `<gws-agent-widget>`)', String(embed.files.length), kb(embed.transferred), kb(embed.raw), kb(embed.gzip), kb(embed.brotli), String(embed.apiCount), kb(embed.api)],
  ['JS baseline (`bench/browser/pages/baseline.html`: cometd.js + plain DOM, unminified)', String(baseline.files.length), kb(baseline.transferred), kb(baseline.raw), kb(baseline.gzip), kb(baseline.brotli), String(baseline.apiCount), kb(baseline.api)],
])}

Files of the JS baseline page: ${baseline.files.map((f) => `\`${f}\``).join(', ')}.

Files of the demo page: ${demo.files.map((f) => `\`${f}\``).join(', ')}${demo.unknown.length ? ` (not in dist, counted as transferred only: ${demo.unknown.join(', ')})` : ''}.

Target (issue 15): what an embedding page downloads ≤ ${options.target} KB gzip — **${met ? 'met' : 'not met'}**: its static files are ${kb(embed.gzip)} KB gzip (${kb(embed.brotli)} KB brotli; ${kb(embed.transferred)} KB as this server sends them), of which the wasm is ${kb(wasm.gzip)} KB gzip; the demo page adds its console (${kb(demo.gzip - embed.gzip)} KB gzip). The JS baseline widget downloads ${kb(baseline.gzip)} KB gzip in the same run: the widget is ${fmt(embed.gzip / baseline.gzip, 1)}× it.
${twiggyText}`;
const fam = twiggyFigures ? Object.entries(twiggyFigures.families).sort((a, b) => b[1] - a[1]).slice(0, 3)
  .map(([f, b]) => `${f.replace(/ \(.*\)$/, '')} ${fmt((100 * b) / Object.values(twiggyFigures.families).reduce((x, y) => x + y, 0), 0)} %`).join(', ') : '';
const limit = `the wasm alone is ${kb(wasm.gzip)} KB gzip (${kb(wasm.raw)} KB raw)${fam ? `; by twiggy: ${fam} of it` : ''}`;
report(options, 'size', 'Size (issues 5, 7, 15)', body, { limit,
  wasmGzipKB: wasm.gzip / 1024, baselineGzipKB: baseline.gzip / 1024, demoGzipKB: demo.gzip / 1024, demoBrotliKB: demo.brotli / 1024, demoTransferredKB: demo.transferred / 1024, embedGzipKB: embed.gzip / 1024, met, target: options.target, twiggy: twiggyFigures,
});
