// Which server the demo pages (demo.js, crm-demo.js) talk to, from their `?base=` parameter.
//
// Why a check: both pages log in with the demo credentials (the simulator users' passwords,
// equal to their names) and send them, with every request, to that server. Taken as given, a link
// such as `…/crm-demo.html?base=https://evil.example` would hand them to any host. The parameter
// exists to point a page at a simulator on another port of this machine (`trunk serve` on :8088,
// gws-sim on :8080), so only the page's own origin and loopback addresses are accepted.
//
// A module of its own, without DOM access: e2e/demo-base.test.mjs checks it under plain Node.

/** Host names (as `URL.hostname` spells them) that are this machine. */
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The base URL to use for `raw` (the `?base=` value) on a page of origin `pageOrigin`: `''` (the
 * page's own server) when `raw` is empty; `raw` without trailing slashes, query, fragment or
 * credentials when it is http(s) and same-origin with the page or a loopback address; otherwise
 * `''`, after `warn` says why.
 */
export function allowedBase(raw, pageOrigin, warn = console.warn) {
  if (!raw) return '';
  let url;
  try {
    url = new URL(raw, pageOrigin === 'null' ? undefined : pageOrigin);
  } catch {
    warn(`gws-widget demo: ignoring ?base=${raw}: not a URL`);
    return '';
  }
  const web = url.protocol === 'http:' || url.protocol === 'https:';
  if (!web || (url.origin !== pageOrigin && !LOOPBACK.has(url.hostname))) {
    warn(`gws-widget demo: ignoring ?base=${raw}: the demo credentials go only to this page's `
      + 'origin or to a loopback address (127.0.0.1, localhost, [::1])');
    return '';
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}
