// A typed host page (e.g. a CRM's TypeScript front end) using gws-widget: screen-pop on a
// ringing call, click-to-dial, agent state, a widget mounted and destroyed with the page's
// routes, and the custom element. Compiled by `npm run check` (tsc --noEmit --strict); it is
// an example of the declarations, not shipped code.
import {
  mount,
  type EmbedOptions,
  type GwsCallEventDetail,
  type GwsCredentials,
  type GwsErrorDetail,
  type WidgetHandle,
} from 'gws-widget';

/** The host's own way to get the agent's GWS credentials (e.g. from its back end). */
async function fetchCredentials(): Promise<GwsCredentials> {
  const reply = await fetch('/crm/api/gws-credentials', { credentials: 'same-origin' });
  const body: unknown = await reply.json();
  const { username, password } = body as GwsCredentials;
  return { username, password };
}

const options: EmbedOptions = {
  baseUrl: 'https://gws.example.com',
  credentials: fetchCredentials,
  theme: 'dark',
  compact: true,
  clickToDial: true,
  logLevel: 'info',
  lang: document.documentElement.lang || 'en',
  strings: { 'op.Answer': 'Pick up' },
};

/** Opens the customer record of a ringing call (screen-pop). */
function screenPop(detail: GwsCallEventDetail): void {
  const customerId = detail.userData?.['CustomerId'];
  const target = typeof customerId === 'string' ? `/customers/${customerId}` : `/search?phone=${detail.ani ?? ''}`;
  history.pushState({}, '', target);
}

function reportError(detail: GwsErrorDetail): void {
  if (detail.fatal) {
    document.title = 'Reload to restore call controls';
  }
  console.warn(`call ${detail.callId ?? '-'}: ${detail.message}`);
}

// Mounting into a route's container; the handle drives the widget.
let handle: WidgetHandle | null = null;

export function showPhonePanel(container: HTMLElement): void {
  handle?.destroy();
  handle = mount(container, options);
  container.addEventListener('gws:ringing', (event) => screenPop(event.detail));
  container.addEventListener('gws:error', (event) => reportError(event.detail));
  container.addEventListener('gws:connection', (event) => {
    container.dataset['phone'] = event.detail.state === 'connected' ? 'online' : event.detail.state;
  });
}

export function leavePhonePanel(): void {
  handle?.destroy();
  handle = null;
}

export function callCustomer(number: string, caseId: string): void {
  handle?.dial(number, { CaseId: caseId });
}

export function takeBreak(): void {
  handle?.setAgentState('NotReady', 'Break');
}

/** Follows the CRM's own language switch; returns what the widget speaks now. */
export function switchLanguage(tag: string): string | null {
  handle?.setLang(tag);
  return handle?.lang ?? null;
}

export function answerAndList(): string[] {
  if (!handle || handle.stopped) return [];
  handle.answer();
  return handle.calls().map((call) => `${call.id} ${call.state} ${call.participants.length}`);
}

// The custom element, created from code with a credentials provider.
export function addElement(parent: HTMLElement): void {
  const element = document.createElement('gws-agent-widget');
  element.credentials = fetchCredentials;
  element.setAttribute('base-url', 'https://gws.example.com');
  element.setAttribute('click-to-dial', '');
  element.addEventListener('gws:agent-state', (event) => {
    element.title = `${event.detail.displayName}${event.detail.loggedIn ? '' : ' (voice logged out)'}`;
  });
  parent.append(element);
  element.handle?.hangup();
}

// Events bubble out of the shadow root: the document sees every widget's.
document.addEventListener('gws:released', (event) => {
  console.info(`call ${event.detail.callId} ended (was ${event.detail.previousState ?? 'new'})`);
});

// Pages without modules use the global set by embed.js.
window.addEventListener('gws-widget-ready', () => {
  const slot = document.querySelector<HTMLElement>('#phone');
  if (slot && window.GwsWidget) {
    const other = window.GwsWidget.mount(slot, { username: 'agent1', password: 'secret' });
    console.debug(window.GwsWidget.diagnostics().widgets, other.stopped);
  }
});

// What the declarations refuse (each line must be an error, or tsc fails: a declaration that got
// too loose is caught here).
export function mistakes(element: HTMLElement, h: WidgetHandle): void {
  // @ts-expect-error misspelt option ('baseUrl')
  mount(element, { baseURL: 'https://gws.example.com', username: 'a', password: 'b' });
  // @ts-expect-error both a provider and a password
  mount(element, { credentials: fetchCredentials, username: 'a', password: 'b' });
  // @ts-expect-error no credentials at all
  mount(element, { baseUrl: 'https://gws.example.com' });
  // @ts-expect-error theme is light or dark
  mount(element, { username: 'a', password: 'b', theme: 'blue' });
  // @ts-expect-error not an agent state setAgentState accepts
  h.setAgentState('Busy');
  // @ts-expect-error stopped is read-only
  h.stopped = false;
  element.addEventListener('gws:ringing', (event) => {
    // @ts-expect-error a call event's detail has no `message`
    console.log(event.detail.message);
  });
}
