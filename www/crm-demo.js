// The Acme CRM demo page's script (crm-demo.html). A file, not an inline <script>: the page is
// served with `script-src 'self'` (no inline scripts).
// The CRM's side of the integration: a customer directory, screen-pop on gws:ringing, an
// event log. Values from the widget are shown with textContent (never as HTML).
// `?base=` points the page at a simulator on this machine; demo-base.js refuses other hosts, which
// would otherwise receive the widget's credentials.
import { allowedBase } from './demo-base.js';

const customers = {
  'C-1042': { name: 'Ada Lovelace', phone: '5000', segment: 'Gold', case: 'Billing question #4471' },
  'C-2001': { name: 'Charles Babbage', phone: '5002', segment: 'Silver', case: 'None' },
};
const byPhone = Object.fromEntries(Object.entries(customers).map(([id, c]) => [c.phone, id]));
const params = new URLSearchParams(location.search);
const widget = document.getElementById('widget');
const base = allowedBase(params.get('base'), location.origin);
if (base) widget.setAttribute('base-url', base);
const log = document.getElementById('log');
const summary = (detail) => detail.call
  ? `${detail.state} ${detail.parties.join(', ')} ${JSON.stringify(detail.userData ?? {})}`
  : JSON.stringify(detail);
const show = (name, detail) => {
  log.textContent = `${new Date().toLocaleTimeString()} ${name} ${summary(detail)}\n` + log.textContent;
};
function pop(detail) {
  const id = detail.userData?.CustomerId ?? byPhone[detail.ani];
  const customer = customers[id];
  const set = (field, value) => { document.getElementById(field).textContent = value ?? '—'; };
  document.getElementById('pop-banner').textContent = `Incoming call from ${customer?.name ?? detail.ani ?? 'unknown caller'}`;
  document.getElementById('pop-banner').classList.add('visible');
  if (!customer) return;
  set('record-name', customer.name); set('record-id', id); set('record-phone', customer.phone);
  set('record-segment', customer.segment); set('record-case', customer.case);
  document.getElementById('record').classList.add('popped');
}
for (const name of ['gws:ringing', 'gws:established', 'gws:held', 'gws:released', 'gws:agent-state', 'gws:connection', 'gws:error']) {
  widget.addEventListener(name, (event) => show(name, event.detail));
}
widget.addEventListener('gws:ringing', (event) => pop(event.detail));
widget.addEventListener('gws:released', () => document.getElementById('pop-banner').classList.remove('visible'));
document.getElementById('simulate').addEventListener('click', () => {
  fetch(`${base}/sim/calls`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ from: '5000', to: '5005', userData: { CustomerId: 'C-1042' } }),
  });
});
