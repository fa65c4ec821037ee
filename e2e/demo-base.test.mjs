// Which `?base=` the demo pages accept (www/demo-base.js): the page's own origin or a loopback
// address, since the demo credentials are sent there; anything else is ignored with a warning.
// Plain Node, no browser: the module touches no DOM.
//
//   node --test e2e/demo-base.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowedBase } from '../www/demo-base.js';

const PAGE = 'http://127.0.0.1:8088';

/** allowedBase with its warnings collected. */
function check(raw, origin = PAGE) {
  const warnings = [];
  const base = allowedBase(raw, origin, (message) => warnings.push(message));
  return { base, warnings };
}

test('no ?base= means the page\'s own server, silently', () => {
  assert.deepEqual(check(null), { base: '', warnings: [] });
  assert.deepEqual(check(''), { base: '', warnings: [] });
});

test('loopback addresses on any port and the page\'s origin are accepted', () => {
  for (const [raw, expected] of [
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080'],
    ['https://localhost:9443/gws/', 'https://localhost:9443/gws'],
    ['http://localhost', 'http://localhost'],
    ['http://[::1]:18170', 'http://[::1]:18170'],
    ['http://LOCALHOST:8080', 'http://localhost:8080'],
    ['http://agent1:agent1@127.0.0.1:8080/?x=1#y', 'http://127.0.0.1:8080'],
  ]) {
    assert.deepEqual(check(raw), { base: expected, warnings: [] }, raw);
  }
  const own = check('https://crm.example.com/gws', 'https://crm.example.com');
  assert.deepEqual(own, { base: 'https://crm.example.com/gws', warnings: [] });
  assert.deepEqual(check('/gws', 'https://crm.example.com').base, 'https://crm.example.com/gws');
});

test('a foreign ?base= is ignored with a warning that says why', () => {
  for (const raw of [
    'https://evil.example',
    'http://evil.example:8080/',
    '//evil.example',
    'http://127.0.0.1.evil.example',
    'http://localhost.evil.example:8080',
    'http://127.0.0.1@evil.example',
    'https://crm.example.com:444',
    'javascript:alert(1)',
    'file:///etc/passwd',
    'http://[::1',
  ]) {
    const { base, warnings } = check(raw, 'https://crm.example.com');
    assert.equal(base, '', raw);
    assert.equal(warnings.length, 1, raw);
    assert.match(warnings[0], /ignoring \?base=/, raw);
  }
  assert.match(check('https://evil.example').warnings[0], /loopback/);
});

test('a page without an origin (file://) accepts loopback only', () => {
  assert.equal(check('http://127.0.0.1:8080', 'null').base, 'http://127.0.0.1:8080');
  assert.equal(check('https://evil.example', 'null').base, '');
  assert.equal(check('/relative', 'null').base, '');
});
