import { SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';
import { waggleTracer } from './waggle-tracer.js';

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function markFailed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/**
 * Runs `fn` inside a new active span named `name` and ends the span when `fn` is done: at once for a
 * plain value, when the promise settles for an async function. A thrown error or rejected promise
 * is recorded on the span (exception event, error status) and passed on unchanged.
 */
export function withSpan<T>(name: string, fn: (span: Span) => T): T;
export function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => T): T;
export function withSpan<T>(name: string, attributesOrFn: Attributes | ((span: Span) => T), maybeFn?: (span: Span) => T): T {
  const fn = typeof attributesOrFn === 'function' ? attributesOrFn : maybeFn;
  const attributes = typeof attributesOrFn === 'function' ? {} : attributesOrFn;
  if (fn === undefined) throw new TypeError('withSpan needs a function to run');
  return waggleTracer().startActiveSpan(name, { attributes }, (span) => {
    let result: T;
    try {
      result = fn(span);
    } catch (error) {
      markFailed(span, error);
      span.end();
      throw error;
    }
    if (!isPromiseLike(result)) {
      span.end();
      return result;
    }
    // The caller gets a promise settling like theirs, after the span has ended.
    return result.then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        markFailed(span, error);
        span.end();
        throw error;
      },
    ) as T;
  });
}
