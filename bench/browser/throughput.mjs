// Client throughput: our notification client vs the official CometD JavaScript client (npm
// `cometd`, LongPollingTransport), same headless Chromium, same simulator, same run (issues 4
// and 7; target ≥ 2× cometd.js).
//
//   node bench/browser/throughput.mjs [--load flood|rest] [--messages 10000] [--rounds 3] [--throttle 1] [--profile] [--results]
//
// --load flood (default; "the simulator pushes 10 000 notifications"): Node asks the simulator
// to push real CallStateChangeMessages of agent1's established call, in publishes of --chunk
// copies (`POST /sim/publish` with `count`), one after another — far faster than any client
// takes them, so each client's rate is its own. --load rest: Node POSTs `UpdateUserData` on the
// call with bounded concurrency (engine + REST in the loop; the driver paces the clients).
//
// Clients: `client` = our notification loop (fetch driver, sans-IO Bayeux machine, typed decode
// of every notification) with a consumer that reads the tag and counts — the `bench-probe`
// build (BENCH_PROBE_DIST), the same work as cometd.js's counting callback; `cometd` =
// cometd.js; `widget` = the whole widget (decode, store, card, host event per notification).
// Each runs alone in a fresh page; `both` = client and cometd.js in one page. The order rotates
// between rounds. `--profile` adds one CPU-profiled run of each client alone (PROFILE_DIST).
// `baseline` = the hand-written JS baseline widget (pages/baseline.js: cometd.js + plain DOM
// cards, issue 15), counted after the render that shows each notification, as the widget's
// events are. `--modes` picks the legs; without a bench-probe build the `client` and `both` legs
// (and the decoding floor) are skipped with a note.
import { existsSync } from 'node:fs';
import {
  Api, PROBE_DIST, PROFILE_DIST, cometdSessions, establishedCall, fmt, launchBrowser, machine, machineLoad, median, parseArgs,
  prepareStatic, range, report, sim, sleep, startProfile, startSim, stopProfile, table, watchPage,
} from './lib.mjs';

const options = parseArgs({ load: 'flood', chunk: 0, messages: 10000, warmup: 1000, rounds: 3, concurrency: 16, throttle: '', timeoutSecs: 120, profile: false, modes: 'client,cometd,widget,baseline,both' });
const flood = options.load === 'flood';
if (!flood && options.load !== 'rest') throw new Error(`--load must be flood or rest, not ${options.load}`);
if (!options.throttle) options.throttle = flood ? '1' : '1,4';
// 0 = the whole run in one publish: the server holds all of it when the client's long poll returns.
const chunkOf = (count) => (options.chunk > 0 ? options.chunk : count);
const throttles = String(options.throttle).split(',').map(Number).filter((x) => x >= 1);
const info = machine();
const browser = await launchBrowser();

// One simulator (serving `dist`) with agent1 on an established call.
async function setUp(dist) {
  const server = await startSim({ staticDir: prepareStatic(dist) });
  const api = new Api(server.url, 'agent1', 'agent1', { sockets: options.concurrency });
  await api.login();
  const callId = await establishedCall(server.url, api);
  // The flood's notification: the call as the server shows it, in a real CallStateChangeMessage.
  const { call } = await api.ok('GET', `/api/v2/me/calls/${callId}`);
  return { server, api, callId, call };
}

let runSeq = 0;
// Makes the simulator push `count` notifications tagged with `run`: flood = publishes of
// `chunk` copies one after another (seq = the publish's number, so order is checkable); rest =
// UpdateUserData operations, at most `concurrency` in flight.
async function generate(env, run, count) {
  const start = performance.now();
  if (flood) {
    for (let seq = 0, sent = 0; sent < count; seq++) {
      const copies = Math.min(chunkOf(count), count - sent);
      const userData = { ...(env.call.userData ?? {}), run, seq: String(seq) };
      const data = { messageType: 'CallStateChangeMessage', notificationType: 'AttachedDataChanged', call: { ...env.call, userData } };
      const reply = await sim(env.server.url, 'POST', '/sim/publish', { user: 'agent1', channel: '/v2/me/calls', data, count: copies });
      if (reply.delivered < 1) throw new Error(`flood: publish reached ${reply.delivered} sessions`);
      sent += copies;
    }
    return performance.now() - start;
  }
  let next = 0;
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

// One run: mode = 'client' | 'cometd' | 'widget' | 'baseline' | 'both' (client and cometd.js in one page).
async function run(env, mode, throttle, { profile = false } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchPage(page, mode);
  // Long-poll requests per client: the widget uses fetch(), cometd.js XMLHttpRequest.
  const requests = { widget: 0, client: 0, cometd: 0, baseline: 0, counting: false };
  page.on('request', (r) => {
    if (!requests.counting || !r.url().includes('/api/v2/notifications')) return;
    if (r.resourceType() === 'fetch') requests.widget++, requests.client++;
    else if (r.resourceType() === 'xhr') requests.cometd++, requests.baseline++;
  });
  await page.goto(`${env.server.url}/bench/bench.html`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 20_000 });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const clients = mode === 'both' ? ['client', 'cometd'] : [mode];
  if (clients.includes('widget')) await page.evaluate(() => window.bench.mountWidget());
  if (clients.includes('client')) await page.evaluate(() => window.bench.startProbe());
  if (clients.includes('cometd')) await page.evaluate(() => window.bench.startCometd());
  if (clients.includes('baseline')) await page.evaluate(() => window.bench.mountBaseline());
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
  // The page's clock when the push starts: a flood's rate runs from here to the last delivery.
  const pushedAt = await page.evaluate(() => performance.now());
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
      delivered: r.n, outOfOrder: r.outOfOrder ?? 0,
      // Flood: from the start of the push, so the first batch's decoding counts too (first →
      // last delivery would leave it out, and favour whoever takes the biggest batches).
      rate: flood ? r.n / ((r.last - pushedAt) / 1000) : r.n > 1 ? (r.n - 1) / ((r.last - r.first) / 1000) : NaN,
      requests: requests[k],
      perResponse: r.n / Math.max(1, requests[k]),
    };
  }
  if (clients.includes('widget')) result.widget.diagnosticsDelta = c.diagnostics.messages - messagesBefore;
  result.mainThread = Object.fromEntries(METRICS.map((m) => [m, after[m] - before[m]]));

  if (clients.includes('cometd')) await page.evaluate(() => window.bench.stopCometd());
  if (clients.includes('client')) await page.evaluate(() => window.bench.stopProbe());
  if (clients.includes('widget')) await page.evaluate(() => window.bench.destroyWidget());
  if (clients.includes('baseline')) await page.evaluate(() => window.bench.destroyBaseline());
  await cdp.detach();
  await context.close();
  await waitSessions(env, 0);
  if (errors.length) throw new Error(errors.join('\n'));
  for (const k of clients) {
    if (result[k].delivered !== options.messages) throw new Error(`${mode}: ${k} received ${result[k].delivered} of ${options.messages}`);
    if (flood && result[k].outOfOrder) throw new Error(`${mode}: ${k} received ${result[k].outOfOrder} notifications out of order`);
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

// The decoding floor: JSON.parse vs our wasm decode of one body of `messages` notifications.
async function decodeFloor(env) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchPage(page, 'floor');
  await page.goto(`${env.server.url}/bench/bench.html`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 20_000 });
  await page.evaluate(() => window.bench.startProbe());
  const data = { messageType: 'CallStateChangeMessage', notificationType: 'AttachedDataChanged', call: { ...env.call, userData: { ...(env.call.userData ?? {}), run: 'floor', seq: '0' } } };
  const floor = await page.evaluate(([d, n]) => window.bench.decodeFloor(d, n, 7), [data, options.messages]);
  await page.evaluate(() => window.bench.stopProbe());
  await context.close();
  if (errors.length) throw new Error(errors.join('\n'));
  const others = [['restringifiedMs', 'JSON.parse + JSON.stringify per data + ours']]
    .filter(([key]) => floor[key] !== undefined).map(([key, label]) => `, ${label} ${fmt(floor[key], 1)} ms`).join('');
  console.error(`  decode floor: ${(floor.bytes / 1e6).toFixed(1)} MB body, JSON.parse ${fmt(floor.jsonParseMs, 1)} ms, ours ${fmt(floor.oursMs, 1)} ms${others}`);
  return floor;
}

const results = [];
const profiles = {};
let floor = null;
let modes = String(options.modes).split(',').filter(Boolean);
const skipped = [];
if (!existsSync(PROBE_DIST)) {
  skipped.push(...modes.filter((m) => m === 'client' || m === 'both'));
  modes = modes.filter((m) => m !== 'client' && m !== 'both');
  if (skipped.length) console.error(`no bench-probe build in ${PROBE_DIST} (bench/run.sh makes it): skipping ${skipped.join(', ')} and the decoding floor`);
}
const ran = (mode) => modes.includes(mode);
if (!ran('cometd')) throw new Error('--modes must include cometd (every ratio is to it)');
let simArgs = '';
let dataBytes = 0;
try {
  const env = await setUp(undefined);
  simArgs = env.server.argv.filter((a) => !a.startsWith('/')).join(' ');
  dataBytes = JSON.stringify({ messageType: 'CallStateChangeMessage', notificationType: 'AttachedDataChanged', call: env.call }).length;
  try {
    for (const throttle of throttles) {
      for (let round = 0; round < options.rounds; round++) {
        console.error(`round ${round + 1}/${options.rounds}, CPU ${throttle}×`);
        const shift = round % modes.length;
        const order = modes.slice(shift).concat(modes.slice(0, shift));
        for (const mode of order) results.push(await run(env, mode, throttle));
      }
    }
    if (ran('client')) floor = await decodeFloor(env);
  } finally {
    env.api.close();
    await env.server.stop();
  }
  if (options.profile) {
    if (!existsSync(PROFILE_DIST)) throw new Error(`--profile needs the name-section build in ${PROFILE_DIST} (bench/run.sh makes it)`);
    console.error('profiled runs (name-section build, not part of the figures above)');
    const penv = await setUp(PROFILE_DIST);
    try {
      for (const mode of ['client', 'cometd', 'widget'].filter(ran)) profiles[mode] = await run(penv, mode, 1, { profile: true });
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
const LABEL = { client: 'our client', cometd: 'cometd.js', widget: 'whole widget', baseline: 'JS baseline widget' };
const rows = [];
const costRows = [];
const figures = {};
for (const throttle of throttles) {
  const alone = (k) => pick(throttle, k, (r) => r[k].rate);
  // Per-round ratio: the i-th run of `k` alone ÷ the i-th run of cometd.js alone.
  const ratios = (k) => alone(k).map((x, i) => x / alone('cometd')[i]);
  const perResp = (mode, k) => pick(throttle, mode, (r) => r[k].perResponse);
  for (const k of ['client', 'cometd', 'widget', 'baseline'].filter(ran)) {
    const rates = alone(k);
    rows.push([`${throttle}×`, `${LABEL[k]} alone`, fmt(median(rates), 0), range(rates, 0),
      k === 'cometd' ? '1×' : `**${fmt(median(ratios(k)), 2)}×**`, k === 'cometd' ? '' : range(ratios(k), 2),
      fmt(median(perResp(k, k)), 1), fmt(median(pick(throttle, k, (r) => r.generatedRate)), 0), fmt(median(pick(throttle, k, (r) => r.machineBusy)), 0)]);
  }
  // Per-round ratio of the whole widget to the JS baseline widget (issue 15).
  const vsBaseline = alone('widget').map((x, i) => x / alone('baseline')[i]).filter(Number.isFinite);
  if (ran('widget') && ran('baseline')) {
    rows.push([`${throttle}×`, 'whole widget ÷ JS baseline widget', '', '', `**${fmt(median(vsBaseline), 2)}×**`, range(vsBaseline, 2), '', '', '']);
  }
  const bothC = pick(throttle, 'both', (r) => r.client.rate);
  const bothJ = pick(throttle, 'both', (r) => r.cometd.rate);
  const ratiosBoth = pick(throttle, 'both', (r) => r.client.rate / r.cometd.rate);
  if (ran('both')) rows.push([`${throttle}×`, 'our client + cometd.js in one page', `${fmt(median(bothC), 0)} / ${fmt(median(bothJ), 0)}`, `${range(bothC, 0)} / ${range(bothJ, 0)}`,
    `${fmt(median(ratiosBoth), 2)}×`, range(ratiosBoth, 2),
    `${fmt(median(perResp('both', 'client')), 1)} / ${fmt(median(perResp('both', 'cometd')), 1)}`,
    fmt(median(pick(throttle, 'both', (r) => r.generatedRate)), 0), fmt(median(pick(throttle, 'both', (r) => r.machineBusy)), 0)]);
  for (const mode of ['client', 'cometd', 'widget', 'baseline'].filter(ran)) {
    const per = (f) => median(pick(throttle, mode, (r) => (f(r.mainThread) * 1000) / r[mode].delivered));
    costRows.push([`${throttle}×`, LABEL[mode],
      fmt(per((m) => m.TaskDuration), 1), fmt(per((m) => m.ScriptDuration), 1),
      fmt(per((m) => m.LayoutDuration + m.RecalcStyleDuration), 1),
      fmt(per((m) => m.TaskDuration - m.ScriptDuration - m.LayoutDuration - m.RecalcStyleDuration), 1),
      fmt(median(perResp(mode, mode)), 1)]);
  }
  const usPerMsg = (mode) => median(pick(throttle, mode, (r) => (r.mainThread.TaskDuration * 1000) / r[mode].delivered));
  figures[`${throttle}x`] = {
    clientAlone: median(alone('client')), cometdAlone: median(alone('cometd')), widgetAlone: median(alone('widget')),
    ratioAlone: median(ratios('client')), ratioAloneRange: range(ratios('client'), 2),
    widgetRatio: median(ratios('widget')), widgetRatioRange: range(ratios('widget'), 2), ratioBoth: median(ratiosBoth),
    clientUsPerMsg: usPerMsg('client'), cometdUsPerMsg: usPerMsg('cometd'), widgetUsPerMsg: usPerMsg('widget'),
    baselineAlone: median(alone('baseline')), baselineUsPerMsg: usPerMsg('baseline'),
    widgetVsBaseline: median(vsBaseline), widgetVsBaselineRange: range(vsBaseline, 2),
  };
}
const first = figures[`${throttles[0]}x`];
const cometdRunMs = (options.messages / first.cometdAlone) * 1000;
figures.floor = floor && { ...floor, cometdRunMs, budgetMs: cometdRunMs / 2 };
figures.headline = { ratio: first.ratioAlone, client: first.clientAlone, cometd: first.cometdAlone, widget: first.widgetAlone,
  widgetRatio: first.widgetRatio, met: first.ratioAlone >= 2, load: options.load,
  baseline: first.baselineAlone, widgetVsBaseline: first.widgetVsBaseline, vsBaselineMet: first.widgetVsBaseline >= 1, skipped };
{
  const parts = [`main thread per notification ${fmt(first.clientUsPerMsg, 1)} µs (our client) vs ${fmt(first.cometdUsPerMsg, 1)} µs (cometd.js)`,
    `the whole widget (store, card, host event per notification) ${fmt(first.widgetRatio, 2)}× cometd.js at ${fmt(first.widgetUsPerMsg, 1)} µs`];
  const inc = profiles.widget?.profiled?.inclusive ?? [];
  const share = (re) => inc.find((t) => re.test(t.name))?.share;
  // Names of the name-section build: the driver's step (the core decodes the notification,
  // updates the store and views, and asks for the host event the driver then fires); the host
  // event is the detail's JSON (the call's serializer) plus building and dispatching the event.
  const feed = share(/app::Driver::feed$/);
  const events = (share(/HostEvents::emit$/) ?? 0) + (share(/Serialize for gws_protocol::call::Call>::serialize$/) ?? 0);
  if (feed !== undefined) parts.push(`widget profile: ${fmt(feed, 0)} % in the driver's steps (decode, store, views, host events), ${fmt(events, 0)} % the gws:* host events`);
  if (floor) parts.push(`decoding alone: our wasm decode of one ${options.messages}-notification body takes ${fmt(floor.oursMs, 0)} ms (the browser's JSON.parse of it ${fmt(floor.jsonParseMs, 0)} ms), against ${fmt(cometdRunMs / 2, 0)} ms for everything at 2× cometd.js`);
  figures.limit = parts.join('; ');
}

const code = (name) => `\`${name.replace(/\|/g, '\\|')}\``;
let profileText = '';
if (options.profile) {
  const section = (mode) => {
    const p = profiles[mode].profiled;
    return `${LABEL[mode]}: ${fmt(p.busyMs, 0)} ms of main-thread samples for ${options.messages} notifications (${fmt((p.busyMs * 1000) / options.messages, 1)} µs each), ` +
      `${fmt(profiles[mode][mode].perResponse, 1)} per response; self time, top ${p.top.length}:\n\n` +
      table(['function', 'self ms', '% of busy'], p.top.map((t) => [code(t.name), fmt(t.ms, 1), fmt(t.share, 1)]), ['---', '---:', '---:']) +
      (mode === 'widget' ? `\n\nInclusive time (the function and all it calls) of the widget's own code, top ${p.inclusive.length}:\n\n` +
        table(['function', 'inclusive ms', '% of busy'], p.inclusive.map((t) => [code(t.name), fmt(t.ms, 1), fmt(t.share, 1)]), ['---', '---:', '---:']) : '');
  };
  profileText = `\nWhere the main thread goes (CDP \`Profiler\`, 200 µs sampling, one run of each alone at 1× CPU; the widget with the name-section build of the same code; \`(program)\` = native browser work outside JS/wasm: request set-up, IPC, DOM):\n\n${['client', 'cometd', 'widget'].filter((mode) => profiles[mode]).map(section).join('\n\n')}\n`;
}

const loadText = flood
  ? `the simulator pushes them: \`POST /sim/publish\` of a real \`CallStateChangeMessage\` of agent1's established call (≈ ${dataBytes} bytes of \`data\`) with \`count: ${chunkOf(options.messages)}\`${options.chunk > 0 ? `, ${Math.ceil(options.messages / options.chunk)} publishes one after another (seq = publish number)` : ' (all of a run in one publish)'}`
  : `Node POSTs \`UpdateUserData\` on agent1's established call, ${options.concurrency} in flight (one \`AttachedDataChanged\` each)`;
const body = `${info.line()}

${options.messages} notifications per run (after ${options.warmup} warm-up), ${options.rounds} rounds; load: ${loadText}; gws-sim \`${simArgs} DIR\` (release).

${table(['CPU', 'client', 'msg/s (median)', 'range', '÷ cometd.js', 'ratio range', 'msgs per response', 'generated msg/s', 'machine busy %'], rows)}

Main-thread cost per notification, each alone (median of the rounds; µs; CDP \`Performance.getMetrics\`):

${table(['CPU', 'client', 'total', 'script (JS + wasm)', 'layout + style', 'other', 'msgs per response'], costRows)}

Target (issues 4, 7): our client ≥ 2× cometd.js — **${!ran('client') ? 'not run' : figures.headline.met ? 'met' : 'not met'}**: ${fmt(first.ratioAlone, 2)}× (median of the per-round ratios, each alone, ${throttles[0]}× CPU; range ${first.ratioAloneRange}). The whole widget, which also updates its store and card and fires a host event per notification, reaches ${fmt(first.widgetRatio, 2)}× (range ${first.widgetRatioRange}).${ran('baseline') && ran('widget') ? `

Target (issue 15): the whole widget ≥ the JS baseline widget — **${figures.headline.vsBaselineMet ? 'met' : 'not met'}**: ${fmt(first.widgetVsBaseline, 2)}× (${fmt(first.widgetAlone, 0)} vs ${fmt(first.baselineAlone, 0)} msg/s; median of the per-round ratios, range ${first.widgetVsBaselineRange}). The baseline (\`bench/browser/pages/baseline.js\`) is cometd.js with a \`/v2/me/calls\` listener that stores the call and marks its card dirty; one microtask later — after cometd.js handed over the whole response — it rebuilds each dirty card (state, parties, attached data, one button per capability) and then counts the notifications it rendered; a notification of a Released call removes the card.` : ''}${skipped.length ? `

Not run: ${skipped.join(', ')} (no bench-probe build in \`${PROBE_DIST}\`; bench/run.sh makes it).` : ''}
${floor ? `
Decoding floor (same page, same browser; one long-poll body of ${options.messages} of these notifications, ${fmt(floor.bytes / 1048576, 1)} MB; median of 7): the browser's \`JSON.parse\` — the first thing cometd.js does with a response — takes **${fmt(floor.jsonParseMs, 1)} ms**; our client's decode of the same bytes in wasm (\`parse_messages\` + \`Notification::from_json\` of every \`data\`, the \`bench-probe\`'s \`benchDecode\`) takes **${fmt(floor.oursMs, 1)} ms**.${floor.restringifiedMs !== undefined ? ` The other way (issue 15, item 5) — \`JSON.parse\` of the body string, the envelope through serde-wasm-bindgen, each \`data\` handed back to our text decoder through \`JSON.stringify\` (\`benchDecodeRestringified\`) — takes **${fmt(floor.restringifiedMs, 1)} ms**.` : ''} cometd.js alone took ${fmt(cometdRunMs, 0)} ms for the whole run (push, transfer, parse, callbacks), so a client twice as fast has ${fmt(cometdRunMs / 2, 0)} ms for all of it${floor.oursMs > cometdRunMs / 2 ? ' — less than our decoding alone needs' : ''}.
` : ''}${profileText}
Method: *msg/s* = ${flood ? 'delivered ÷ (last delivery − start of the push), both on the page\'s clock (\`performance.now()\`; the start read just before Node\'s first publish); first → last delivery would leave out the first batch\'s decoding and favour whichever client takes the biggest batches' : '(delivered − 1) ÷ (last − first delivery) in the page (\`performance.now()\`)'}. Deliveries: *our client* = notifications our notification loop delivered and the probe's consumer decoded as a call (\`Notification::from_json\`) carrying the run's tag in \`call.userData.run\` (the \`bench-probe\` build: the widget's own fetch driver, \`gws-client\` machine and decoder, no view); *cometd.js* = calls of its \`/v2/me/calls\` subscription callback, which reads \`message.data.call.userData.run\` (cometd 9.0.0, \`LongPollingTransport\` only, \`appendMessageTypeToURL: false\` because gws-sim answers 404 to the trailing-slash URL cometd.js posts subscribes to); *whole widget* = its \`gws:call-updated\` events (after the store applied the notification; \`GwsWidget.diagnostics().messages\` must grow as much). Every run must deliver exactly ${options.messages}${flood ? ', in publish order,' : ''} or the benchmark fails. Each client runs alone in a fresh page; *in one page* = our client and cometd.js together, each with its own CometD session; the order rotates between rounds. *msgs per response* = notifications ÷ long-poll requests (long polling is self-batching: a slower client gets bigger batches). *generated* = the rate at which Node had the simulator push (flood) or the engine accept (rest) the notifications: when it is close to the delivery rate the load, not the client, was the limit. *CPU n×* = Chrome's CPU throttling. *machine busy* = all cores, from \`/proc/stat\` (other engineers' builds included). \`--load rest\` runs the previous form (REST \`UpdateUserData\` through the engine, which paced both clients at the driver's rate).
`;
report(options, 'throughput', 'Client throughput vs cometd.js (issues 4, 7)', body, figures);
