import { trace, type AttributeValue } from '@opentelemetry/api';

/**
 * Adds attributes to the active span (e.g. `cart.items`, `order.total`); a no-op outside a span.
 * Values keep their type: Waggle stores integers, floats, booleans and strings as typed columns.
 */
export function setAttributes(attributes: Readonly<Record<string, AttributeValue>>): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}
