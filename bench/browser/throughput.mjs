// Client throughput: our widget's notification loop vs the official CometD JavaScript client
// (npm `cometd`, LongPollingTransport), same headless Chromium, same simulator, same run
// (issues 4 and 7; target ≥ 2× cometd.js).
//
//   node bench/browser/throughput.mjs [--messages 10000] [--rounds 3] [--throttle 1,4] [--profile] [--results]
//
// One established call for agent1; Node POSTs `UpdateUserData` on it with bounded concurrency,
// each producing one `AttachedDataChanged` notification on /v2/me/calls. Each round runs the
// widget alone, cometd.js alone, then both in one page (order rotated between rounds), each in a
// fresh page after a warm-up. `--profile` adds one CPU-profiled run of each client alone (with
// the name-section build, PROFILE_DIST) and prints where the main thread goes.
import { existsSync } from 'node:fs';
import {
  Api, PROFILE_DIST, cometdSessions, establishedCall, fmt, launchBrowser, machine, machineLoad, median, parseArgs,
  prepareStatic, range, report, sleep, startProfile, startSim, stopProfile, table, watchPage,
} from './lib.mjs';

const options = parseArgs({ messages: 10000, warmup: 1000, rounds: 3, concurrency: 16, throttle: '1,4', timeoutSecs: 120, profile: false });
const throttles = String(options.throttle).split(',').map(Number).filter((x) => x >= 1);
const info = machine();
const browser = await launchBrowser();

// One simulator (serving `dist`) with agent1 on an established call.
async function setUp(dist) {
  const server = await startSim({ staticDir: prepareStatic(dist) });
  const api = new Api(server.url, 'agent1', 'agent1', { sockets: options.concurrency });
  await api.login();
  const callId = await establishedCall(server.url, api);
  return { server, api, callId };
}

let runSeq = 0;
// Sends `count` UpdateUserData operations tagged with `run`, at most `concurrency` in flight.
async function generate(env, run, count) {
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < count) {
      const seq = next++;
      await env.api.operation(env.callId, 'UpdateUserData', { userData: { run, seq: String(seq) } });
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return performance.now() - start;
}

async function waitSessions(env, expected, timeoutMs = 15_000) {
  const start = Date.now();
  let sessions = [];
  while (Date.now() - start < timeoutMs) {
    sessions = await cometdSessions(env.server.url);
    if (sessions.length === expected) return;
    await sleep(50);
  }
  throw new Error(`expected ${expected} CometD sessions of agent1, found ${sessions.length}`);
}

const METRICS = ['TaskDuration', 'ScriptDuration', 'LayoutDuration', 'RecalcStyleDuration'];
async function metrics(cdp) {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(list.filter((m) => METRICS.includes(m.name)).map((m) => [m.name, m.value * 1000]));
}

// One run: mode = 'widget' | 'cometd' | 'both'.
async function run(env, mode, throttle, { profile = false } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchPage(page, mode);
  // Long-poll requests per client: the widget uses fetch(), cometd.js XMLHttpRequest.
  const requests = { widget: 0, cometd: 0, counting: false };
  page.on('request', (r) => {
    if (!requests.counting || !r.url().includes('/api/v2/notifications')) return;
    if (r.resourceType() === 'fetch') requests.widget++;
    else if (r.resourceType() === 'xhr') requests.cometd++;
  });
  await page.goto(`${env.server.url}/bench/bench.html`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 20_000 });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const clients = mode === 'both' ? ['widget', 'cometd'] : [mode];
  if (clients.includes('widget')) await page.evaluate(() => window.bench.mountWidget());
  if (clients.includes('cometd')) await page.evaluate(() => window.bench.startCometd());
  await waitSessions(env, clients.length);
  if (throttle > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: throttle });

  const waitDelivered = async (count, ms) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const c = await page.evaluate(() => window.bench.counts());
      if (clients.every((k) => c[k].n >= count) || Date.now() > deadline) return c;
      await sleep(20);
    }
  };

  // Warm-up (JIT and wasm tier-up, connection pools): not measured.
  if (options.warmup > 0) {
    const warm = `w${++runSeq}`;
    await page.evaluate((r) => window.bench.arm(r), warm);
    await generate(env, warm, options.warmup);
    await waitDelivered(options.warmup, options.timeoutSecs * 1000);
  }

  const id = `r${++runSeq}`;
  await page.evaluate((r) => window.bench.arm(r), id);
  const before = await metrics(cdp);
  const messagesBefore = (await page.evaluate(() => window.bench.counts())).diagnostics.messages;
  requests.counting = true;
  if (profile) await startProfile(cdp);
  const load = machineLoad();
  const generatedMs = await generate(env, id, options.messages);
  const c = await waitDelivered(options.messages, options.timeoutSecs * 1000);
  const busy = load();
  const profiled = profile ? await stopProfile(cdp, 12) : null;
  requests.counting = false;
  const after = await metrics(cdp);
  if (throttle > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });

  const result = { mode, throttle, generatedMs, generatedRate: options.messages / (generatedMs / 1000), machineBusy: busy, profiled };
  for (const k of clients) {
    const r = c[k];
    result[k] = {
      delivered: r.n, outOfOrder: r.outOfOrder,
      rate: r.n > 1 ? (r.n - 1) / ((r.last - r.first) / 1000) : NaN,
      requests: requests[k],
      perResponse: r.n / Math.max(1, requests[k]),
    };
  }
  if (clients.includes('widget')) result.widget.diagnosticsDelta = c.diagnostics.messages - messagesBefore;
  result.mainThread = Object.fromEntries(METRICS.map((m) => [m, after[m] - before[m]]));

  if (clients.includes('cometd')) await page.evaluate(() => window.bench.stopCometd());
  if (clients.includes('widget')) await page.evaluate(() => window.bench.destroyWidget());
  await cdp.detach();
  await context.close();
  await waitSessions(env, 0);
  if (errors.length) throw new Error(errors.join('\n'));
  for (const k of clients) {
    if (result[k].delivered !== options.messages) throw new Error(`${mode}: ${k} received ${result[k].delivered} of ${options.messages}`);
  }
  if (result.widget && result.widget.diagnosticsDelta < options.messages) {
    throw new Error(`${mode}: diagnostics().messages grew by ${result.widget.diagnosticsDelta}, fewer than ${options.messages}`);
  }
  const m = result.mainThread;
  const line = clients.map((k) => `${k} ${fmt(result[k].rate, 0)}/s (${fmt(result[k].perResponse, 1)}/response)`).join(', ');
  console.error(`  ${mode.padEnd(6)} ${throttle}× CPU: ${line}; generated ${fmt(result.generatedRate, 0)}/s; main thread ${fmt(m.TaskDuration, 0)} ms ` +
    `(script ${fmt(m.ScriptDuration, 0)}, layout+style ${fmt(m.LayoutDuration + m.RecalcStyleDuration, 0)}); machine busy ${fmt(busy, 0)} %`);
  return result;
}

const results = [];
const profiles = {};
const modes = ['widget', 'cometd', 'both'];
let simArgs = '';
try {
  const env = await setUp();
  simArgs = env.server.argv.filter((a) => !a.startsWith('/')).join(' ');
  try {
    for (const throttle of throttles) {
      for (let round = 0; round < options.rounds; round++) {
        console.error(`round ${round + 1}/${options.rounds}, CPU ${throttle}×`);
        const shift = round % modes.length;
        const order = modes.slice(shift).concat(modes.slice(0, shift));
        for (const mode of order) results.push(await run(env, mode, throttle));
      }
    }
  } finally {
    env.api.close();
    await env.server.stop();
  }
  if (options.profile) {
    if (!existsSync(PROFILE_DIST)) throw new Error(`--profile needs the name-section build in ${PROFILE_DIST} (bench/run.sh makes it)`);
    console.error('profiled runs (name-section build, not part of the figures above)');
    const penv = await setUp(PROFILE_DIST);
    try {
      for (const mode of ['widget', 'cometd']) profiles[mode] = await run(penv, mode, 1, { profile: true });
    } finally {
      penv.api.close();
      await penv.server.stop();
    }
  }
} finally {
  await browser.close();
}

// ---- report ---------------------------------------------------------------------------------
const pick = (throttle, mode, f) => results.filter((r) => r.throttle === throttle && r.mode === mode).map(f);
const rows = [];
const costRows = [];
const figures = {};
for (const throttle of throttles) {
  const aloneW = pick(throttle, 'widget', (r) => r.widget.rate);
  const aloneC = pick(throttle, 'cometd', (r) => r.cometd.rate);
  const bothW = pick(throttle, 'both', (r) => r.widget.rate);
  const bothC = pick(throttle, 'both', (r) => r.cometd.rate);
  const ratiosAlone = results.filter((r) => r.throttle === throttle && r.mode === 'widget')
    .map((r, i) => r.widget.rate / pick(throttle, 'cometd', (x) => x.cometd.rate)[i]);
  const ratiosBoth = pick(throttle, 'both', (r) => r.widget.rate / r.cometd.rate);
  const gen = (mode) => pick(throttle, mode, (r) => r.generatedRate);
  const perResp = (mode, k) => pick(throttle, mode, (r) => r[k].perResponse);
  const busy = (mode) => pick(throttle, mode, (r) => r.machineBusy);
  rows.push([`${throttle}×`, 'alone', fmt(median(aloneW), 0), range(aloneW, 0), fmt(median(aloneC), 0), range(aloneC, 0),
    `**${fmt(median(ratiosAlone), 2)}×**`, range(ratiosAlone, 2),
    `${fmt(median(perResp('widget', 'widget')), 1)} / ${fmt(median(perResp('cometd', 'cometd')), 1)}`,
    `${fmt(median(gen('widget')), 0)} / ${fmt(median(gen('cometd')), 0)}`,
    `${fmt(median(busy('widget')), 0)} / ${fmt(median(busy('cometd')), 0)}`]);
  rows.push([`${throttle}×`, 'together', fmt(median(bothW), 0), range(bothW, 0), fmt(median(bothC), 0), range(bothC, 0),
    `${fmt(median(ratiosBoth), 2)}×`, range(ratiosBoth, 2),
    `${fmt(median(perResp('both', 'widget')), 1)} / ${fmt(median(perResp('both', 'cometd')), 1)}`,
    fmt(median(gen('both')), 0), fmt(median(busy('both')), 0)]);
  for (const mode of ['widget', 'cometd']) {
    const per = (f) => median(pick(throttle, mode, (r) => (f(r.mainThread) * 1000) / r[mode].delivered));
    costRows.push([`${throttle}×`, mode === 'widget' ? 'widget' : 'cometd.js',
      fmt(per((m) => m.TaskDuration), 1), fmt(per((m) => m.ScriptDuration), 1),
      fmt(per((m) => m.LayoutDuration + m.RecalcStyleDuration), 1),
      fmt(per((m) => m.TaskDuration - m.ScriptDuration - m.LayoutDuration - m.RecalcStyleDuration), 1),
      fmt(median(perResp(mode, mode)), 1)]);
  }
  const usPerMsg = (mode) => median(pick(throttle, mode, (r) => (r.mainThread.TaskDuration * 1000) / r[mode].delivered));
  figures[`${throttle}x`] = {
    widgetAlone: median(aloneW), cometdAlone: median(aloneC), ratioAlone: median(ratiosAlone), ratioAloneRange: range(ratiosAlone, 2),
    widgetBoth: median(bothW), cometdBoth: median(bothC), ratioBoth: median(ratiosBoth),
    widgetUsPerMsg: usPerMsg('widget'), cometdUsPerMsg: usPerMsg('cometd'),
  };
}
const first = figures[`${throttles[0]}x`];
const last = figures[`${throttles[throttles.length - 1]}x`];
figures.headline = { ratio: first.ratioAlone, widget: first.widgetAlone, cometd: first.cometdAlone, met: first.ratioAlone >= 2 };
{
  const parts = [`main thread per notification ${fmt(first.widgetUsPerMsg, 0)} µs (widget) vs ${fmt(first.cometdUsPerMsg, 0)} µs (cometd.js)`];
  if (throttles.length > 1) parts.push(`${fmt(last.ratioAlone, 2)}× when the page is the bottleneck (${throttles[throttles.length - 1]}× CPU)`);
  const inc = profiles.widget?.profiled?.inclusive ?? [];
  const share = (re) => inc.find((t) => re.test(t.name))?.share;
  const events = share(/HostEvents::call_changed/);
  const fetchShare = share(/RestClient::fetch/);
  const store = share(/State::on_notification/);
  const bayeux = share(/BayeuxClient::handle_response/);
  if (store !== undefined) parts.push(`profile: ${fmt(store, 0)} % of the widget's busy time applies notifications (decode, store, view), of which ${fmt(events ?? 0, 0)} % builds and dispatches the gws:* host event of every notification`);
  if (bayeux !== undefined) parts.push(`${fmt(bayeux, 0)} % parses the Bayeux responses (serde_json)`);
  if (fetchShare !== undefined) parts.push(`${fmt(fetchShare, 0)} % issuing the long-poll fetch`);
  figures.limit = parts.join('; ');
}

const code = (name) => `\`${name.replace(/\|/g, '\\|')}\``;
let profileText = '';
if (options.profile) {
  const section = (mode, label) => {
    const p = profiles[mode].profiled;
    return `${label}: ${fmt(p.busyMs, 0)} ms of main-thread samples for ${options.messages} notifications (${fmt((p.busyMs * 1000) / options.messages, 1)} µs each), ` +
      `${fmt(profiles[mode][mode].perResponse, 1)} per response; self time, top ${p.top.length}:\n\n` +
      table(['function', 'self ms', '% of busy'], p.top.map((t) => [code(t.name), fmt(t.ms, 1), fmt(t.share, 1)]), ['---', '---:', '---:']) +
      (mode === 'widget' ? `\n\nInclusive time (the function and all it calls) of the widget's own code, top ${p.inclusive.length}:\n\n` +
        table(['function', 'inclusive ms', '% of busy'], p.inclusive.map((t) => [code(t.name), fmt(t.ms, 1), fmt(t.share, 1)]), ['---', '---:', '---:']) : '');
  };
  profileText = `\nWhere the main thread goes (CDP \`Profiler\`, 200 µs sampling, one run of each client alone at 1× CPU with the name-section build of the same code; \`(program)\` = native browser work outside JS/wasm: request set-up, IPC, DOM):\n\n${section('widget', 'Widget')}\n\n${section('cometd', 'cometd.js')}\n`;
}

const throttled = throttles.length > 1 ? ` At ${throttles[throttles.length - 1]}× CPU throttling (client-bound) the ratio is ${fmt(last.ratioAlone, 2)}×.` : '';
const body = `${info.line()}

${options.messages} notifications per run (after ${options.warmup} warm-up), ${options.rounds} rounds, ${options.concurrency} REST POSTs in flight; gws-sim \`${simArgs} DIR\` (release).

${table(['CPU', 'clients', 'widget msg/s', 'range', 'cometd.js msg/s', 'range', 'widget ÷ cometd.js', 'ratio range', 'msgs per response (w / c)', 'generated msg/s (w / c)', 'machine busy % (w / c)'], rows)}

Main-thread cost per notification, each client alone (median of the rounds; µs; CDP \`Performance.getMetrics\`):

${table(['CPU', 'client', 'total', 'script (JS + wasm)', 'layout + style', 'other', 'msgs per response'], costRows)}

Target (issues 4, 7): widget ≥ 2× cometd.js — **${figures.headline.met ? 'met' : 'not met'}**: ${fmt(first.ratioAlone, 2)}× (median of the per-round ratios of the clients alone, ${throttles[0]}× CPU; range ${first.ratioAloneRange}).${throttled}
${profileText}
Method: *msg/s* = (delivered − 1) ÷ (last − first delivery) in the page (\`performance.now()\`). The widget's deliveries are its \`gws:call-updated\` events (emitted by the notification loop once the store applied the notification; \`GwsWidget.diagnostics().messages\` must grow by the same count), cometd.js's the calls of its \`/v2/me/calls\` subscription callback (cometd 9.0.0, \`LongPollingTransport\` only, \`appendMessageTypeToURL: false\` because gws-sim answers 404 to the trailing-slash URL cometd.js posts subscribes to). Every run must deliver exactly ${options.messages} or the benchmark fails (concurrent POSTs reach the engine in any order, so order is not checked). *alone* = one client in a fresh page, *together* = both in one page, each with its own CometD session; the order rotates between rounds. The per-round ratio divides the widget's rate by cometd.js's of the same round. *msgs per response* = notifications ÷ long-poll requests (a slower client gets bigger batches: long polling is self-batching, so rates here are a property of client *and* machine). *generated* = the Node driver's UpdateUserData rate (REST replies): when it is close to the delivery rate, the simulator and driver — sharing the 2 cores with Chromium — were the limit, not the client. *CPU n×* = Chrome's CPU throttling (\`Emulation.setCPUThrottlingRate\`), a slower device: simulator and driver keep their speed, so the page becomes the bottleneck. *machine busy* = all cores, from \`/proc/stat\` (other engineers' builds included).
`;
report(options, 'throughput', 'Client throughput vs cometd.js (issues 4, 7)', body, figures);
