// Shared plumbing of the browser benchmarks: the release widget + bench pages served by a
// release gws-sim on 127.0.0.1 (same origin: the simulator's static files carry no CORS, so a
// cross-origin page could not import embed.js as a module), Debian's headless Chromium through
// playwright-core, a small REST client for the driver, statistics, machine facts and the
// RESULTS.md block writer. Nothing here downloads anything.
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync, renameSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import http from 'node:http';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(HERE, '..', '..');
export const DIST = process.env.BENCH_DIST ?? join(ROOT, 'target', 'bench-dist');
export const SIM_BIN = process.env.GWS_SIM_BIN ?? join(ROOT, 'target', 'release', 'gws-sim');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const RESULTS = join(ROOT, 'bench', 'RESULTS.md');
export const OUT = join(HERE, 'out');
// The release build with the wasm name section kept (bench/run.sh makes it): same code, so CPU
// profiles name the Rust functions.
export const PROFILE_DIST = process.env.BENCH_PROFILE_DIST ?? join(ROOT, 'target', 'bench-dist-profile');
// The notification client alone with a counting consumer (feature `bench-probe`), served at /probe/.
export const PROBE_DIST = process.env.BENCH_PROBE_DIST ?? join(ROOT, 'target', 'bench-dist-probe');
// The same with its name section, served beside the name-section widget (PROFILE_DIST).
const PROBE_PROFILE_DIST = `${PROBE_DIST}-profile`;

// ---------------------------------------------------------------------------------------------
// Command line: `--results` (rewrite this benchmark's block in RESULTS.md), `--name value` or
// `--name=value` options, `--flag` booleans.
export function parseArgs(defaults) {
  const options = { ...defaults, results: false };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    arg = arg.slice(2);
    let value;
    if (arg.includes('=')) [arg, value] = arg.split(/=(.*)/s, 2);
    const key = arg.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (key === 'help') {
      console.log(`options (defaults): ${JSON.stringify(options)}`);
      process.exit(0);
    }
    if (!(key in options)) throw new Error(`unknown option --${arg}; known: ${Object.keys(options).join(', ')}`);
    if (typeof options[key] === 'boolean') {
      options[key] = value === undefined ? true : value !== 'false';
    } else {
      if (value === undefined) value = argv[++i];
      options[key] = typeof options[key] === 'number' ? Number(value) : value;
      if (typeof options[key] === 'number' && !Number.isFinite(options[key])) throw new Error(`--${arg} needs a number`);
    }
  }
  return options;
}

// ---------------------------------------------------------------------------------------------
// Processes this benchmark started; killed by pid on exit.
const children = new Set();
function killChildren() {
  for (const child of children) {
    try { process.kill(child.pid, 'SIGTERM'); } catch { /* gone */ }
  }
  children.clear();
}
process.on('exit', killChildren);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => { killChildren(); process.exit(130); });

// The static directory the simulator serves: a copy of the release dist plus bench/browser/pages
// at /bench/ and the cometd npm package at /bench/cometd/.
export function prepareStatic(dist = DIST) {
  if (!existsSync(join(dist, 'gws-widget_bg.wasm'))) {
    throw new Error(`no release build in ${dist}: run bench/run.sh, or ` +
      `trunk build --release=true --cargo-profile wasm-release --dist ${dist}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'gws-bench-static-'));
  cpSync(dist, dir, { recursive: true });
  cpSync(join(HERE, 'pages'), join(dir, 'bench'), { recursive: true });
  const probe = dist === PROFILE_DIST && existsSync(PROBE_PROFILE_DIST) ? PROBE_PROFILE_DIST : PROBE_DIST;
  if (existsSync(probe)) cpSync(probe, join(dir, 'probe'), { recursive: true });
  const cometd = join(HERE, 'node_modules', 'cometd');
  if (!existsSync(cometd)) throw new Error('bench/browser/node_modules is missing: run `npm ci` in bench/browser');
  mkdirSync(join(dir, 'bench', 'cometd'));
  for (const file of readdirSync(cometd).filter((f) => f.endsWith('.js'))) cpSync(join(cometd, file), join(dir, 'bench', 'cometd', file));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// Starts the release gws-sim on 127.0.0.1 with a free port; resolves to {url, pid, stop()}.
export async function startSim({ staticDir, args = [] } = {}) {
  if (!existsSync(SIM_BIN)) throw new Error(`no simulator at ${SIM_BIN}: run bench/run.sh or cargo build --release -p gws-sim`);
  const argv = ['--bind', '127.0.0.1', '--port', '0', '--answer-delay-ms', '0', '--cometd-timeout-ms', '30000',
    // Agents logged in to voice from the start: the benchmarks inject calls at once.
    '--advertise-mute', '--agents-logged-in', ...(staticDir ? ['--static-dir', staticDir] : []), ...args];
  const child = spawn(SIM_BIN, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' } });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`gws-sim did not start in 10 s: ${stderr}`)), 10_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`gws-sim exited (${code}): ${stderr}`)); });
  });
  return {
    url, pid: child.pid, argv,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => { children.delete(child); resolve(); });
      child.kill('SIGTERM');
    }),
  };
}

export const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
  '--disable-default-apps', '--disable-extensions', '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows'];

export async function launchBrowser(extra = []) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extra] });
}

// Page errors and console errors fail a benchmark: figures from a broken page are worthless.
export function watchPage(page, label = 'page') {
  const errors = [];
  page.on('pageerror', (e) => errors.push(`${label}: ${e}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`${label} console: ${m.text()}`); });
  return errors;
}

// ---------------------------------------------------------------------------------------------
// REST from Node: Basic auth + the user's CSRF token (read from GET /api/v2/me), keep-alive.
export class Api {
  constructor(base, user = 'agent1', password = user, { sockets = 16 } = {}) {
    this.base = new URL(base);
    this.auth = 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
    this.agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
    this.csrf = null;
  }

  request(method, path, body, headers = {}) {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = http.request({
        host: this.base.hostname, port: this.base.port, method, path, agent: this.agent,
        headers: { authorization: this.auth, ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          ...(this.csrf ? { 'x-csrf-token': this.csrf } : {}), ...headers },
      }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let json = null;
          try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
          resolve({ status: res.statusCode, headers: res.headers, json, text });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
      if (payload) req.write(payload);
      req.end();
    });
  }

  async login() {
    const reply = await this.request('GET', '/api/v2/me');
    if (reply.status !== 200) throw new Error(`GET /api/v2/me: HTTP ${reply.status} ${reply.text}`);
    this.csrf = reply.headers['x-csrf-token'];
    return reply.json;
  }

  async ok(method, path, body) {
    const reply = await this.request(method, path, body);
    if (reply.status !== 200 || (reply.json && reply.json.statusCode !== undefined && reply.json.statusCode !== 0)) {
      throw new Error(`${method} ${path} ${JSON.stringify(body)}: HTTP ${reply.status} ${reply.text}`);
    }
    return reply.json;
  }

  operation(callId, operationName, params = {}) {
    return this.ok('POST', `/api/v2/me/calls/${callId}`, { operationName, ...params });
  }

  calls() { return this.ok('GET', '/api/v2/me/calls?fields=*').then((r) => r.calls ?? []); }
  close() { this.agent.destroy(); }
}

// The control API (no auth).
export async function sim(base, method, path, body) {
  const reply = await fetch(`${base}${path}`, {
    method, headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await reply.text();
  if (!reply.ok) throw new Error(`${method} ${path}: HTTP ${reply.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// An established call between a simulated phone (from) and agent1 (DN 5005), answered over REST.
export async function establishedCall(base, api, from = '5000') {
  const { id } = await sim(base, 'POST', '/sim/calls', { from, to: '5005' });
  await api.operation(id, 'Answer');
  return id;
}

export async function cometdSessions(base, user = 'agent1') {
  const state = await sim(base, 'GET', '/sim/state');
  return (state.cometdSessions ?? []).filter((s) => !user || s.user === user);
}

// ---------------------------------------------------------------------------------------------
// Statistics.
export function quantile(sorted, q) {
  if (!sorted.length) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}
export const sortNum = (xs) => [...xs].sort((a, b) => a - b);
export const median = (xs) => {
  const s = sortNum(xs);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const range = (xs, digits = 2) => {
  const s = sortNum(xs);
  return s.length > 1 ? `${fmt(s[0], digits)}–${fmt(s[s.length - 1], digits)}` : '1 run';
};
export function fmt(x, digits = 2) {
  if (x === null || x === undefined || Number.isNaN(x)) return '–';
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 1000 && digits <= 2) return Math.round(x).toLocaleString('en-US').replace(/,/g, ' ');
  return x.toFixed(digits);
}
export const kb = (bytes) => (bytes / 1024).toFixed(1);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function table(header, rows, align) {
  const a = align ?? header.map((_, i) => (i === 0 ? '---' : '---:'));
  return [`| ${header.join(' | ')} |`, `|${a.join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Machine facts and load, so a reader can tell a quiet run from a contended one.
function procStat() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = line[3] + (line[4] ?? 0);
  const total = line.reduce((a, b) => a + b, 0);
  return { idle, total };
}
// CPU busy share of the whole machine between start() and stop() (100 % = every core busy).
export function machineLoad() {
  const start = procStat();
  return () => {
    const end = procStat();
    const total = end.total - start.total;
    return total > 0 ? 100 * (1 - (end.idle - start.idle) / total) : NaN;
  };
}

export function machine() {
  const cpu = cpus();
  let commit = '?';
  let dirty = '';
  try {
    commit = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']).toString().trim();
    const status = execFileSync('git', ['-C', ROOT, 'status', '--porcelain', '--', 'src', 'crates', 'Cargo.toml', 'Cargo.lock', 'www', 'index.html']).toString().trim();
    if (status) dirty = ' (+ uncommitted changes in the working tree)';
  } catch { /* not a repository */ }
  let chromium = '?';
  try { chromium = execFileSync(CHROMIUM, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim(); } catch { /* ignore */ }
  const now = new Date();
  const date = now.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  return {
    date, commit: commit + dirty, cores: cpu.length, cpu: (cpu[0]?.model ?? '?').replace(/\s+/g, ' ').trim(),
    load: loadavg().map((x) => x.toFixed(2)).join(' '), chromium, node: process.version,
    line() {
      return `Run on ${date}, commit ${commit}${dirty}: ${cpu.length} cores (${this.cpu}), load average ${this.load} at start; ${chromium} (headless), Node ${process.version}.`;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// RESULTS.md: each benchmark owns `## <title>` and, inside it, the block between
// `<!-- NAME:begin … -->` and `<!-- NAME:end -->`. Only that block is rewritten; a missing
// section is appended at the end of the file (or put before the first section with `top`).
// `script`: the benchmark that writes the block, when its file is not `NAME.mjs`.
export function writeResults(name, title, body, { file = RESULTS, top = false, script = name } = {}) {
  const begin = `<!-- ${name}:begin (generated by \`bench/browser/${script}.mjs --results\`) -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${begin}\n${body.trim()}\n${end}`;
  let text = readFileSync(file, 'utf8');
  const re = new RegExp(`<!-- ${name}:begin[^\\n]*-->[\\s\\S]*?<!-- ${name}:end -->`);
  if (re.test(text)) {
    text = text.replace(re, () => block);
  } else if (top && text.includes('\n## ')) {
    const at = text.indexOf('\n## ') + 1;
    text = `${text.slice(0, at)}## ${title}\n\n${block}\n\n${text.slice(at)}`;
  } else {
    text = text.replace(/\s*$/, '\n') + `\n## ${title}\n\n${block}\n`;
  }
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

// Key figures for bench/run.sh's summary: out/<name>.json.
export function writeSummary(name, figures) {
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, `${name}.json`), JSON.stringify({ name, at: new Date().toISOString(), figures }, null, 2));
}

// Prints the report and, with --results, stores it.
export function report(options, name, title, body, figures, { script = name } = {}) {
  console.log(body);
  writeSummary(name, figures);
  if (options.results) {
    writeResults(name, title, body, { script });
    console.error(`(rewrote the ${name} block of ${RESULTS})`);
  }
}

// ---------------------------------------------------------------------------------------------
// CPU profiles (CDP Profiler): self time per function, for the evidence behind a missed target.
// Wasm functions have names only in a build that keeps the name section (run.sh's
// `--profile-build`, bench/README.md); the release build shows `$func123`.
export async function startProfile(cdp, intervalUs = 200) {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: intervalUs });
  await cdp.send('Profiler.start');
}

const SHORT = [
  [/::h[0-9a-f]{16}$/, ''],
  [/\[[0-9a-f]{16}\]/g, ''],
  [/\{\{closure\}\}/g, '{closure}'],
];
export function shortName(name) {
  let n = name;
  for (const [re, to] of SHORT) n = n.replace(re, to);
  return n.length > 110 ? n.slice(0, 107) + '…' : n;
}

// Self time per function (ms) and the share of the sampled busy time, top `count`; and the
// inclusive time (the function and everything it called) of the functions matching `ours`.
export async function stopProfile(cdp, count = 15, ours = /^gws_|^<gws_/) {
  const { profile } = await cdp.send('Profiler.stop');
  await cdp.send('Profiler.disable');
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const nameOf = (node) => {
    const f = node.callFrame;
    return f.functionName || (f.url ? `(anonymous ${f.url.split('/').pop()}:${f.lineNumber})` : '(anonymous)');
  };
  const counts = new Map();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  const dt = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);
  const self = new Map();
  const inclusive = new Map();
  let busy = 0;
  for (const [id, n] of counts) {
    const node = byId.get(id);
    const name = nameOf(node);
    const ms = n * dt;
    if (name === '(idle)') continue;
    busy += ms;
    self.set(name, (self.get(name) ?? 0) + ms);
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const up = nameOf(byId.get(at));
      if (ours.test(up) && !seen.has(up)) {
        seen.add(up);
        inclusive.set(up, (inclusive.get(up) ?? 0) + ms);
      }
    }
  }
  const rank = (map) => [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, count)
    .map(([name, ms]) => ({ name: shortName(name), ms, share: (100 * ms) / busy }));
  return { busyMs: busy, totalMs: (profile.endTime - profile.startTime) / 1000, top: rank(self), inclusive: rank(inclusive) };
}
