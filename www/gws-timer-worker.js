// gws-widget timer worker: echoes each [id, ms] message back after ms milliseconds.
//
// Timers in a dedicated worker are not throttled in background tabs the way the page's are, so
// the widget's reconnect backoff and keep-alive sleeps here (src/drivers/scheduler.rs). It is a
// file on the widget's origin, loaded as a module worker, so a Content-Security-Policy of
// `script-src 'self'` allows it (a blob: worker would need `worker-src blob:`).
self.onmessage = (event) => {
  const [id, ms] = event.data;
  setTimeout(() => self.postMessage(id), ms);
};
