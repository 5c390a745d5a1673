import { trace, type Tracer } from '@opentelemetry/api';

export const WAGGLE_TRACER_NAME = '@waggle/node';

/** The tracer of the helpers; looked up on each use so it follows the provider registered later. */
export function waggleTracer(): Tracer {
  return trace.getTracer(WAGGLE_TRACER_NAME);
}
