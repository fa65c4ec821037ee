// The npm package as it ships: the tarball scripts/package.sh packs (packed/gws-widget-X.Y.Z.tgz,
// X.Y.Z from Cargo.toml) is unpacked and checked — every file of `files` is there and nothing
// else, no demo file, every module the loader and the glue import is inside the package, the
// declarations are the repository's and resolve for a TypeScript consumer by the package name.
//
//   scripts/package.sh && node --test e2e/package.test.mjs
//
// The TypeScript check uses examples/node_modules/typescript (cd examples && npm ci).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const cargo = readFileSync(path.join(ROOT, 'Cargo.toml'), 'utf8');
const VERSION = cargo.match(/\[workspace\.package\][^[]*?\nversion = "([^"]+)"/)[1];
const TARBALL = path.join(ROOT, 'packed', `gws-widget-${VERSION}.tgz`);
const WIDGET_FILES = readFileSync(path.join(ROOT, 'scripts/package.sh'), 'utf8')
  .match(/^WIDGET_FILES=\(([^)]*)\)/m)[1].trim().split(/\s+/);

let work;
let pkg; // the unpacked package directory
let manifest;
let listing; // every file of the package, relative, with /

function walk(dir, prefix = '') {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full, `${prefix}${name}/`) : [`${prefix}${name}`];
  });
}

before(() => {
  assert.ok(existsSync(TARBALL), `${TARBALL} is missing: run scripts/package.sh`);
  work = mkdtempSync(path.join(tmpdir(), 'gws-widget-package-'));
  execFileSync('tar', ['-xzf', TARBALL, '-C', work]);
  pkg = path.join(work, 'package');
  manifest = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8'));
  listing = walk(pkg).sort();
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the manifest names the package, the Cargo version, ES modules and the declarations', () => {
  assert.equal(manifest.name, 'gws-widget');
  assert.equal(manifest.version, VERSION);
  assert.equal(manifest.type, 'module');
  assert.equal(manifest.types, './index.d.ts');
  assert.deepEqual(manifest.exports['.'], { types: './index.d.ts', default: './embed.js' });
  assert.deepEqual(manifest.files, [...WIDGET_FILES, 'index.d.ts'], 'files = WIDGET_FILES + index.d.ts');
  assert.equal(manifest.scripts, undefined, 'no install scripts');
  assert.equal(manifest.dependencies, undefined, 'no dependencies');
});

test('every entry of files is in the tarball, and nothing else but the manifest and README', () => {
  for (const entry of manifest.files) {
    if (entry.endsWith('/')) {
      assert.ok(listing.some((f) => f.startsWith(entry)), `${entry} is empty or missing`);
    } else {
      assert.ok(listing.includes(entry), `${entry} is missing`);
    }
  }
  const allowed = (f) => f === 'package.json' || f === 'README.md'
    || manifest.files.some((entry) => (entry.endsWith('/') ? f.startsWith(entry) : f === entry));
  assert.deepEqual(listing.filter((f) => !allowed(f)), [], 'files outside `files`');
});

test('no demo file is shipped', () => {
  const demo = listing.filter((f) => /(^|\/)(index\.html|demo\.(js|css)|crm-demo\.\w+)$/.test(f) || /demo/i.test(f));
  assert.deepEqual(demo, []);
  for (const f of listing.filter((f) => f.endsWith('.js'))) {
    const text = readFileSync(path.join(pkg, f), 'utf8');
    assert.ok(!text.includes('demo.js'), `${f} refers to demo.js`);
  }
});

test('every export target exists', () => {
  for (const [key, target] of Object.entries(manifest.exports)) {
    const targets = typeof target === 'string' ? [target] : Object.values(target);
    for (const t of targets) {
      if (t.includes('*')) {
        const prefix = t.slice(2, t.indexOf('*'));
        assert.ok(listing.some((f) => f.startsWith(prefix)), `${key}: nothing matches ${t}`);
      } else {
        assert.ok(listing.includes(t.slice(2)), `${key}: ${t} is missing`);
      }
    }
  }
});

test('the wasm is a WebAssembly module and every module import stays inside the package', () => {
  const wasm = readFileSync(path.join(pkg, 'gws-widget_bg.wasm'));
  assert.deepEqual([...wasm.subarray(0, 4)], [0, 0x61, 0x73, 0x6d], 'wasm magic');
  assert.ok(wasm.length > 100_000, `a ${wasm.length}-byte wasm is not the widget`);
  const embed = readFileSync(path.join(pkg, 'embed.js'), 'utf8');
  for (const name of ['gws-widget.js', 'gws-widget_bg.wasm']) {
    assert.ok(embed.includes(`'${name}'`), `embed.js does not load ${name}`);
  }
  // Static imports of every JS file, and the worker the scheduler snippet starts.
  let checked = 0;
  for (const f of listing.filter((f) => f.endsWith('.js'))) {
    const text = readFileSync(path.join(pkg, f), 'utf8');
    const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"](\.[^'"]+)['"]/g)].map((m) => m[1]);
    for (const m of text.matchAll(/new URL\(\s*'(\.[^']+\.js)'\s*,\s*import\.meta\.url\s*\)/g)) specifiers.push(m[1]);
    for (const spec of specifiers) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(f), spec));
      assert.ok(!target.startsWith('..'), `${f} imports ${spec}, outside the package`);
      assert.ok(listing.includes(target), `${f} imports ${spec}: ${target} is not in the package`);
      checked += 1;
    }
  }
  assert.ok(checked >= 3, `only ${checked} imports found: the glue's layout changed`);
  // The scheduler's worker URL, relative to the snippet that holds it, is the packaged worker.
  const worker = listing.filter((f) => f.endsWith('.js')).some((f) =>
    [...readFileSync(path.join(pkg, f), 'utf8').matchAll(/new URL\(\s*'(\.[^']+)'\s*,\s*import\.meta\.url\s*\)/g)]
      .some((m) => path.posix.normalize(path.posix.join(path.posix.dirname(f), m[1])) === 'gws-timer-worker.js'));
  assert.ok(worker, 'no snippet starts gws-timer-worker.js');
});

test('the declarations are the repository\'s and resolve by package name for a strict consumer', () => {
  assert.equal(readFileSync(path.join(pkg, 'index.d.ts'), 'utf8'), readFileSync(path.join(ROOT, 'packaging/index.d.ts'), 'utf8'));
  const tsc = path.join(ROOT, 'examples/node_modules/typescript/bin/tsc');
  assert.ok(existsSync(tsc), 'TypeScript is not installed: cd examples && npm ci');
  const app = path.join(work, 'app');
  mkdirSync(path.join(app, 'node_modules'), { recursive: true });
  cpSync(pkg, path.join(app, 'node_modules/gws-widget'), { recursive: true });
  writeFileSync(path.join(app, 'package.json'), '{"name":"consumer","private":true,"type":"module"}\n');
  writeFileSync(path.join(app, 'app.ts'), `import { mount, type WidgetHandle, type GwsCallEventDetail } from 'gws-widget';
const element = document.createElement('gws-agent-widget');
element.addEventListener('gws:ringing', (event) => { const d: GwsCallEventDetail = event.detail; console.log(d.ani); });
const handle: WidgetHandle = mount(element, { credentials: () => ({ username: 'a', password: 'b' }) });
handle.answer();
export {};
`);
  // A consumer that does not resolve the package fails here (TS2307), as does a type error.
  const bad = path.join(app, 'bad.ts');
  writeFileSync(bad, "import { mount } from 'gws-widget';\nmount(document.body, { baseUrl: 'x' });\nexport {};\n");
  for (const resolution of [['--module', 'nodenext', '--moduleResolution', 'nodenext'], ['--module', 'esnext', '--moduleResolution', 'bundler']]) {
    const args = ['--noEmit', '--strict', '--skipLibCheck', 'false', '--lib', 'es2022,dom', ...resolution];
    execFileSync(process.execPath, [tsc, ...args, 'app.ts'], { cwd: app, stdio: 'pipe' });
    let failed = false;
    try {
      execFileSync(process.execPath, [tsc, ...args, 'bad.ts'], { cwd: app, stdio: 'pipe' });
    } catch (error) {
      failed = true;
      assert.match(String(error.stdout), /TS2345|TS2769/, `unexpected error: ${error.stdout}`);
    }
    assert.ok(failed, `options without credentials compiled (${resolution.join(' ')})`);
  }
});
