/** @waggle/node: trace a Node.js service with OpenTelemetry and send the spans to Waggle. */
export { startWaggleTracing, type WaggleTracing, type WaggleTracingOptions } from './start-waggle-tracing.js';
export { withSpan } from './with-span.js';
export { setUser, withUser, USER_ID_KEY } from './set-user.js';
export { setAttributes } from './set-attributes.js';
export { BaggageAttributesSpanProcessor } from './baggage-attributes-span-processor.js';
