// Installs the packed widget into this sample host with npm (offline: a local tarball without
// dependencies), and serves the host: its page from one loopback origin, the package's files
// (node_modules/gws-widget) from another, as a CRM that publishes the package on its asset host
// would. Used by e2e/run.mjs, so the cross-origin embedding test runs what ships.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');

/** packed/gws-widget-X.Y.Z.tgz for the version in Cargo.toml. */
export function tarballPath() {
  const cargo = readFileSync(path.join(ROOT, 'Cargo.toml'), 'utf8');
  const version = cargo.match(/\[workspace\.package\][^[]*?\nversion = "([^"]+)"/)[1];
  return path.join(ROOT, 'packed', `gws-widget-${version}.tgz`);
}

/** `npm install` of the tarball; returns the installed package's directory. */
export function installSampleHost() {
  const tarball = tarballPath();
  if (!existsSync(tarball)) throw new Error(`${tarball} is missing: run scripts/package.sh`);
  // A rebuilt tarball keeps its version: remove the old copy so npm cannot keep it.
  rmSync(path.join(HERE, 'node_modules'), { recursive: true, force: true });
  execFileSync('npm', ['install', '--offline', '--no-save', '--no-package-lock', '--no-audit', '--no-fund',
    '--loglevel=error', tarball], { cwd: HERE, stdio: ['ignore', 'inherit', 'inherit'] });
  const installed = path.join(HERE, 'node_modules/gws-widget');
  if (!existsSync(path.join(installed, 'embed.js'))) throw new Error('npm did not install gws-widget');
  return installed;
}

const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.html': 'text/html', '.json': 'application/json' };

function serveFiles(dir, extraHeaders, rewrite = (body) => body) {
  return (req, res) => {
    const name = decodeURIComponent(new URL(req.url, 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.resolve(dir, name);
    if (!file.startsWith(dir + path.sep) || !existsSync(file)) { res.writeHead(404); res.end(); return; }
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, { 'content-type': type, ...extraHeaders });
    res.end(rewrite(readFileSync(file), type));
  };
}

async function listen(handler) {
  const server = http.createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

/**
 * Serves the installed package (`installed`) and the host page (talking to GWS at `gwsUrl`).
 * Resolves to { pageUrl, widgetBase, close() }.
 */
export async function serveSampleHost(installed, gwsUrl) {
  const widget = await listen(serveFiles(installed, { 'access-control-allow-origin': '*' }));
  const page = await listen(serveFiles(HERE, {}, (body, type) => (type === 'text/html'
    ? body.toString().replaceAll('%WIDGET_BASE%', widget.url).replaceAll('%GWS_URL%', gwsUrl)
    : body)));
  return {
    pageUrl: page.url,
    widgetBase: widget.url,
    close: () => Promise.all([widget, page].map(({ server }) => new Promise((r) => server.close(r)))),
  };
}
