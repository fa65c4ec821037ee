// gws-widget embed loader — one script tag in the host page:
//
//   <script type="module" src="https://YOUR-GWS-WIDGET-HOST/embed.js"></script>
//   <gws-agent-widget base-url="https://gws.example.com" user="agent1" password="…"></gws-agent-widget>
//
// It loads the widget from the directory this script comes from (so dist/ can live on another
// origin, served with CORS), defines <gws-agent-widget>, and exposes `mount` both as an export
// and as window.GwsWidget.mount for pages without modules. A `gws-widget-ready` event fires on
// window when it is done.
const here = new URL('.', import.meta.url);
const wasmUrl = new URL('gws-widget_bg.wasm', here);
// The wasm is most of the download: fetch and compile it while the JS glue loads, instead of
// after it (bench/RESULTS.md, start-up). A server without the application/wasm type (no
// streaming compile) still works: the glue then fetches and instantiates it itself.
const compiled = 'compileStreaming' in WebAssembly
  ? WebAssembly.compileStreaming(fetch(wasmUrl)).catch(() => wasmUrl)
  : Promise.resolve(wasmUrl);
const widget = await import(new URL('gws-widget.js', here).href);
await widget.default({ module_or_path: await compiled });
widget.defineElement();

export const mount = widget.mount;
window.GwsWidget = Object.freeze({ mount: widget.mount, diagnostics: widget.diagnostics });
window.dispatchEvent(new Event('gws-widget-ready'));
