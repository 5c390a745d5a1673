import { propagation, type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';
import { W3CBaggagePropagator } from '@opentelemetry/core';
import { SESSION_ID_KEY, type BrowserSession } from './browser-session.js';

/**
 * W3C baggage that always carries the browser's `session.id` and `user.id` (when set), so that
 * backends (with @waggle/node's baggage copying) tag their spans with them too. Entries already in
 * the context's baggage win. The backend must allow the `baggage` header in its CORS preflight.
 */
export class SessionBaggagePropagator implements TextMapPropagator {
  readonly #session: BrowserSession;
  readonly #w3c = new W3CBaggagePropagator();

  constructor(session: BrowserSession) {
    this.#session = session;
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    let baggage = propagation.getBaggage(context) ?? propagation.createBaggage();
    if (baggage.getEntry(SESSION_ID_KEY) === undefined) baggage = baggage.setEntry(SESSION_ID_KEY, { value: this.#session.id });
    const user = this.#session.userId;
    if (user !== undefined && baggage.getEntry('user.id') === undefined) baggage = baggage.setEntry('user.id', { value: user });
    this.#w3c.inject(propagation.setBaggage(context, baggage), carrier, setter);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    return this.#w3c.extract(context, carrier, getter);
  }

  fields(): string[] {
    return this.#w3c.fields();
  }
}
