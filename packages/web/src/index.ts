/** @waggle/web: trace a browser app with OpenTelemetry and send the spans to Waggle. */
export {
  setUser,
  startWaggleBrowserTracing,
  type WaggleBrowserTracing,
  type WaggleBrowserTracingOptions,
} from './start-waggle-browser-tracing.js';
export { BrowserSession, SESSION_ID_KEY, type SessionStore } from './browser-session.js';
export { SessionSpanProcessor } from './session-span-processor.js';
export { SessionBaggagePropagator } from './session-baggage-propagator.js';
