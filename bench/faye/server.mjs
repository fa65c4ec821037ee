// The reference Bayeux server of `sim-fanout --against faye` (issue 7): Faye (npm `faye`) on
// 127.0.0.1, a free port, long polling at the same path as gws-sim (/api/v2/notifications) so
// the benchmark's clients talk to it unchanged (minus auth and CSRF, which Faye has none of).
//
// Publishing: the benchmark (the parent process) writes one JSON line per notification to stdin,
// `{"channel":"/v2/me/calls/<user>","data":{…}}`, with the very notifications its gws-sim engine
// produced; this script publishes each with Faye's server-side client (`getClient().publish`,
// the documented way to publish from the server) and records process.hrtime.bigint() — the
// kernel's CLOCK_MONOTONIC, the clock of Rust's Instant — just before the call: the publish
// time the latency is measured from. The line `report` answers with one JSON line, the array of
// those times in nanoseconds (as strings), in publish order, and forgets them.
//
// stdout: `faye listening on http://127.0.0.1:PORT`, then only `report` answers.
// Env: FAYE_TIMEOUT_SECS (30) — how long a /meta/connect is held, like gws-sim's timeout.

import http from 'node:http';
import readline from 'node:readline';
import faye from 'faye';

const timeout = Number(process.env.FAYE_TIMEOUT_SECS ?? 30);
const bayeux = new faye.NodeAdapter({ mount: '/api/v2/notifications', timeout });
const server = http.createServer();
// Long polls are held up to `timeout`; Node's own request timeouts must not cut them first.
server.requestTimeout = 0;
server.keepAliveTimeout = (timeout + 30) * 1000;
server.headersTimeout = (timeout + 31) * 1000;
bayeux.attach(server);

const publisher = bayeux.getClient();
let stamps = [];

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`faye listening on http://127.0.0.1:${server.address().port}\n`);
});

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line === 'report') {
    process.stdout.write(`${JSON.stringify(stamps)}\n`);
    stamps = [];
    return;
  }
  let message;
  try {
    message = JSON.parse(line);
  } catch (error) {
    process.stderr.write(`faye server: bad line: ${error}\n`);
    return;
  }
  stamps.push(process.hrtime.bigint().toString());
  publisher.publish(message.channel, message.data);
});
// The parent closing stdin (or dying) ends the server.
lines.on('close', () => process.exit(0));
