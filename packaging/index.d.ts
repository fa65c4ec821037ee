// Type declarations for gws-widget: the call-control widget for Genesys Web Services API v2 that
// a host page (a CRM) loads with `embed.js`.
//
// They describe what the runtime does (src/embed.rs, src/lib.rs, www/embed.js); e2e/types.test.mjs
// checks them against a mounted widget (every handle member exists, every event fires with the
// declared detail keys, every option and attribute is accepted), so an edit on either side that
// is not made on the other fails a test.
//
// Importing the package runs embed.js: it loads the wasm from the directory embed.js is served
// from, defines <gws-agent-widget>, sets `window.GwsWidget` and fires `gws-widget-ready` on window.

/** HTTP Basic credentials of a GWS user (an agent). */
export interface GwsCredentials {
  username: string;
  password: string;
}

/**
 * Returns the credentials when the widget signs in, and again when the server refused them
 * (so it can fetch fresh ones). May return a promise. The recommended way: the secret stays in
 * the host's code and never appears in the page's markup. Asked again, it must answer for the
 * same user: another user's credentials sign the widget out (a new user is a new widget).
 */
export type GwsCredentialsProvider = () => GwsCredentials | PromiseLike<GwsCredentials>;

/** Colour scheme of the widget. */
export type GwsTheme = 'light' | 'dark';

/** Console verbosity of the widget (the most recently mounted widget decides for the page). */
export type GwsLogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug';

/** Options every mount accepts, whichever way it signs in. */
export interface GwsCommonOptions {
  /**
   * GWS server root, without `/api/v2`, e.g. `https://gws.example.com`; absent or empty: the
   * page's own origin. Must be `http:` or `https:`.
   */
  baseUrl?: string;
  /** Colour scheme; default `light`. */
  theme?: GwsTheme;
  /**
   * Language of the widget's texts, a BCP 47 tag (`fr`, `de-CH`…): English, French, German and
   * Spanish are built in. Default: the page's `<html lang>`, then the browser's languages, then
   * English. `handle.setLang()` switches it later.
   */
  lang?: string;
  /** Former name of `lang`, still accepted. */
  locale?: string;
  /**
   * The host's wording for any text key (`{"op.Answer": "Pick up"}`), in every language; an
   * unknown key makes `mount` throw, naming the closest key. Keys: `crates/client/src/i18n/keys.rs`.
   */
  strings?: Record<string, string>;
  /** Denser layout for narrow side panels; default false. */
  compact?: boolean;
  /** Keyboard shortcuts (Alt+A answer, Alt+H hang up); default true. */
  shortcuts?: boolean;
  /** Console verbosity; default `warn`. */
  logLevel?: GwsLogLevel;
  /** Dial the numbers of `data-gws-dial` elements the user clicks in the page; default false. */
  clickToDial?: boolean;
  /** Share one notification loop between the tabs of the same user; default true. */
  shareAcrossTabs?: boolean;
  /** Log the voice channel in once notifications flow; default true. */
  autoLogin?: boolean;
  /** Place for the voice login (`StartContactCenterSession`). */
  place?: string;
  /** ACD queue for the voice login. */
  queue?: string;
  /** Agent login code for the voice login. */
  loginCode?: string;
}

/** Signing in with a user name and password given at mount. */
export interface GwsPasswordOptions extends GwsCommonOptions {
  username: string;
  password: string;
  credentials?: undefined;
}

/** Signing in with a credentials provider (recommended). */
export interface GwsProviderOptions extends GwsCommonOptions {
  credentials: GwsCredentialsProvider;
  username?: undefined;
  password?: undefined;
}

/**
 * The options of `mount()`. Unknown keys, values of the wrong type and invalid values throw an
 * `Error` saying what is wrong (an unknown key with a suggestion, e.g. "did you mean 'baseUrl'?").
 */
export type EmbedOptions = GwsPasswordOptions | GwsProviderOptions;

/** The state of a call on the agent's device (GWS may add others). */
export type GwsCallState = 'Ringing' | 'Dialing' | 'Established' | 'Held' | 'Released' | (string & {});

/** The agent states `setAgentState` sets. */
export type GwsAgentStateName = 'Ready' | 'NotReady' | 'AfterCallWork' | 'AuxWork';

/** The widget's connection to the server. */
export type GwsConnectionState =
  | 'connecting'
  | 'connected'
  | 'reconnecting'
  | 'offline'
  | 'disconnected'
  /** The server closed the session (`reconnect: none`); nothing retries until the agent clicks "Retry now". */
  | 'ended'
  | 'signed-out';

/** One remote party of a call, as GWS describes it (every field optional on the wire). */
export interface GwsParticipant {
  e164Number?: string;
  formattedPhoneNumber?: string;
  phoneNumber?: string;
  digits?: string;
  location?: string;
  country?: unknown;
}

/** Attached data of a call (GWS `userData`). */
export type GwsUserData = Record<string, unknown>;

/** A call resource as the server sent it (GWS API v2 `calls`). */
export interface GwsCall {
  id: string;
  state: GwsCallState;
  callUuid?: string;
  connId?: string;
  deviceUri?: string;
  participants: GwsParticipant[];
  dnis?: string;
  ani?: string;
  callType?: 'Internal' | 'Inbound' | 'Outbound' | 'Consult' | (string & {});
  /** The operations the server allows now (the card's buttons). */
  capabilities: string[];
  parentCallUri?: string;
  parentCallPath?: string;
  userData?: GwsUserData;
  /** Whole seconds since the call appeared on this device, as a string. */
  duration?: string;
  mute?: 'On' | 'Off' | (string & {});
  recordingState?: string;
  supervisorListeningIn?: boolean;
  monitoredUserMuted?: boolean;
  monitoring?: boolean;
  uri?: string;
  path?: string;
}

/**
 * The detail of `gws:ringing`, `gws:established`, `gws:held`, `gws:released` and
 * `gws:call-updated`.
 */
export interface GwsCallEventDetail {
  /** The call resource as received. */
  call: GwsCall;
  callId: string;
  state: GwsCallState;
  /** The state before this change; `null` when the call just appeared. */
  previousState: GwsCallState | null;
  /** The caller's number (else the first party's). */
  ani: string | null;
  dnis: string | null;
  /** The remote parties' numbers. */
  parties: string[];
  /** Attached data (e.g. a customer id for screen-pop), `null` when there is none; the same
   * object as `call.userData`. */
  userData: GwsUserData | null;
}

/** The detail of `gws:agent-state`. */
export interface GwsAgentStateDetail {
  /** The GWS agent state (e.g. `Ready`, `NotReady`), `null` before the device is known. */
  state: string | null;
  workMode: string | null;
  /** The not-ready reason. */
  reason: string | null;
  /** What the widget shows for the state. */
  displayName: string;
  doNotDisturb: 'On' | 'Off' | (string & {}) | null;
  forwardTo: string | null;
  /** Whether the voice channel is logged in; `null` while no device is known. */
  loggedIn: boolean | null;
}

/** The detail of `gws:connection`. */
export interface GwsConnectionDetail {
  state: GwsConnectionState;
  /** The reconnect attempt (0 unless reconnecting). */
  attempt: number;
  /** Milliseconds until the next attempt, when one is scheduled. */
  retryInMs: number | null;
}

/** The detail of `gws:error`. */
export interface GwsErrorDetail {
  /** A sentence fit for the agent (the widget shows and announces it too). */
  message: string;
  /** The call the failure is about, `null` for agent, session or mount failures. */
  callId: string | null;
  /**
   * Present (true) once the widget stopped after an internal error: every widget of the page
   * shows a "reload" notice and `handle.stopped` is true.
   */
  fatal?: true;
}

/**
 * The `gws:*` events. Each is a `CustomEvent` dispatched on the widget's host element; it
 * bubbles and is composed, so a page can listen on the element, on `document` or on `window`.
 */
export interface GwsWidgetEventMap {
  'gws:ringing': CustomEvent<GwsCallEventDetail>;
  'gws:established': CustomEvent<GwsCallEventDetail>;
  'gws:held': CustomEvent<GwsCallEventDetail>;
  'gws:released': CustomEvent<GwsCallEventDetail>;
  'gws:call-updated': CustomEvent<GwsCallEventDetail>;
  'gws:agent-state': CustomEvent<GwsAgentStateDetail>;
  'gws:connection': CustomEvent<GwsConnectionDetail>;
  'gws:error': CustomEvent<GwsErrorDetail>;
}

/** Names of the `gws:*` events. */
export type GwsWidgetEventName = keyof GwsWidgetEventMap;

/**
 * The page's handle on a mounted widget (from `mount()`, or the `handle` property of a
 * `<gws-agent-widget>`). Methods throw an `Error` for what cannot be done now (no such call, an
 * operation the call does not allow, a destroyed widget); the outcome of an accepted request
 * arrives as events (`gws:call-updated`, `gws:agent-state`, `gws:error`). Only `destroy()`
 * unmounts: a handle the page drops keeps its widget running.
 */
export interface WidgetHandle {
  /** Dials `number` (spaces, dashes and parentheses are removed), with optional attached data. */
  dial(number: string, userData?: GwsUserData): void;
  /** Answers call `callId`, or the ringing call. */
  answer(callId?: string | null): void;
  /** Hangs up call `callId`, or the active call (established, then dialing, then held). */
  hangup(callId?: string | null): void;
  /** Sets the agent state; `reason`: a not-ready reason code of the server's settings. */
  setAgentState(state: GwsAgentStateName, reason?: string | null): void;
  /** Logs the voice channel in (with the mount's `place`, `queue`, `loginCode`). */
  login(): void;
  /** Logs the agent out (notifications stop, then the session ends). Asks no confirmation. */
  logout(): void;
  /** The current calls, as the server describes them. */
  calls(): GwsCall[];
  /** Stops all traffic, removes every listener and timer, empties the element. Idempotent. */
  destroy(): void;
  /** Whether the widget stopped after an internal error (then reload the page). */
  readonly stopped: boolean;
  /**
   * Switches the language (`fr`, `de-CH`…; empty: the page's `<html lang>`, then the
   * browser's). Texts change at once; messages already shown keep their wording.
   */
  setLang(lang: string): void;
  /** The language the widget speaks: `en`, `fr`, `de` or `es`. */
  readonly lang: string;
}

/** Live resources of the page's widgets (leak checks, support). */
export interface GwsWidgetDiagnostics {
  widgets: number;
  loops: number;
  listeners: number;
  workers: number;
  messages: number;
  lastResponseUs: number;
}

/** `window.GwsWidget`, for pages without modules (set before `gws-widget-ready` fires). */
export interface GwsWidgetGlobal {
  readonly mount: typeof mount;
  readonly diagnostics: () => GwsWidgetDiagnostics;
}

/**
 * The attributes `<gws-agent-widget>` reads when it is connected (later changes are not
 * observed, but for `lang`: remove the element and insert a new one). Flags are on when present, unless their
 * value is `"false"`.
 */
export interface GwsAgentWidgetAttributes {
  'base-url'?: string;
  user?: string;
  /** Read once and removed from the element (kept in memory for a re-mount). */
  password?: string;
  theme?: GwsTheme;
  /** Observed: changing it switches the mounted widget's language. */
  lang?: string;
  locale?: string;
  'log-level'?: GwsLogLevel;
  place?: string;
  queue?: string;
  'login-code'?: string;
  compact?: GwsFlagAttribute;
  shortcuts?: GwsFlagAttribute;
  'click-to-dial'?: GwsFlagAttribute;
  'share-across-tabs'?: GwsFlagAttribute;
  'auto-login'?: GwsFlagAttribute;
}

/** A flag attribute's value: present (any value but `"false"`) is on. */
export type GwsFlagAttribute = '' | 'true' | 'false' | boolean;

/** `<gws-agent-widget>`: mounts itself when connected, destroyed when removed. */
export interface GwsAgentWidgetElement extends HTMLElement {
  /** The widget's handle while it is mounted; `null` after removal or a failed mount. */
  handle: WidgetHandle | null | undefined;
  /** Set before inserting the element to sign in with a provider instead of `user`/`password`. */
  credentials?: GwsCredentialsProvider;
  /** Set before inserting the element: the host's wording for text keys (see `strings`). */
  strings?: Record<string, string>;
  addEventListener<K extends keyof GwsWidgetEventMap>(
    type: K,
    listener: (this: GwsAgentWidgetElement, event: GwsWidgetEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener<K extends keyof HTMLElementEventMap>(
    type: K,
    listener: (this: GwsAgentWidgetElement, event: HTMLElementEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof GwsWidgetEventMap>(
    type: K,
    listener: (this: GwsAgentWidgetElement, event: GwsWidgetEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener<K extends keyof HTMLElementEventMap>(
    type: K,
    listener: (this: GwsAgentWidgetElement, event: HTMLElementEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ): void;
}

/**
 * Mounts a widget into `element` (it gets an open shadow root). Throws an `Error` for invalid
 * options, a non-element, or a page whose widget stopped after an internal error.
 */
export declare function mount(element: HTMLElement, options: EmbedOptions): WidgetHandle;

declare global {
  interface HTMLElementTagNameMap {
    'gws-agent-widget': GwsAgentWidgetElement;
  }
  // The events bubble and are composed: any ancestor, the document and the window see them.
  interface HTMLElementEventMap extends GwsWidgetEventMap {}
  interface DocumentEventMap extends GwsWidgetEventMap {}
  interface WindowEventMap extends GwsWidgetEventMap {
    /** embed.js finished: the element is defined and `window.GwsWidget` is set. */
    'gws-widget-ready': Event;
  }
  interface Window {
    /** Set by embed.js once the widget is loaded (undefined before `gws-widget-ready`). */
    GwsWidget?: GwsWidgetGlobal;
  }
}
